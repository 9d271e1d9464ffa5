import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { deferredWork } from './wasmKernels/deferredWork';

/**
 * Backpropagation that frees memory as it goes. tfjs-core's `Engine.gradients` (tape.ts backpropagateGradients) keeps
 * every tensor of the backward pass until the pass ends: each op's saved forward activations and every intermediate
 * gradient (the dy of every activation) are disposed only by the enclosing tidy at the very end. Training a network
 * therefore peaks at "all activations + all their gradients" — for the bench ResNet-20 at 32 rows, 131 MB live in the
 * wasm heap at the last filter gradient, and tfjs' wasm heap never shrinks after growing to that.
 *
 * This is the same algorithm (same tape filtering, the same ops in the same order, so the same bits) with three
 * disposals as soon as nothing can use the tensor any more, each only when it is not referenced by another gradient:
 *  - a node's dy (the accumulated gradient of its outputs) once the node's input gradients are computed: only the
 *    node that produced a tensor consumes that tensor's gradient;
 *  - a node's saved tensors (clones the tape keeps for its gradient function) at the same point;
 *  - the two terms once a second gradient for the same tensor is added up (fan-out, residual connections).
 * Only at gradient depth 0 (not for higher-order gradients, where the outer tape still needs them), exactly when tfjs
 * itself frees the saved tensors at the end. A user-given dy and the returned gradients are never disposed.
 * NB_EAGER_BACKPROP=0 leaves tfjs' own `gradients` in place (for A/B).
 */

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  saved?: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T;
  makeTensor(values: Float32Array, shape: number[], dtype: 'float32'): Tensor;
  gradients: EagerGradients;
}

type EagerGradients = (
  f: () => Tensor,
  xs: Tensor[],
  dy?: Tensor,
  allowNoGradients?: boolean,
) => { value: Tensor; grads: Tensor[] };

/** tfjs-core's getFilteredNodesXToY (tape.ts), unchanged: the nodes on a path from any of `xs` to `y`, inputs pruned. */
function filteredNodesXToY(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const tensorsFromX: Record<number, boolean> = {};
  const nodesFromX: Record<number, boolean> = {};
  for (const x of xs) tensorsFromX[x.id] = true;
  for (const node of tape) {
    for (const inputName in node.inputs) {
      if (tensorsFromX[node.inputs[inputName]!.id]) {
        for (const output of node.outputs) tensorsFromX[output.id] = true;
        nodesFromX[node.id] = true;
        break;
      }
    }
  }
  const tensorsLeadToY: Record<number, boolean> = { [y.id]: true };
  const nodesToY: Record<number, boolean> = {};
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => tensorsLeadToY[o.id])) {
      for (const inputName in node.inputs) {
        tensorsLeadToY[node.inputs[inputName]!.id] = true;
        nodesToY[node.id] = true;
      }
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX[node.id] || !nodesToY[node.id]) continue;
    const inputs: Record<string, Tensor> = {};
    for (const inputName in node.inputs) {
      const input = node.inputs[inputName]!;
      if (tensorsFromX[input.id]) inputs[inputName] = input;
    }
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}

/** A convolution's tape node (fused.conv2d records FusedConv2D; both name the weight input `filter`). */
const CONVOLUTION = new Set(['Conv2D', 'FusedConv2D']);

/**
 * Nodes whose filter gradient may be computed later (wasmKernels/deferredWork.ts): convolutions whose `filter` is one
 * of `xs` and read by no other node — its gradient is only returned, never added to or read during the pass. (A
 * computed filter, e.g. a weight-standardised one, has its gradient read right away: not deferred.)
 */
function deferrableNodes(tape: TapeNode[], xs: Tensor[]): Set<TapeNode> {
  const wanted = new Set(xs.map((x) => x.id));
  const readers = new Map<number, number>();
  for (const node of tape) for (const name in node.inputs) readers.set(node.inputs[name]!.id, (readers.get(node.inputs[name]!.id) ?? 0) + 1);
  const nodes = new Set<TapeNode>();
  for (const node of tape) {
    const filter = node.inputs['filter'];
    if (CONVOLUTION.has(node.kernelName) && filter && wanted.has(filter.id) && readers.get(filter.id) === 1) nodes.add(node);
  }
  return nodes;
}

/**
 * tfjs-core's backpropagateGradients with the disposals described above (when `eager`). `keep` holds tensors that
 * must survive (a user-given dy). Nodes in `deferrable` run their gradient inside deferredWork.allow (their filter
 * gradient may be filled in later; the caller flushes before reading).
 */
function backpropagate(
  engine: EngineInternals,
  gradientOf: Map<number, Tensor>,
  tape: TapeNode[],
  eager: boolean,
  keep: ReadonlySet<Tensor>,
  deferrable: ReadonlySet<TapeNode> = new Set(),
): void {
  // How many entries of `gradientOf` hold each tensor (a gradient function may return its dy, or one tensor twice).
  const refs = new Map<Tensor, number>();
  const ref = (t: Tensor) => refs.set(t, (refs.get(t) ?? 0) + 1);
  const unref = (t: Tensor) => refs.set(t, (refs.get(t) ?? 1) - 1);
  for (const t of gradientOf.values()) ref(t);
  const free = (t: Tensor) => {
    if (!keep.has(t) && !(refs.get(t)! > 0)) t.dispose();
  };
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    const dys = node.outputs.map((o) => gradientOf.get(o.id) ?? null);
    if (node.gradient == null) {
      throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    }
    const gradient = node.gradient;
    const run: <T>(f: () => T) => T = deferrable.has(node) ? (f) => deferredWork.allow(f) : (f) => f();
    const inputGradients = run(() => gradient(dys));
    const done: Tensor[] = [];
    for (const inputName in node.inputs) {
      if (!(inputName in inputGradients)) {
        throw new Error(`Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(inputGradients)}.`);
      }
      const dx = run(() => engine.tidy(() => inputGradients[inputName]!()));
      if (dx.dtype !== 'float32') {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      }
      const x = node.inputs[inputName]!;
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
        );
      }
      const current = gradientOf.get(x.id);
      if (current == null) {
        gradientOf.set(x.id, dx);
        ref(dx);
      } else {
        const sum = tf.add(current, dx);
        gradientOf.set(x.id, sum);
        ref(sum);
        unref(current);
        if (eager) done.push(current, dx);
        else current.dispose(); // what tfjs does
      }
    }
    if (!eager) continue;
    for (const o of node.outputs) {
      const dy = gradientOf.get(o.id);
      if (dy === undefined) continue;
      gradientOf.delete(o.id);
      unref(dy);
      done.push(dy);
    }
    // After the dys: a saved tensor returned as a gradient as it is stays referenced and is not freed.
    for (const t of done) free(t);
    for (const t of node.saved ?? []) free(t);
  }
}

function eagerGradients(this: EngineInternals, f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients = false) {
  tf.util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = this.scopedRun(
    () => this.startTape(),
    () => this.endTape(),
    () => this.tidy('forward', f),
  );
  tf.util.assert(y instanceof tf.Tensor, () => 'The result y returned by f() must be a tensor.');
  const filtered = filteredNodesXToY(this.state.activeTape!, xs, y);
  if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
    throw new Error(
      'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
    );
  }
  return this.tidy('backward', () => {
    const gradientOf = new Map<number, Tensor>();
    const n = tf.util.sizeFromShape(y.shape);
    gradientOf.set(y.id, dy ?? this.makeTensor(new Float32Array(n).fill(1), y.shape, 'float32'));
    // Returned gradients are never freed: xs are not outputs of tape nodes, so their entries are never consumed.
    const eager = this.state.gradientDepth === 0;
    // Deferring only at depth 0 (a higher-order tape would record the unfilled buffer's readers).
    const deferrable = eager ? deferrableNodes(filtered, xs) : new Set<TapeNode>();
    try {
      backpropagate(this, gradientOf, filtered, eager, new Set(dy ? [dy] : []), deferrable);
      deferredWork.flush();
    } finally {
      deferredWork.discard();
    }
    const grads = xs.map((x) => gradientOf.get(x.id)!);
    if (this.state.gradientDepth === 0) {
      for (const node of this.state.activeTape!) for (const t of node.saved ?? []) t.dispose();
      this.state.activeTape = null;
    }
    return { value: y, grads };
  });
}

let installed = false;

/** Replaces the engine's `gradients` with the eager-disposal version above. Idempotent; NB_EAGER_BACKPROP=0 skips it. */
export function installEagerBackprop(): void {
  if (installed || process.env.NB_EAGER_BACKPROP === '0') return;
  (tf.engine() as unknown as EngineInternals).gradients = eagerGradients;
  installed = true;
}
