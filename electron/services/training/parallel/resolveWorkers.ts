import os from 'node:os';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingWorkers } from '../../../../shared/format/trainingConfig';
import type { BackendInfo } from '../../backends/selectBackend';
import { leafLayers } from '../../compiler/leafLayers';

/**
 * `auto` picks 2 workers only when a half batch has enough work to pay for the synchronisation and the weight-sized
 * work that both replicas repeat (optimizer update, gradient copies and averaging). Measured on wasm (bench/mlp.nbrick,
 * 270k weights): computing gradients costs ~2.5 ms fixed + ~0.054 ms per row and the Adam update ~1.8 ms, so halves
 * of 32 rows gain nothing and halves of 64+ rows gain 1.3×+; convolutions reuse each weight at every output position
 * and gain ~1.8–2× already at batch 64 (bench/cnn.nbrick). Hence two bars:
 *  - multiply-adds per half batch per weight ≥ AUTO_MIN_WEIGHT_REUSE (rows for dense nets, rows × positions for convs);
 *  - multiply-adds per half batch ≥ AUTO_MIN_MACS_PER_HALF_BATCH, so tiny models (xor, spirals) stay on one thread.
 *
 * Why bench/mlp.nbrick is fastest on one worker (issue 17; DataParallel.phases() per step, batch 64, Adam;
 * `node --import tsx bench/run.ts --one mlp wasm --workers 2`, 2026-12-06 on the shared 2-vCPU VM at load ≈ 5, so all
 * figures are inflated alike): 1 worker 5.7 ms/step (11.2k samples/s), 2 workers 7.8 ms/step (8.2k). The trainer's
 * forward/backward of its 32 rows took 3.3 ms — not half of the 1-worker step's ≈ 4.6 ms, because most of a dense
 * step is fixed per-op cost, not per-row work — then 1.5 ms waiting for the worker (which woke ≈ 1 ms after the trainer
 * and took 4.2 ms for its 32 rows), 1.0 ms averaging 270k gradients, 1.1 ms for the Adam update that both replicas
 * repeat, 0.3 ms sending the rows, 0.6 ms between steps. So it is not one thing: the weight-sized work that does not
 * split (averaging + apply ≈ 2.1 ms, more than the ≈ 1.3 ms of compute the split saves) is enough to lose on its own,
 * and the worker's wake-up lag adds to it. Synchronised BatchNorm adds two exchanges per BatchNorm layer and step; on
 * the same loaded VM they waited 2.6–3.4 ms per step (MLP) and 3.5–3.9 ms (CNN, one BatchNorm), about 1 ms of which
 * was only moved from the end-of-step wait. That does not move the MLP across the bar, and the bars stay where they
 * were: this MLP on one worker, every convolutional example on two. (On that VM under load, when the two threads got
 * one core between them, 2 workers lost on the CNN too, before and after synchronisation; on an idle machine they gain
 * 1.5× there, README's Performance table.)
 *
 * Revisited after each replica averages the gradients itself (2026-12-06 22:00–22:25 UTC, same VM at load 6–7, so
 * compared per CPU-second: `node --import tsx bench/run.ts --one <model> wasm --workers 1|2 --samples N --telemetry 0`,
 * 1 and 2 workers interleaved, best of 2–3): bench/mlp 4096 samples: 1 worker 8.2–10.2k samples per CPU-s, 2 workers
 * 4.6–5.3k (wall 2.6–4.2k against 4.0–6.7k) — still one worker. bench/lstm 2048: 1 worker 698–727 per CPU-s (wall
 * 352–409), 2 workers 416–428 (wall 176–268): a half batch of 32 rows costs nearly what 64 do, since an LSTM step is 28
 * time steps of small ops whose fixed cost does not shrink with the rows; counting its weights once per sample (not
 * once per time step) keeps it on one worker, which is right for it. examples/autoencoder (dense): 2 workers 6.0k
 * against 10.3k (last full bench). bench/cnn 2048: 2 workers 1.77k per CPU-s against 2.1k for one (0.84; earlier, with
 * each thread on its own core, 1.69× the wall-clock rate); bench/resnet20 1024: 168 against 195 (0.86) — both stay on
 * two.
 *
 * The LSTM again on an idle VM (2026-12-07 00:20 UTC, load < 1, after this session's kernel work; `bench/run.ts --one
 * lstm wasm --workers 1|2 --samples 2048`, interleaved twice): 1 worker 1,078 / 1,140 samples/s, 2 workers 1,391 /
 * 1,449 (+27–29 %; the full `npm run bench` just before: 1,120 against 1,350). Under load it lost because the two
 * threads shared a core — as the CNN did — and users' machines have more cores than this VM, so recurrent layers now
 * count their weights once per time step (28 for bench/lstm), which puts it on two workers. The MLP and the
 * autoencoder (dense) stay on one: idle, 17.3k / 19.6k samples/s on one worker against 12.0k / 14.5k on two.
 *
 * After the LSTM's gates became one kernel per step (compiler/fastLstm.ts; 2026-12-07 21:20 UTC, Xeon VM, idle,
 * `bench/run.ts --one lstm wasm --samples 2048 --workers 1|2`, interleaved three times): 1 worker 1,903 / 1,921 /
 * 2,178 samples/s, 2 workers 2,062 / 2,059 / 2,153 — a tie (the full bench minutes before: 2,535 against 2,186), so
 * the LSTM stays on two.
 */
export const AUTO_MIN_WEIGHT_REUSE = 64;
export const AUTO_MIN_MACS_PER_HALF_BATCH = 2_000_000;

/** Work of one half batch, for `auto`. */
export interface HalfBatchWork {
  readonly macs: number;
  readonly params: number;
}

/**
 * How many data-parallel replicas a run uses. Unset means `auto` (the default since BatchNorm is synchronised across
 * the replicas, issue 17: a 2-worker step computes what a 1-worker step does, so the choice is only about speed).
 * `auto` takes 2 only where it pays: a backend that runs single-threaded (wasm with 1 thread, cpu) on a machine with
 * at least 2 cores, and enough work per half batch (see above); threaded wasm already uses the cores. tfjs-node always
 * trains with 1: it already runs multi-threaded, and its native addon is not made to load in a second thread of the
 * same process.
 */
export function resolveWorkers(
  requested: TrainingWorkers | undefined,
  backend: Pick<BackendInfo, 'name' | 'threads'>,
  cores = os.cpus().length,
  work?: HalfBatchWork,
): 1 | 2 {
  if (requested === 1 || backend.name === 'tensorflow') return 1;
  if (requested === 2) return 2;
  const singleThreaded = backend.name === 'cpu' || (backend.name === 'wasm' && (backend.threads ?? 1) <= 1);
  const enoughWork =
    work === undefined || (work.macs >= AUTO_MIN_MACS_PER_HALF_BATCH && work.macs >= AUTO_MIN_WEIGHT_REUSE * Math.max(1, work.params));
  return singleThreaded && cores >= 2 && enoughWork ? 2 : 1;
}

const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN']);
const SPATIAL = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Conv1D', 'LocallyConnected2D', 'NeuralBricks>WSConv2D']);

/**
 * Rough forward multiply-adds per sample: a layer's parameters, times its output positions for convolutions (each
 * weight is used once per position), times its time steps for recurrent layers (each weight is used once per step), or
 * once for everything else. Only used to tell tiny models from real ones.
 */
export function estimateMacsPerSample(model: tfl.LayersModel): number {
  let macs = 0;
  for (const layer of leafLayers(model)) {
    const params = layer.countParams();
    if (params === 0) continue;
    const shape = layer.outputShape;
    const out = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    const name = layer.getClassName();
    let positions = 1;
    if (SPATIAL.has(name)) positions = out.slice(1, -1).reduce<number>((a, b) => a * (b ?? 1), 1);
    else if (RECURRENT.has(name)) {
      const input = layer.input as { shape: (number | null)[] } | { shape: (number | null)[] }[];
      const inShape = (Array.isArray(input) ? input[0]!.shape : input.shape);
      positions = inShape[1] ?? 1; // [batch, steps, features]
    }
    macs += params * positions;
  }
  return macs;
}
