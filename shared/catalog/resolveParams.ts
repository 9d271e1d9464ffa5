/**
 * Fills defaults and validates a node's params against its spec. Every problem is reported per param with a message
 * a workshop participant can act on; invalid values fall back to the default so the node can still be drawn.
 */
import type { ParamSpec, ParamValue, Params, ResolvedParams, LayerSpec } from './spec';

export interface ParamIssue {
  readonly param: string;
  readonly message: string;
  /** Unknown params are warnings (ignored); everything else is an error. */
  readonly severity: 'error' | 'warning';
}

export interface ResolvedParamsResult {
  readonly params: ResolvedParams;
  readonly issues: readonly ParamIssue[];
}

export function resolveParams(spec: LayerSpec, params: Params | undefined): ResolvedParamsResult {
  const resolved: Record<string, ParamValue> = {};
  const issues: ParamIssue[] = [];
  const given = params ?? {};
  for (const [name, paramSpec] of Object.entries(spec.params)) {
    const value = Object.prototype.hasOwnProperty.call(given, name) ? given[name] : undefined;
    if (value === undefined) {
      resolved[name] = paramSpec.default;
      continue;
    }
    const problem = checkParam(paramSpec, value);
    if (problem === undefined) {
      resolved[name] = Array.isArray(value) ? [...value] : value;
    } else {
      resolved[name] = paramSpec.default;
      issues.push({ param: name, severity: 'error', message: `${spec.label}: ${paramSpec.label} (${name}) ${problem}` });
    }
  }
  for (const name of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(spec.params, name)) {
      issues.push({ param: name, severity: 'warning', message: `${spec.label} has no param '${name}'; it is ignored` });
    }
  }
  return { params: resolved, issues };
}

/** Returns why `value` does not satisfy `spec` (a phrase that follows the param name), or undefined when valid. */
export function checkParam(spec: ParamSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a whole number, got ${show(value)}`;
      if (!Number.isInteger(value)) return `must be a whole number, got ${value}`;
      return rangeProblem(value, spec.min, spec.max);
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${show(value)}`;
      return rangeProblem(value, spec.min, spec.max);
    case 'enum':
      if (typeof value !== 'string' || !spec.options.includes(value)) {
        return `must be one of ${spec.options.map((o) => `'${o}'`).join(', ')}, got ${show(value)}`;
      }
      return undefined;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${show(value)}`;
    case 'ints': {
      if (!Array.isArray(value)) return `must be a list of whole numbers, got ${show(value)}`;
      if (spec.length !== undefined && value.length !== spec.length) {
        return `must have exactly ${spec.length} values, got ${value.length}`;
      }
      if (value.length === 0) return 'must have at least one value';
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v !== 'number' || !Number.isInteger(v)) return `value ${i + 1} must be a whole number, got ${show(v)}`;
        const r = rangeProblem(v, spec.min, spec.max);
        if (r !== undefined) return `value ${i + 1} ${r}`;
      }
      return undefined;
    }
  }
}

function rangeProblem(value: number, min: number, max: number): string | undefined {
  if (value < min || value > max) return `must be between ${min} and ${max}, got ${value}`;
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
