/**
 * tfjs-layers' LSTM with the cell's gates as one kernel per time step (backends/wasmKernels/lstmGates.ts) instead of
 * ~17 small ops forward and ~30 backward. In the stock RNN loop the cell's pre-activation z = x·W + h·U + b is
 * computed exactly as the stock cell computes it (the same ops in the same order) and only what follows — split,
 * activations, products, the new carry and output — is fused; in the plain case the layer runs the sequence itself
 * with x·W + b for all time steps as one product (FastLSTM.call).
 *
 * Taken when the backend has the kernels (wasm, cpu), the activations are ones the kernel knows (tanh, sigmoid, relu,
 * linear; recurrent hardSigmoid, sigmoid, tanh, linear), there is no input or recurrent dropout, and the tensors are
 * float32 of rank 2; otherwise the stock cell's own call runs, so any configuration still trains as before.
 *
 * Class names, configs and weights are the stock layer's (LSTM, LSTMCell): saved models load in stock tfjs, and like
 * fastBatchNorm.ts the classes are deliberately not registered for deserialisation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import type { LSTM, LSTMCell, LSTMCellLayerArgs, LSTMLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/recurrent';
import {
  hasLstmGatesKernels,
  LSTM_GATE_ACTIVATIONS,
  LSTM_GATE_RECURRENT_ACTIVATIONS,
  NB_LSTM_GATES,
} from '../backends/wasmKernels/lstmGates';

/** The fields of the stock cell this one reads (private in tfjs-layers' typings). */
interface StockCellFields {
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  kernel: LayerVariable;
  recurrentKernel: LayerVariable;
  bias?: LayerVariable;
}

type CellKwargs = Parameters<LSTMCell['call']>[1];

function stockClass<T>(className: string): T {
  void layers.lstm; // importing tfjs-layers registered the classes
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`tfjs-layers did not register ${className}`);
  return entry[0] as unknown as T;
}

const StockLSTMCell = stockClass<typeof LSTMCell>('LSTMCell');
const StockLSTM = stockClass<typeof LSTM>('LSTM');

let sequencePath = process.env['NB_LSTM_SEQUENCE'] !== '0';

/** For tests and A/B runs: FastLSTM's whole-sequence path (NB_LSTM_SEQUENCE=0 starts with it off). */
export function setLstmSequenceEnabled(on: boolean): void {
  sequencePath = on;
}

/** Cell calls that took the fused gates in this process (tests check the path they meant to run did). */
export const fastLstmStats = { fusedSteps: 0 };

export class FastLSTMCell extends StockLSTMCell {
  static override className = 'LSTMCell';

  constructor(args: LSTMCellLayerArgs) {
    super(args);
  }

  /** The activations' names when the fused gates can run this cell on the current backend, else undefined. */
  fusedActivations(): { activation: string; recurrentActivation: string } | undefined {
    const self = this as unknown as StockCellFields;
    const activation = self.activation.getClassName();
    const recurrentActivation = self.recurrentActivation.getClassName();
    const ok = !(self.dropout > 0 && self.dropout < 1) && !(self.recurrentDropout > 0 && self.recurrentDropout < 1) &&
      (LSTM_GATE_ACTIVATIONS as readonly string[]).includes(activation) &&
      (LSTM_GATE_RECURRENT_ACTIVATIONS as readonly string[]).includes(recurrentActivation) &&
      hasLstmGatesKernels(tf.getBackend());
    return ok ? { activation, recurrentActivation } : undefined;
  }

  /** One step from z = x·W + b (already computed, zx) and the previous state: z = zx + h·U, then the fused gates. */
  fusedStep(zx: tf.Tensor, hPrev: tf.Tensor | undefined, cPrev: tf.Tensor, activations: { activation: string; recurrentActivation: string }): [tf.Tensor, tf.Tensor] {
    const self = this as unknown as StockCellFields;
    // No previous output (the first step, whose state is zeros): h·U is zero, so z is zx itself.
    const z = hPrev === undefined ? zx : tf.add(zx, tf.fused.matMul({ a: hPrev, b: self.recurrentKernel.read(), transposeA: false, transposeB: false }));
    fastLstmStats.fusedSteps++;
    return tf.engine().runKernel(NB_LSTM_GATES, { z, c: cPrev }, activations) as [tf.Tensor, tf.Tensor];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CellKwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as StockCellFields;
    const [x, hPrev, cPrev] = Array.isArray(inputs) ? inputs : [];
    const activations = x !== undefined && hPrev !== undefined && cPrev !== undefined && (inputs as tf.Tensor[]).length === 3 &&
      [x, hPrev, cPrev].every((t) => t.rank === 2 && t.dtype === 'float32') ? this.fusedActivations() : undefined;
    if (!activations) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      // The stock cell's z, op for op: dot(x, W) + dot(h, U), then biasAdd (tfjs-layers K.dot is fused.matMul for 2-D).
      let z = tf.add(
        tf.fused.matMul({ a: x!, b: self.kernel.read(), transposeA: false, transposeB: false }),
        tf.fused.matMul({ a: hPrev!, b: self.recurrentKernel.read(), transposeA: false, transposeB: false }),
      );
      if (self.useBias && self.bias) z = tf.add(z, self.bias.read());
      fastLstmStats.fusedSteps++;
      const [h, c] = tf.engine().runKernel(NB_LSTM_GATES, { z, c: cPrev! }, activations) as [tf.Tensor, tf.Tensor];
      return [h, h, c];
    });
  }
}

/** The stock RNN layer's fields the sequence path reads. */
interface StockRnnFields {
  cell: FastLSTMCell;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
}

type LayerKwargs = Parameters<LSTM['call']>[1];

export class FastLSTM extends StockLSTM {
  static override className = 'LSTM';

  constructor(args: LSTMLayerArgs) {
    // The stock constructor sets args.cell to a stock LSTMCell; give the layer ours instead, built from the same
    // arguments under the same name (so its weights are named as the stock cell's would be).
    super({ ...args });
    const stockCell = (this as unknown as { cell: LSTMCell }).cell;
    (this as unknown as { cell: LSTMCell }).cell = new FastLSTMCell({ ...args, name: stockCell.name });
  }

  /**
   * The whole sequence with the input's part of z computed at once: x·W + b for every time step as one matrix
   * product and one bias add over [time·batch, features] (time-major rows), then per step z = that + h·U and the
   * fused gates. Per step this saves a small product, a bias add, and in the backward pass a product for W's gradient
   * plus the additions that sum W's and b's per-step gradients; one Unpack of the product (and one Pack of its
   * gradient) take the place of tfjs-layers' Unpack of the input. The sum is grouped (x·W + b) + h·U instead of the stock (x·W + h·U) + b: float rounding differs in the
   * last bits. Taken for the plain case — no mask, no initial state, not stateful, not backwards, no returned state,
   * a fusable cell — else the stock RNN loop runs (with the fused cell where it applies). NB_LSTM_SEQUENCE=0 turns
   * this path off (A/B).
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as StockRnnFields;
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const plain = sequencePath && x !== undefined && x.rank === 3 && x.shape[1]! > 0 && x.dtype === 'float32' && kwargs?.['mask'] == null &&
      kwargs?.['initialState'] == null && !self.stateful && !self.goBackwards && !self.returnState;
    const activations = plain ? self.cell.fusedActivations() : undefined;
    if (!activations || !x) return super.call(inputs, kwargs);
    const cell = self.cell as unknown as StockCellFields & { units: number };
    return tf.tidy(() => {
      const [batch, time, features] = x.shape as [number, number, number];
      const units = cell.units;
      const rows = tf.reshape(tf.transpose(x, [1, 0, 2]), [time * batch, features]);
      let zx = tf.fused.matMul({ a: rows, b: cell.kernel.read(), transposeA: false, transposeB: false });
      if (cell.useBias && cell.bias) zx = tf.add(zx, cell.bias.read());
      const perStep = tf.unstack(tf.reshape(zx, [time, batch, 4 * units]));
      // The stock initial state is zeros; the first step skips its h·U (a product of zeros: the same z, and two
      // products fewer in the backward pass).
      let h: tf.Tensor | undefined;
      let c = tf.zeros([batch, units]);
      const outputs: tf.Tensor[] = [];
      for (let t = 0; t < time; t++) {
        [h, c] = self.cell.fusedStep(perStep[t]!, h, c, activations);
        if (self.returnSequences) outputs.push(h);
      }
      return self.returnSequences ? tf.stack(outputs, 1) : h!;
    });
  }
}

/** Factory with the signature of tf.layers.lstm. */
export function fastLstm(args: LSTMLayerArgs): LSTM {
  return new FastLSTM(args);
}
