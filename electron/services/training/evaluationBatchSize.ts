import type * as tfl from '@tensorflow/tfjs-layers';
import { leafLayers } from '../compiler/leafLayers';

/** Most rows evaluated at once (and the chunk size for models whose activations are small). */
export const MAX_EVAL_BATCH = 512;
/** Activation memory one evaluation chunk may take. */
export const EVAL_ACTIVATION_BUDGET_BYTES = 32 * 1024 * 1024;

/** float32 values one sample produces across every layer output (what a forward pass allocates for it). */
export function activationValuesPerSample(model: tfl.LayersModel): number {
  let values = 0;
  for (const layer of leafLayers(model)) {
    const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as (number | null)[][];
    for (const shape of shapes) values += shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  }
  return values;
}

/**
 * Rows per evaluation chunk. Evaluation keeps every layer's output of the chunk alive at once, and on wasm the memory
 * it grows never goes back to the system: 512 MNIST rows through bench/cnn.nbrick grew the heap by 135 MB and made
 * the run's peak RSS. So chunks are sized to keep activations under a budget (bench CNN: 512 → 148 rows); models
 * with small activations (MLPs) keep 512 rows and therefore exactly the metrics they had.
 */
export function evaluationBatchSize(model: tfl.LayersModel, budgetBytes = EVAL_ACTIVATION_BUDGET_BYTES): number {
  const perSample = Math.max(1, activationValuesPerSample(model)) * 4;
  return Math.max(1, Math.min(MAX_EVAL_BATCH, Math.floor(budgetBytes / perSample)));
}
