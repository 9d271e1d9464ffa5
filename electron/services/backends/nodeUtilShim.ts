import util from 'node:util';

/**
 * Node 23 removed a set of long-deprecated `util.is*` helpers. tfjs-node 4.22 (built for older Node) still calls
 * `util.isNullOrUndefined` and `util.isArray` through the shared `require('util')` object, so on Electron's Node its
 * first op throws "util_1.isNullOrUndefined is not a function". Restoring them on the module object fixes every
 * call site because tfjs-node keeps a reference to that same object. Existing functions are never replaced.
 */
export function installNodeUtilShim(): string[] {
  const target = util as unknown as Record<string, unknown>;
  const helpers: Record<string, (value: unknown) => boolean> = {
    isNullOrUndefined: (value) => value === null || value === undefined,
    isNull: (value) => value === null,
    isUndefined: (value) => value === undefined,
    isArray: (value) => Array.isArray(value),
    isBoolean: (value) => typeof value === 'boolean',
    isNumber: (value) => typeof value === 'number',
    isString: (value) => typeof value === 'string',
    isSymbol: (value) => typeof value === 'symbol',
    isFunction: (value) => typeof value === 'function',
    isObject: (value) => value !== null && typeof value === 'object',
    isPrimitive: (value) => value === null || (typeof value !== 'object' && typeof value !== 'function'),
  };
  const installed: string[] = [];
  for (const [name, fn] of Object.entries(helpers)) {
    if (typeof target[name] !== 'function') {
      try {
        target[name] = fn;
        installed.push(name);
      } catch {
        // A frozen util module (not seen in practice) just leaves tfjs-node to fail with its own message.
      }
    }
  }
  return installed;
}
