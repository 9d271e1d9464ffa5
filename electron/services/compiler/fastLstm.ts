/**
 * tfjs-layers' LSTM with the cell's gates as one kernel per time step (backends/wasmKernels/lstmGates.ts) instead of
 * ~17 small ops forward and ~30 backward. The cell's pre-activation z = x·W + h·U + b is computed exactly as the stock
 * cell computes it (the same ops in the same order); only what follows — split, activations, products, the new
 * carry and output — is fused.
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

/** Cell calls that took the fused gates in this process (tests check the path they meant to run did). */
export const fastLstmStats = { fusedSteps: 0 };

export class FastLSTMCell extends StockLSTMCell {
  static override className = 'LSTMCell';

  constructor(args: LSTMCellLayerArgs) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CellKwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as StockCellFields;
    const activation = self.activation.getClassName();
    const recurrentActivation = self.recurrentActivation.getClassName();
    const [x, hPrev, cPrev] = Array.isArray(inputs) ? inputs : [];
    const fused = x !== undefined && hPrev !== undefined && cPrev !== undefined && (inputs as tf.Tensor[]).length === 3 &&
      !(self.dropout > 0 && self.dropout < 1) && !(self.recurrentDropout > 0 && self.recurrentDropout < 1) &&
      (LSTM_GATE_ACTIVATIONS as readonly string[]).includes(activation) &&
      (LSTM_GATE_RECURRENT_ACTIVATIONS as readonly string[]).includes(recurrentActivation) &&
      [x, hPrev, cPrev].every((t) => t.rank === 2 && t.dtype === 'float32') &&
      hasLstmGatesKernels(tf.getBackend());
    if (!fused) return super.call(inputs, kwargs);
    fastLstmStats.fusedSteps++;
    return tf.tidy(() => {
      // The stock cell's z, op for op: dot(x, W) + dot(h, U), then biasAdd (tfjs-layers K.dot is fused.matMul for 2-D).
      let z = tf.add(
        tf.fused.matMul({ a: x, b: self.kernel.read(), transposeA: false, transposeB: false }),
        tf.fused.matMul({ a: hPrev, b: self.recurrentKernel.read(), transposeA: false, transposeB: false }),
      );
      if (self.useBias && self.bias) z = tf.add(z, self.bias.read());
      const [h, c] = tf.engine().runKernel(NB_LSTM_GATES, { z, c: cPrev }, { activation, recurrentActivation }) as [tf.Tensor, tf.Tensor];
      return [h, h, c];
    });
  }
}

export class FastLSTM extends StockLSTM {
  static override className = 'LSTM';

  constructor(args: LSTMLayerArgs) {
    // The stock constructor sets args.cell to a stock LSTMCell; give the layer ours instead, built from the same
    // arguments under the same name (so its weights are named as the stock cell's would be).
    super({ ...args });
    const stockCell = (this as unknown as { cell: LSTMCell }).cell;
    (this as unknown as { cell: LSTMCell }).cell = new FastLSTMCell({ ...args, name: stockCell.name });
  }
}

/** Factory with the signature of tf.layers.lstm. */
export function fastLstm(args: LSTMLayerArgs): LSTM {
  return new FastLSTM(args);
}
