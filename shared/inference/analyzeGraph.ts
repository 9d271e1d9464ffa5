/**
 * Whole-graph analysis: topological order, per-node shapes, costs and every problem tied to the node, port or edge it
 * belongs to. Runs on every edit, so it is linear in nodes + edges (iterative Kahn sort, iterative Tarjan for cycles).
 *
 * Error policy: a node with its own error gets no output shape; nodes below it report a quiet `upstream-error`
 * warning instead of a cascade of errors, so the root cause stands out.
 */
import type { EdgeId, GraphDocument, GraphEdge, GraphNode, NodeId } from '../document/model';
import { getLayerSpec } from '../catalog/registry';
import { resolveParams } from '../catalog/resolveParams';
import { formatShape, product } from '../catalog/shapes';
import type { LayerSpec, ResolvedParams, Shape } from '../catalog/spec';
import type { GraphAnalysis, GraphIssue, IssueCode, NodeAnalysis } from './types';

/** Issues that stop a node from producing an output shape. */
const BLOCKING: ReadonlySet<IssueCode> = new Set<IssueCode>([
  'unknown-type',
  'invalid-param',
  'missing-input',
  'too-many-inputs',
  'port-conflict',
  'shape-mismatch',
  'cycle',
]);

/** Per-node working state while analysing. */
interface NodeState {
  readonly node: GraphNode;
  readonly index: number;
  readonly spec: LayerSpec | undefined;
  readonly params: ResolvedParams;
  /** Edges into this node, after port checks, in input order. */
  accepted: GraphEdge[];
  readonly issues: GraphIssue[];
  blocked: boolean;
  output?: Shape;
  inputShapes: (Shape | undefined)[];
  params_: number;
  flops: number;
  activationBytes: number;
}

export function analyzeGraph(doc: GraphDocument): GraphAnalysis {
  const graphIssues: GraphIssue[] = [];
  const states = new Map<NodeId, NodeState>();
  const list: NodeState[] = [];

  for (const node of doc.nodes) {
    if (states.has(node.id)) continue; // duplicate ids are rejected by the file loader; keep the first here
    const spec = getLayerSpec(node.type);
    const state: NodeState = {
      node,
      index: list.length,
      spec,
      params: {},
      accepted: [],
      issues: [],
      blocked: false,
      inputShapes: [],
      params_: 0,
      flops: 0,
      activationBytes: 0,
    };
    if (!spec) {
      addIssue(state, {
        code: 'unknown-type',
        severity: 'error',
        nodeId: node.id,
        message: `Unknown layer type '${node.type}' on '${node.id}'`,
      });
    } else {
      const resolved = resolveParams(spec, node.params);
      (state as { params: ResolvedParams }).params = resolved.params;
      for (const issue of resolved.issues) {
        addIssue(state, {
          code: 'invalid-param',
          severity: issue.severity,
          nodeId: node.id,
          param: issue.param,
          message: issue.message,
        });
      }
    }
    states.set(node.id, state);
    list.push(state);
  }

  // Adjacency by node index; edges whose ends are unknown are reported and otherwise ignored.
  const n = list.length;
  const incoming: GraphEdge[][] = Array.from({ length: n }, () => []);
  const outgoing: number[][] = Array.from({ length: n }, () => []);
  for (const edge of doc.edges) {
    const from = states.get(edge.source);
    const to = states.get(edge.target);
    if (!from || !to) {
      const missing = !from ? `from unknown node '${edge.source}'` : `to unknown node '${edge.target}'`;
      const issue: GraphIssue = {
        code: 'dangling-edge',
        severity: 'error',
        edgeId: edge.id,
        message: `Edge '${edge.id}' goes ${missing}`,
        ...(to ? { nodeId: to.node.id, port: edge.targetPort } : from ? { nodeId: from.node.id } : {}),
      };
      if (to) to.issues.push(issue);
      else if (from) from.issues.push(issue);
      else graphIssues.push(issue);
      continue;
    }
    incoming[to.index]?.push(edge);
    outgoing[from.index]?.push(to.index);
  }

  for (const state of list) assignPorts(state, incoming[state.index] ?? []);

  const { order, cyclic } = topologicalOrder(n, outgoing);
  markCycles(list, outgoing, cyclic);

  const edgeShapes = new Map<EdgeId, Shape>();
  for (const index of order) {
    const state = list[index];
    if (state) inferNode(state, states);
  }
  for (const edge of doc.edges) {
    const shape = states.get(edge.source)?.output;
    if (shape && states.has(edge.target)) edgeShapes.set(edge.id, shape);
  }

  // Dangling outputs: a layer whose result goes nowhere is probably unfinished work.
  for (const state of list) {
    if (state.spec && state.node.type !== 'Output' && (outgoing[state.index]?.length ?? 0) === 0) {
      addIssue(state, {
        code: 'dangling-output',
        severity: 'warning',
        nodeId: state.node.id,
        message: `The output of '${state.node.id}' is not connected to anything`,
      });
    }
  }

  if (!list.some((s) => s.node.type === 'Input')) {
    graphIssues.unshift({ code: 'no-input', severity: 'error', message: 'The graph has no Input — add one where the data enters' });
  }
  if (!list.some((s) => s.node.type === 'Output')) {
    graphIssues.push({
      code: 'no-output',
      severity: 'error',
      message: 'The graph has no Output — add one to say what the network predicts and how it is scored',
    });
  }

  const nodes = new Map<NodeId, NodeAnalysis>();
  const issues: GraphIssue[] = [...graphIssues];
  let params = 0;
  let flops = 0;
  let activationBytes = 0;
  for (const index of order) {
    const s = list[index];
    if (!s) continue;
    nodes.set(s.node.id, {
      id: s.node.id,
      type: s.node.type,
      inputShapes: s.inputShapes,
      ...(s.output ? { output: s.output } : {}),
      params: s.params_,
      flops: s.flops,
      activationBytes: s.activationBytes,
      issues: s.issues,
    });
    for (const issue of s.issues) issues.push(issue);
    params += s.params_;
    flops += s.flops;
    activationBytes += s.activationBytes;
  }
  let errors = 0;
  let warnings = 0;
  for (const issue of issues) {
    if (issue.severity === 'error') errors++;
    else warnings++;
  }
  return {
    order: order.map((i) => list[i]?.node.id ?? ''),
    nodes,
    edgeShapes,
    issues,
    totals: { params, flops, activationBytes, errors, warnings },
  };
}

function addIssue(state: NodeState, issue: GraphIssue): void {
  state.issues.push(issue);
  if (issue.severity === 'error' && BLOCKING.has(issue.code)) state.blocked = true;
}

function compareEdges(a: GraphEdge, b: GraphEdge): number {
  return a.targetPort - b.targetPort || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Orders a node's incoming edges into inputs and reports arity and port problems. */
function assignPorts(state: NodeState, edges: GraphEdge[]): void {
  const spec = state.spec;
  if (!spec) return;
  const id = state.node.id;
  const { min, max, ordered } = spec.inputs;
  const sorted = [...edges].sort(compareEdges);
  const accepted: GraphEdge[] = [];
  if (max === 0) {
    for (const e of sorted) {
      addIssue(state, {
        code: 'too-many-inputs',
        severity: 'error',
        nodeId: id,
        edgeId: e.id,
        port: e.targetPort,
        message: `${spec.label} takes no inputs, but '${e.source}' is connected to '${id}'`,
      });
    }
  } else if (ordered || max === 1) {
    const taken = new Map<number, GraphEdge>();
    for (const e of sorted) {
      if (!Number.isInteger(e.targetPort) || e.targetPort < 0 || e.targetPort >= max) {
        addIssue(state, {
          code: 'too-many-inputs',
          severity: 'error',
          nodeId: id,
          edgeId: e.id,
          port: e.targetPort,
          message:
            max === 1
              ? `${spec.label} '${id}' has one input, but the edge from '${e.source}' goes to input ${e.targetPort + 1}`
              : `${spec.label} '${id}' has inputs 1–${max}, but the edge from '${e.source}' goes to input ${e.targetPort + 1}`,
        });
        continue;
      }
      const holder = taken.get(e.targetPort);
      if (holder) {
        addIssue(state, {
          code: 'port-conflict',
          severity: 'error',
          nodeId: id,
          edgeId: e.id,
          port: e.targetPort,
          message:
            max === 1
              ? `'${id}' takes one input but gets two: from '${holder.source}' and from '${e.source}' — merge them with Add or Concatenate`
              : `Input ${e.targetPort + 1} of '${id}' gets two edges: from '${holder.source}' and from '${e.source}'`,
        });
        continue;
      }
      taken.set(e.targetPort, e);
      accepted.push(e);
    }
  } else {
    for (const e of sorted) {
      if (accepted.length < max) {
        accepted.push(e);
        continue;
      }
      addIssue(state, {
        code: 'too-many-inputs',
        severity: 'error',
        nodeId: id,
        edgeId: e.id,
        port: e.targetPort,
        message: `${spec.label} '${id}' takes at most ${max} inputs; the edge from '${e.source}' is one too many`,
      });
    }
  }
  state.accepted = accepted;
  if (accepted.length < min) {
    addIssue(state, {
      code: 'missing-input',
      severity: 'error',
      nodeId: id,
      port: firstFreePort(accepted, ordered),
      message:
        min === 1
          ? `'${id}' (${spec.label}) has no input — connect a layer to it`
          : `'${id}' (${spec.label}) needs at least ${min} inputs but has ${accepted.length}`,
    });
  }
}

function firstFreePort(accepted: readonly GraphEdge[], ordered: boolean): number {
  if (!ordered) return 0;
  const used = new Set(accepted.map((e) => e.targetPort));
  let p = 0;
  while (used.has(p)) p++;
  return p;
}

/** Kahn's algorithm over node indices; nodes it cannot place (in or below a cycle) follow in document order. */
function topologicalOrder(n: number, outgoing: readonly number[][]): { order: number[]; cyclic: boolean } {
  const indegree = new Int32Array(n);
  for (const targets of outgoing) for (const t of targets) indegree[t] = (indegree[t] ?? 0) + 1;
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  const placed = new Uint8Array(n);
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head] as number;
    placed[i] = 1;
    for (const t of outgoing[i] ?? []) {
      indegree[t] = (indegree[t] ?? 0) - 1;
      if (indegree[t] === 0) queue.push(t);
    }
  }
  const cyclic = queue.length < n;
  if (cyclic) for (let i = 0; i < n; i++) if (!placed[i]) queue.push(i);
  return { order: queue, cyclic };
}

/** Finds strongly connected components (iterative Tarjan) and flags every node that lies on a cycle. */
function markCycles(list: readonly NodeState[], outgoing: readonly number[][], cyclic: boolean): void {
  if (!cyclic) return;
  const n = list.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1] as [number, number];
      const [v, next] = frame;
      const targets = outgoing[v] ?? [];
      if (next < targets.length) {
        frame[1] = next + 1;
        const w = targets[next] as number;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v] ?? 0, index[w] ?? 0);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] ?? 0, low[v] ?? 0);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        const selfLoop = component.length === 1 && (outgoing[v] ?? []).includes(v);
        if (component.length > 1 || selfLoop) reportCycle(list, component.reverse());
      }
    }
  }
}

function reportCycle(list: readonly NodeState[], component: readonly number[]): void {
  const ids = component.map((i) => list[i]?.node.id ?? '?');
  const shown = ids.length > 6 ? [...ids.slice(0, 6), '…'] : ids;
  for (const i of component) {
    const state = list[i];
    if (!state) continue;
    const id = state.node.id;
    addIssue(state, {
      code: 'cycle',
      severity: 'error',
      nodeId: id,
      message:
        ids.length === 1
          ? `'${id}' feeds into itself — networks must flow one way (use an LSTM/GRU for recurrence)`
          : `'${id}' is part of a cycle (${shown.join(' → ')} → ${ids[0]}) — networks must flow one way`,
    });
  }
}

function inferNode(state: NodeState, states: ReadonlyMap<NodeId, NodeState>): void {
  const spec = state.spec;
  const inputs = state.accepted.map((e) => states.get(e.source)?.output);
  state.inputShapes = inputs;
  if (!spec || state.blocked) return;
  const brokenIndex = inputs.findIndex((s) => s === undefined);
  if (brokenIndex !== -1) {
    const edge = state.accepted[brokenIndex];
    addIssue(state, {
      code: 'upstream-error',
      severity: 'warning',
      nodeId: state.node.id,
      ...(edge ? { port: edge.targetPort, edgeId: edge.id } : {}),
      message: `Shape unknown: '${edge?.source ?? '?'}' above has a problem`,
    });
    return;
  }
  const shapes = inputs as Shape[];
  const result = spec.inferShape(shapes, state.params);
  if (!result.ok) {
    const edge = result.port !== undefined ? state.accepted[result.port] : undefined;
    addIssue(state, {
      code: 'shape-mismatch',
      severity: 'error',
      nodeId: state.node.id,
      ...(edge ? { port: edge.targetPort, edgeId: edge.id } : result.port !== undefined ? { port: result.port } : {}),
      message: result.message,
    });
    return;
  }
  const output = result.shape;
  if (output.some((d) => !Number.isInteger(d) || d <= 0)) {
    addIssue(state, {
      code: 'shape-mismatch',
      severity: 'error',
      nodeId: state.node.id,
      message: `${spec.label} would produce an empty shape ${formatShape(output)}`,
    });
    return;
  }
  state.output = output;
  state.params_ = spec.countParams(shapes, output, state.params);
  state.flops = spec.flops(shapes, output, state.params);
  state.activationBytes = spec.activationBytes ? spec.activationBytes(shapes, output, state.params) : product(output) * 4;
}
