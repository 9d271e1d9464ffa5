/**
 * Loads `.nbrick` text into a typed GraphFile. Never throws: every failure is a named error a UI or CLI can show.
 *
 * Order (as tldraw's file loader): size → JSON → envelope → forbidden keys → version → migrations → node limit →
 * schema → references. Whether the network is valid (shapes, cycles…) is not a load error: callers run analyzeGraph.
 */
import type { z } from 'zod';
import { formatJsonPath } from './jsonPath';
import {
  CURRENT_FORMAT_VERSION,
  GRAPH_FILE_FORMAT,
  graphFileSchema,
  type GraphFile,
} from './graphFileSchema';
import { MigrationError, migrateToCurrent, type JsonObject } from './migrations';

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const MAX_NODES = 5000;
export const MAX_EDGES = 20_000;
/** Real files nest about 6 deep; anything far deeper is garbage or an attack on recursive code. */
export const MAX_NESTING_DEPTH = 32;
/** Keys that could reach an object's prototype if some later code copied the data with plain assignment. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export interface LoadOptions {
  readonly maxBytes?: number;
  readonly maxNodes?: number;
}

export interface InvalidIssue {
  /** JSON path, e.g. `graph.nodes[3].params.units`. */
  readonly path: string;
  readonly reason: string;
}

export type GraphFileError =
  | { readonly code: 'not-a-graph-file'; readonly message: string }
  | { readonly code: 'too-new'; readonly message: string; readonly fileVersion: number; readonly supportedVersion: number }
  | { readonly code: 'invalid'; readonly message: string; readonly path: string; readonly reason: string; readonly issues: readonly InvalidIssue[] }
  | { readonly code: 'too-large'; readonly message: string; readonly bytes: number; readonly limit: number }
  | { readonly code: 'too-many-nodes'; readonly message: string; readonly count: number; readonly limit: number };

export type LoadResult =
  | { readonly ok: true; readonly file: GraphFile; readonly migratedFrom?: number }
  | { readonly ok: false; readonly error: GraphFileError };

const MAX_REPORTED_ISSUES = 20;

export function loadGraphFile(text: string, opts: LoadOptions = {}): LoadResult {
  if (typeof text !== 'string') return fail({ code: 'not-a-graph-file', message: 'not a graph file: expected text' });
  const limit = opts.maxBytes ?? MAX_FILE_BYTES;
  // Cheap bound first: UTF-8 needs at least one byte per UTF-16 unit and at most three.
  if (text.length > limit || (text.length * 3 > limit && utf8ByteLength(text) > limit)) {
    // Past the limit in UTF-16 units already: that count is a lower bound, so skip the full byte count.
    const atLeast = text.length > limit;
    const bytes = atLeast ? text.length : utf8ByteLength(text);
    return fail({ code: 'too-large', bytes, limit, message: `file is too large: ${atLeast ? 'over ' : ''}${formatMB(bytes)} (limit ${formatMB(limit)})` });
  }
  let value: unknown;
  try {
    // Windows editors (Notepad) may save UTF-8 with a byte-order mark; JSON.parse refuses it.
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return fail({ code: 'not-a-graph-file', message: `not a graph file: not valid JSON (${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 200)})` });
  }
  return loadGraphFileValue(value, opts);
}

/** The same checks for data that is already parsed (e.g. a document received over IPC). */
export function loadGraphFileValue(value: unknown, opts: LoadOptions = {}): LoadResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail({ code: 'not-a-graph-file', message: 'not a graph file: expected a JSON object with "format": "neural-bricks/graph"' });
  }
  const envelope = value as JsonObject;
  if (envelope['format'] !== GRAPH_FILE_FORMAT) {
    const found = envelope['format'] === undefined ? 'no "format" field' : `"format" is ${JSON.stringify(envelope['format']).slice(0, 80)}`;
    return fail({ code: 'not-a-graph-file', message: `not a graph file: ${found}, expected "${GRAPH_FILE_FORMAT}"` });
  }

  const forbidden = findForbiddenKey(envelope);
  if (forbidden) return invalid([forbidden]);

  const version = envelope['formatVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return invalid([{ path: 'formatVersion', reason: `expected a whole number ≥ 0, got ${JSON.stringify(version) ?? 'nothing'}` }]);
  }
  if (version > CURRENT_FORMAT_VERSION) {
    return fail({
      code: 'too-new',
      fileVersion: version,
      supportedVersion: CURRENT_FORMAT_VERSION,
      message: `file uses format version ${version}, but this version of Neural Bricks reads up to version ${CURRENT_FORMAT_VERSION}; update Neural Bricks to open it`,
    });
  }

  let migrated: JsonObject = envelope;
  if (version < CURRENT_FORMAT_VERSION) {
    try {
      migrated = migrateToCurrent(envelope, version);
    } catch (e) {
      if (e instanceof MigrationError) {
        return invalid([{ path: formatJsonPath(e.path), reason: `${e.reason} (while upgrading from format version ${version})` }]);
      }
      return invalid([{ path: '(root)', reason: `cannot upgrade from format version ${version}: ${e instanceof Error ? e.message : String(e)}` }]);
    }
  }

  const graph = migrated['graph'];
  if (graph !== null && typeof graph === 'object') {
    const nodes = (graph as JsonObject)['nodes'];
    const maxNodes = opts.maxNodes ?? MAX_NODES;
    if (Array.isArray(nodes) && nodes.length > maxNodes) {
      return fail({ code: 'too-many-nodes', count: nodes.length, limit: maxNodes, message: `graph has ${nodes.length} nodes; the limit is ${maxNodes}` });
    }
    const edges = (graph as JsonObject)['edges'];
    if (Array.isArray(edges) && edges.length > MAX_EDGES) {
      return invalid([{ path: 'graph.edges', reason: `${edges.length} edges; the limit is ${MAX_EDGES}` }]);
    }
  }

  const parsed = graphFileSchema.safeParse(migrated);
  if (!parsed.success) return invalid(zodIssues(parsed.error.issues, migrated));

  const file: GraphFile = parsed.data;
  const refIssues = checkReferences(file);
  if (refIssues.length > 0) return invalid(refIssues);

  return version < CURRENT_FORMAT_VERSION ? { ok: true, file, migratedFrom: version } : { ok: true, file };
}

/** Ids must be unique and every reference must name an existing node: later code indexes by id. */
function checkReferences(file: GraphFile): InvalidIssue[] {
  const issues: InvalidIssue[] = [];
  const { nodes, edges, groups } = file.graph;
  const nodeIds = new Set<string>();
  nodes.forEach((node, i) => {
    if (nodeIds.has(node.id)) issues.push({ path: `graph.nodes[${i}].id`, reason: `duplicate node id "${node.id}"` });
    nodeIds.add(node.id);
  });
  const edgeIds = new Set<string>();
  edges.forEach((edge, i) => {
    if (edgeIds.has(edge.id)) issues.push({ path: `graph.edges[${i}].id`, reason: `duplicate edge id "${edge.id}"` });
    edgeIds.add(edge.id);
    for (const end of ['source', 'target'] as const) {
      if (!nodeIds.has(edge[end])) {
        issues.push({ path: `graph.edges[${i}].${end}`, reason: `edge "${edge.id}" names unknown node "${edge[end]}"` });
      }
    }
  });
  const groupIds = new Set<string>();
  groups.forEach((group, i) => {
    if (groupIds.has(group.id)) issues.push({ path: `graph.groups[${i}].id`, reason: `duplicate group id "${group.id}"` });
    groupIds.add(group.id);
    group.nodeIds.forEach((nodeId, j) => {
      if (!nodeIds.has(nodeId)) {
        issues.push({ path: `graph.groups[${i}].nodeIds[${j}]`, reason: `group "${group.id}" names unknown node "${nodeId}"` });
      }
    });
  });
  return issues;
}

function findForbiddenKey(root: unknown): InvalidIssue | undefined {
  const path: (string | number)[] = [];
  const visit = (value: unknown, depth: number): InvalidIssue | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    if (depth > MAX_NESTING_DEPTH) return { path: formatJsonPath(path), reason: `nested more than ${MAX_NESTING_DEPTH} levels deep` };
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const found = visit(value[i], depth + 1);
        if (found) return found;
        path.pop();
      }
      return undefined;
    }
    for (const key of Object.keys(value)) {
      path.push(key);
      if (FORBIDDEN_KEYS.includes(key)) return { path: formatJsonPath(path), reason: `the key "${key}" is not allowed` };
      const found = visit((value as JsonObject)[key], depth + 1);
      if (found) return found;
      path.pop();
    }
    return undefined;
  };
  return visit(root, 0);
}

/**
 * The raw value at a zod issue's path. Read from the data itself because zod 4 leaves `issue.input` out unless asked,
 * which would make every wrong-type value look missing.
 */
function valueAt(root: unknown, path: readonly PropertyKey[]): { readonly found: boolean; readonly value?: unknown } {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || typeof key === 'symbol' || !Object.hasOwn(value, key)) return { found: false };
    value = (value as Record<string | number, unknown>)[key];
  }
  return { found: true, value };
}

/** What a wrong value is, for a message: `the string "NaN"`, `null`, `an object`… */
function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

function zodIssues(issues: readonly z.core.$ZodIssue[], root: unknown): InvalidIssue[] {
  const out: InvalidIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatJsonPath([...issue.path, key]), reason: 'unknown field' });
    } else if (issue.code === 'invalid_type') {
      const at = valueAt(root, issue.path);
      out.push({
        path: formatJsonPath(issue.path),
        reason: at.found && at.value !== undefined ? `expected ${issue.expected}, found ${describeFound(at.value)}` : `missing (expected ${issue.expected})`,
      });
    } else {
      out.push({ path: formatJsonPath(issue.path), reason: issue.message });
    }
  }
  return out;
}

function invalid(issues: readonly InvalidIssue[]): LoadResult {
  const first = issues[0] ?? { path: '(root)', reason: 'invalid' };
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return fail({
    code: 'invalid',
    path: first.path,
    reason: first.reason,
    issues: issues.slice(0, MAX_REPORTED_ISSUES),
    message: `invalid graph file: ${first.path}: ${first.reason}${more}`,
  });
}

function fail(error: GraphFileError): LoadResult {
  return { ok: false, error };
}

export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function formatMB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
