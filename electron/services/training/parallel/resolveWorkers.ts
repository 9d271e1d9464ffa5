import os from 'node:os';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingWorkers } from '../../../../shared/format/trainingConfig';
import type { BackendInfo } from '../../backends/selectBackend';

/**
 * Below this many multiply-adds per half batch, a step is so short that synchronising two threads costs more than it
 * saves (spirals' 3×64 MLP trains at ~23k samples/s on one thread and ~13k on two); the reference MLP (~9M per half
 * batch of 32) and CNN (~60M) are far above it.
 */
export const AUTO_MIN_MACS_PER_HALF_BATCH = 2_000_000;

/**
 * How many data-parallel replicas a run uses. `auto` takes 2 only where it pays: a backend that runs single-threaded
 * (wasm with 1 thread, cpu) on a machine with at least 2 cores, and a model with enough work per step
 * (`macsPerHalfBatch`, see estimateMacsPerSample); threaded wasm already uses the cores.
 * tfjs-node always trains with 1: it already runs multi-threaded, and its native addon is not made to load in a
 * second thread of the same process.
 */
export function resolveWorkers(
  requested: TrainingWorkers | undefined,
  backend: Pick<BackendInfo, 'name' | 'threads'>,
  cores = os.cpus().length,
  macsPerHalfBatch = Infinity,
): 1 | 2 {
  if (requested === 1 || requested === undefined || backend.name === 'tensorflow') return 1;
  if (requested === 2) return 2;
  const singleThreaded = backend.name === 'cpu' || (backend.name === 'wasm' && (backend.threads ?? 1) <= 1);
  return singleThreaded && cores >= 2 && macsPerHalfBatch >= AUTO_MIN_MACS_PER_HALF_BATCH ? 2 : 1;
}

const SPATIAL = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Conv1D', 'LocallyConnected2D']);

/**
 * Rough forward multiply-adds per sample: a layer's parameters, times its output positions for convolutions (each
 * weight is used once per position), or once for everything else. Only used to tell tiny models from real ones.
 */
export function estimateMacsPerSample(model: tfl.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const params = layer.countParams();
    if (params === 0) continue;
    const shape = layer.outputShape;
    const out = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    const positions = SPATIAL.has(layer.getClassName()) ? out.slice(1, -1).reduce<number>((a, b) => a * (b ?? 1), 1) : 1;
    macs += params * positions;
  }
  return macs;
}
