/**
 * Cheap shape limits checked before a request's schema runs. A schema's cost grows with every value it rejects (a
 * million bad param keys keep zod busy for seconds, and its issue list runs to tens of megabytes), so one linear,
 * allocation-light walk first refuses what no legitimate request contains, naming the first place that breaks a rule.
 */
import { MAX_EDGES, MAX_NESTING_DEPTH, MAX_NODES } from '../format/loadGraphFile';
import { MAX_PARAMS_PER_NODE, MAX_TUPLE_LENGTH } from '../format/graphFileSchema';
import { MAX_EPOCHS } from '../format/trainingConfig';
import { MAX_PREDICT_VALUES } from './evaluation';

/** Four times the largest legitimate object, a node's params ({@link MAX_PARAMS_PER_NODE}). */
export const MAX_OBJECT_KEYS = 4 * MAX_PARAMS_PER_NODE;
/** The longest legitimate lists: a run's per-epoch metrics, and the values of one `predict` request. */
export const MAX_ARRAY_ITEMS = Math.max(MAX_EPOCHS, MAX_PREDICT_VALUES);

type Key = string | number;

/** A container on the walk's stack; the parent chain gives the path only when something is reported. */
interface Frame {
  readonly value: object;
  readonly key: Key | undefined;
  readonly parent: Frame | undefined;
  readonly depth: number;
}

function pathOf(frame: Frame | undefined, ...tail: Key[]): string {
  const keys: Key[] = tail;
  for (let at = frame; at?.key !== undefined; at = at.parent) keys.unshift(at.key);
  return keys.length > 0 ? keys.map(String).join('.') : '(payload)';
}

function isContainer(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

function isParamValue(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return true;
  return Array.isArray(value) && value.length <= MAX_TUPLE_LENGTH && value.every((item) => typeof item === 'number');
}

/** The graph's own limits, the loader's: node and edge counts, and each node's params (the one open-ended record). */
function checkGraph(graph: unknown, where: readonly Key[]): string | undefined {
  if (!isContainer(graph)) return undefined;
  const { nodes, edges } = graph as { nodes?: unknown; edges?: unknown };
  if (Array.isArray(nodes) && nodes.length > MAX_NODES) {
    return `${[...where, 'nodes'].join('.')}: ${nodes.length} items; a graph has at most ${MAX_NODES} nodes`;
  }
  if (Array.isArray(edges) && edges.length > MAX_EDGES) {
    return `${[...where, 'edges'].join('.')}: ${edges.length} items; a graph has at most ${MAX_EDGES} edges`;
  }
  if (!Array.isArray(nodes)) return undefined;
  for (let i = 0; i < nodes.length; i++) {
    const params = (nodes[i] as { params?: unknown } | null)?.params;
    if (!isContainer(params) || Array.isArray(params)) continue;
    const keys = Object.keys(params);
    const at = [...where, 'nodes', i, 'params'].join('.');
    if (keys.length > MAX_PARAMS_PER_NODE) return `${at}: ${keys.length} keys; a node has at most ${MAX_PARAMS_PER_NODE} params`;
    for (const key of keys) {
      if (!isParamValue((params as Record<string, unknown>)[key])) {
        return `${at}.${key}: expected a finite number, a string, a boolean or a list of at most ${MAX_TUPLE_LENGTH} numbers`;
      }
    }
  }
  return undefined;
}

/**
 * The first place where `payload` breaks a shape limit, as `path: reason` (the form of the schema's own issues), or
 * undefined. Graphs are found where requests carry them: `graph` (training) and `file.graph` (saves, reports).
 */
export function findPayloadOverrun(payload: unknown): string | undefined {
  if (!isContainer(payload)) return undefined;
  const { graph, file } = payload as { graph?: unknown; file?: unknown };
  const inGraph =
    checkGraph(graph, ['graph']) ?? (isContainer(file) ? checkGraph((file as { graph?: unknown }).graph, ['file', 'graph']) : undefined);
  if (inGraph) return inGraph;

  const stack: Frame[] = [{ value: payload, key: undefined, parent: undefined, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > MAX_NESTING_DEPTH) return `${pathOf(frame)}: nested more than ${MAX_NESTING_DEPTH} levels deep`;
    if (Array.isArray(frame.value)) {
      const items = frame.value as unknown[];
      if (items.length > MAX_ARRAY_ITEMS) return `${pathOf(frame)}: ${items.length} items; the limit for a list is ${MAX_ARRAY_ITEMS}`;
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (isContainer(item)) stack.push({ value: item, key: i, parent: frame, depth: frame.depth + 1 });
      }
    } else {
      const keys = Object.keys(frame.value);
      if (keys.length > MAX_OBJECT_KEYS) return `${pathOf(frame)}: ${keys.length} keys; the limit for an object is ${MAX_OBJECT_KEYS}`;
      for (const key of keys) {
        const child = (frame.value as Record<string, unknown>)[key];
        if (isContainer(child)) stack.push({ value: child, key, parent: frame, depth: frame.depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * The same limits on a message's raw text, before `JSON.parse`: parsing an object of a million keys alone takes
 * seconds. One pass over the characters, counting keys and items per open container; the text need not be valid
 * JSON (the parser judges that next). `levelsAbove` is how deep the payload sits in its envelope.
 */
export function findJsonTextOverrun(text: string, levelsAbove = 0): string | undefined {
  const counts: number[] = [];
  const objects: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string, escapes included: its contents are not structure.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (counts.length > MAX_NESTING_DEPTH + levelsAbove) return `nested more than ${MAX_NESTING_DEPTH} levels deep (at character ${i})`;
      counts.push(0);
      objects.push(c === 0x7b);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      counts.pop();
      objects.pop();
    } else if (counts.length > 0) {
      const top = counts.length - 1;
      if (c === 0x3a /* : */ && objects[top] && ++counts[top]! > MAX_OBJECT_KEYS) {
        return `an object with more than ${MAX_OBJECT_KEYS} keys (at character ${i}); the limit for an object is ${MAX_OBJECT_KEYS}`;
      }
      if (c === 0x2c /* , */ && !objects[top] && ++counts[top]! >= MAX_ARRAY_ITEMS) {
        return `a list of more than ${MAX_ARRAY_ITEMS} items (at character ${i}); the limit for a list is ${MAX_ARRAY_ITEMS}`;
      }
    }
  }
  return undefined;
}
