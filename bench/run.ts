/**
 * `npm run bench`: end-to-end training throughput of the reference graphs (bench/mlp.nbrick, bench/cnn.nbrick,
 * bench/resnet20.nbrick, bench/lstm.nbrick, examples/autoencoder.nbrick) through the real pipeline (file → compileGraph
 * → the trainer's batch loop), Adam, batch 64, MNIST data, on every available backend; the same models in PyTorch for a
 * ratio (when /usr/bin/python3 imports torch; each model right before our rows of it); the trainer's pause/stop latency on a LeNet-style CNN; and CATALOG's
 * inference benchmark when bench/inference.ts exists.
 *
 *   npm run bench [-- --models mlp,cnn,resnet20,lstm,autoencoder] [--backends tensorflow,wasm,cpu] [--samples 4096]
 *                 [--no-pytorch] [--no-latency] [--rounds N]
 *                 [--latency-only] [--no-parallel] [--no-telemetry] [--only data] [--no-data]
 *                 [--data-images 50000] [--data-rows 1000000] [--no-data-train]
 *
 * wasm is also timed with 2 data-parallel workers (training/parallel) as its own row, backend "wasm×2", right after the
 * 1-worker row so the two are measured back to back (--no-parallel skips it); the config is the same except `workers`.
 *
 * Timing: `--samples` MNIST samples per epoch (default 4096 = 64 batches, the same count PyTorch times per pass; the
 * slow ResNet-20 and LSTM time fewer, see SAMPLES_CAP — rows and PyTorch say how many in `samples`); epoch
 * 1 warms up (kernel compilation, allocation, JIT), then 3 epochs are timed through the real pipeline (gather, shuffle,
 * callbacks) and the fastest is reported — as PyTorch reports its fastest of 3 passes — with the median beside it.
 * `--rounds N` (default 1) repeats, per model, the PyTorch twin and then our wasm rows N times and reports each side's
 * fastest round (a row's `rounds` lists every round's rate): on a shared VM whose speed drifts 10–25 % over minutes,
 * one round can catch PyTorch and our rows in different stretches.
 *
 * Output: one JSON line per result, then a final JSON array of all results. Every training row has samplesPerSec,
 * ratioVsPytorch (vs the PyTorch row of the same run) and peakRssMB (each (model, backend) pair runs in its own
 * process, so this is that pair's own peak); wasm×2 rows add `phasesMsPerStep`, where each thread's time went in the
 * fastest timed epoch (training/parallel/replicaLayout.ts says what each phase is). Every row also carries `params`
 * (trainable parameters of our compiled graph) and `pytorchParams` (its PyTorch twin's): the bench fails when they
 * differ, so a ratio always compares the same architecture. A final `summary` row checks the goals: issue 6's (best
 * wasm ratio ≥ 0.5, CNN peak RSS) and issue 17's (ratio ≥ 1.0 at default settings — the backend `auto` would pick,
 * tensorflow else wasm, with the workers `auto` picks for the model — on mlp, cnn and resnet20); `defaultSettings`
 * lists every model's such row.
 *
 * Telemetry (issue 11): every row trains as the app does by default, with telemetry `auto` (rows say how many
 * telemetry samples were taken). A `telemetry` row times the CNN on wasm with telemetry off and at the default,
 * alternating (off, default, off, default) so machine load hits both alike, and reports the overhead of the
 * default against the 5 % bar (--no-telemetry skips it).
 *
 * Data loading (issue 14), last, or alone with `--only data` (`--no-data` skips it): a generated folder of 50,000 32×32
 * RGB PNGs scanned, loaded and turned into floats, then one epoch of a small CNN trained on it through runTraining
 * (bench/data/imageBench.ts; loading and training each in their own process; `--no-data-train` skips the epoch), and a
 * generated 1,000,000 × 20 CSV loaded (bench/data/tableBench.ts, in its own process), each row with times and peak RSS,
 * then a `data-summary` row checking both against the 1.5 GB bar. `--data-images` / `--data-rows` change the sizes.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { TrainerEvent } from '../shared/contracts/trainer';
import type { ParallelPhases } from '../electron/services/training/parallel/DataParallel';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../shared/format/trainingConfig';
import { BackendUnavailableError, selectBackend, type BackendInfo, type BackendName } from '../electron/services/backends/selectBackend';
import { estimateMacsPerSample, resolveWorkers } from '../electron/services/training/parallel/resolveWorkers';
import { readGraphFile } from '../electron/services/files/readGraphFile';
import { compileGraph } from '../electron/services/compiler/compileGraph';
import { runTraining } from '../electron/services/training/runTraining';
import { MNIST_TRAIN_SIZE } from '../electron/services/datasets/mnistDigits';
import { TrainingHost } from '../electron/services/training/TrainingHost';
import { pytorchAvailable, timePytorch, type PytorchTiming, type ReferenceModel } from './kernels';
import { IMAGE_BENCH_GOAL_RSS_MB, benchImageLoading } from './data/imageBench';
import { describeMachine } from './machine';
import { nativeKernels, nativeKernelsUnavailableReason } from '../electron/services/backends/wasmKernels/native/nativeKernels';


const HERE = path.dirname(fileURLToPath(import.meta.url));
const ALL_BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];
type Result = Record<string, unknown>;

/** Where each reference model's graph lives (the autoencoder is the shipped example itself). */
const MODEL_FILES: Record<ReferenceModel, string> = {
  mlp: path.join(HERE, 'mlp.nbrick'),
  cnn: path.join(HERE, 'cnn.nbrick'),
  resnet20: path.join(HERE, 'resnet20.nbrick'),
  lstm: path.join(HERE, 'lstm.nbrick'),
  autoencoder: path.join(HERE, '..', 'examples', 'autoencoder.nbrick'),
};
const DEFAULT_MODELS: readonly ReferenceModel[] = ['mlp', 'cnn', 'resnet20', 'lstm', 'autoencoder'];

/**
 * Samples per epoch are capped for the slow models so `npm run bench` stays minutes, not tens of minutes: ResNet-20
 * costs ~64 MFLOP forward per sample (≈ 16× the CNN) and the LSTM runs 28 dependent steps. PyTorch times the same
 * count for that model, so the ratio compares like with like.
 */
const SAMPLES_CAP: Partial<Record<ReferenceModel, number>> = { resnet20: 1024, lstm: 2048 };
const samplesFor = (model: ReferenceModel, samples: number): number => Math.min(samples, SAMPLES_CAP[model] ?? samples);

/** The pure-JS cpu backend is ~10–1000× slower: fewer samples there, and none for ResNet-20 (≈ 0.3 samples/s). */
const CPU_SAMPLES: Record<ReferenceModel, number> = { mlp: 384, cnn: 128, resnet20: 0, lstm: 128, autoencoder: 384 };

/** Issue 17's goal: at default settings (workers auto), at least PyTorch's samples/s on these models. */
const ISSUE17_GOAL_RATIO = 1.0;
const ISSUE17_MODELS: readonly ReferenceModel[] = ['mlp', 'cnn', 'resnet20'];

/** Trainable parameters of the compiled graph (what PyTorch's `p.numel()` over requires_grad parameters counts). */
function trainableParams(file: string, graph: Parameters<typeof compileGraph>[0], backend?: BackendInfo): { params: number; autoWorkers?: 1 | 2 } {
  const compiled = compileGraph(graph, { seed: 1 });
  try {
    const params = compiled.model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);
    if (!backend) return { params };
    // What a run that never mentions workers gets (the default, `auto`): runTraining's own decision for batch 64.
    const work = { macs: estimateMacsPerSample(compiled.model) * 32, params: compiled.model.countParams() };
    return { params, autoWorkers: resolveWorkers(undefined, backend, undefined, work) };
  } catch (error) {
    throw new Error(`${file}: cannot count parameters: ${String(error)}`);
  } finally {
    compiled.model.dispose();
  }
}

function arg(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * Timed epochs after the warm-up one. The fastest is reported, like PyTorch's fastest of 3 timed passes
 * (bench/pytorch_ref.py), so both sides are measured the same way; the median is printed beside it. The pure-JS cpu
 * backend (ratio ≈ 0.001–0.04, shown for scale) times one.
 */
const timedEpochs = (backend: BackendName): number => (backend === 'cpu' ? 1 : 3);

type TelemetrySetting = 'auto' | number;
const benchConfig = (backend: BackendName, workers: 1 | 2 = 1, telemetry: TelemetrySetting = 'auto'): TrainingConfig => ({
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'mnist',
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 64,
  epochs: 1 + timedEpochs(backend),
  validationSplit: 0,
  shuffle: true,
  seed: 1,
  backend,
  workers,
  ...(telemetry === 'auto' ? {} : { telemetryEvery: telemetry }),
});
/** Issue 11's bar: telemetry at its default interval costs at most 5 % of the CNN's training throughput. */
const TELEMETRY_OVERHEAD_LIMIT = 0.05;

/** The 600 MB peak-RSS bar of issue 6 (training the CNN). */
const RSS_LIMIT_MB = 600;
const TARGET_RATIO = 0.5;

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Per-step milliseconds of each parallel phase between two snapshots (the timed epoch). */
function phasesPerStep(a: ParallelPhases, b: ParallelPhases): Result {
  const steps = b.steps - a.steps;
  const workerSteps = b.workerSteps - a.workerSteps;
  const per = <K extends string>(x: Record<K, number>, y: Record<K, number>, n: number) =>
    Object.fromEntries(Object.keys(x).map((k) => [k, round2((y[k as K] - x[k as K]) / Math.max(1, n))]));
  return {
    steps,
    trainer: per(a.trainer, b.trainer, steps),
    worker: per(a.worker, b.worker, workerSteps),
    // The part of each `compute` spent waiting for the other thread's BatchNorm statistics (synchronised BatchNorm).
    syncWait: { trainer: round2((b.syncWait.trainer - a.syncWait.trainer) / Math.max(1, steps)), worker: round2((b.syncWait.worker - a.syncWait.worker) / Math.max(1, workerSteps)) },
  };
}

/** Child mode: one (model, backend) pair. Epoch 1 warms up (kernel compilation, allocation); the rest are timed. */
async function runOne(model: ReferenceModel, backend: BackendName, samples: number, workers: 1 | 2, telemetry: TelemetrySetting = 'auto'): Promise<Result> {
  const label = workers === 2 ? `${backend}×2` : backend;
  let backendInfo: BackendInfo;
  try {
    backendInfo = await selectBackend(backend);
  } catch (error) {
    if (error instanceof BackendUnavailableError) return { model, backend: label, skipped: error.message };
    throw error;
  }
  const file = MODEL_FILES[model];
  if (!file) throw new Error(`unknown model '${model}' (expected one of ${Object.keys(MODEL_FILES).join(', ')})`);
  const read = await readGraphFile(file);
  if (!read.ok) throw new Error(read.error.message);
  const epochEnds: number[] = [];
  const cpuAtEpochEnd: number[] = [];
  const phasesAtEpochEnd: ParallelPhases[] = [];
  let parallel: { phases(): ParallelPhases } | undefined;
  let telemetrySamples = 0;
  const { summary } = await runTraining(read.file.graph, { id: 'mnist', options: { limit: samples } }, benchConfig(backend, workers, telemetry), {
    onParallel: (p) => (parallel = p),
    callbacks: {
      onTelemetry: () => telemetrySamples++,
      onEpoch: () => {
        epochEnds.push(performance.now());
        const cpu = process.cpuUsage(); // all threads of this process (the replica worker too)
        cpuAtEpochEnd.push((cpu.user + cpu.system) / 1000);
        if (parallel) phasesAtEpochEnd.push(parallel.phases());
      },
    },
  });
  if (workers === 2 && !parallel) throw new Error(`${model}/${label}: the run did not use 2 workers`);
  const timed = timedEpochs(backend);
  if (epochEnds.length < 1 + timed) throw new Error(`${model}/${label}: run ended early (${summary.status})`);
  // Epoch i (1-based, after the warm-up) runs from epochEnds[i - 1] to epochEnds[i].
  const epochs = Array.from({ length: timed }, (_, k) => ({ i: k + 1, ms: epochEnds[k + 1]! - epochEnds[k]! }));
  const best = epochs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const sortedMs = epochs.map((e) => e.ms).sort((a, b) => a - b);
  const medianMs = sortedMs[Math.floor(sortedMs.length / 2)]!;
  const cpuMs = cpuAtEpochEnd[best.i]! - cpuAtEpochEnd[best.i - 1]!;
  const rate = (ms: number) => Math.round((samples / (ms / 1000)) * 10) / 10;
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024); // before compiling the copy params counts
  return {
    model,
    backend: label,
    workers,
    samplesPerSec: rate(best.ms),
    medianSamplesPerSec: rate(medianMs),
    timedEpochs: timed,
    // Load-independent view: CPU time of the fastest timed epoch. cpuBusy ≈ 1 for one thread, up to 2 with two workers
    // that both got a core; samplesPerCpuSec shows the parallel overhead (the same value for 1 and 2 workers = none).
    cpuBusy: Math.round((cpuMs / best.ms) * 100) / 100,
    samplesPerCpuSec: Math.round((samples / (cpuMs / 1000)) * 10) / 10,
    peakRssMB,
    samples,
    ...trainableParams(file, read.file.graph, backendInfo),
    batchSize: 64,
    loss: Math.round(summary.final.loss * 1e4) / 1e4,
    telemetry,
    telemetrySamples,
    steps: (1 + timed) * Math.ceil(samples / 64),
    ...(phasesAtEpochEnd.length > best.i ? { phasesMsPerStep: phasesPerStep(phasesAtEpochEnd[best.i - 1]!, phasesAtEpochEnd[best.i]!) } : {}),
  };
}

async function runChild(model: ReferenceModel, backend: BackendName, samples: number, workers: 1 | 2 = 1, telemetry: TelemetrySetting = 'auto'): Promise<Result> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', model, backend, '--samples', String(samples), '--workers', String(workers), '--telemetry', String(telemetry)],
    { timeout: 600_000, maxBuffer: 1 << 22 },
  );
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${model}/${backend}: no result from the child process`);
  return JSON.parse(line) as Result;
}

/** Pause and stop latency (request → event back at the host) on the LeNet-style CNN in a real trainer process. */
async function measureLatency(backend: BackendName, trials: number): Promise<Result> {
  const lenet = await readGraphFile(path.join(HERE, '..', 'examples', 'lenet.nbrick'));
  if (!lenet.ok) throw new Error(lenet.error.message);
  const host = new TrainingHost();
  const next = (predicate: (e: TrainerEvent) => boolean) =>
    new Promise<TrainerEvent>((resolve) => {
      const off = host.onEvent((e) => {
        if (predicate(e)) {
          off();
          resolve(e);
        }
      });
    });
  const pauseMs: number[] = [];
  const stopMs: number[] = [];
  try {
    for (let trial = 0; trial < trials; trial++) {
      const batches = next((e) => e.type === 'batch' && e.batch >= 5);
      const runId = await host.start({ graph: lenet.file.graph, config: { ...benchConfig(backend), epochs: 5, validationSplit: 0.1 } });
      const started = await Promise.race([batches, next((e) => e.type === 'failed')]);
      if (started.type === 'failed') throw new Error(started.reason);
      let t = performance.now();
      const paused = next((e) => e.type === 'paused');
      host.pause(runId);
      await paused;
      pauseMs.push(performance.now() - t);
      const resumed = next((e) => e.type === 'batch');
      host.resume(runId);
      await resumed;
      t = performance.now();
      const finished = next((e) => e.type === 'finished' || e.type === 'failed');
      host.stop(runId);
      await finished;
      stopMs.push(performance.now() - t);
    }
  } finally {
    await host.dispose();
  }
  const round = (xs: number[]) => xs.map((x) => Math.round(x));
  return {
    kind: 'latency',
    model: 'lenet',
    backend,
    pauseMs: round(pauseMs),
    stopMs: round(stopMs),
    maxPauseMs: Math.round(Math.max(...pauseMs)),
    maxStopMs: Math.round(Math.max(...stopMs)),
    note: 'request → paused / finished event at the host, through the real trainer process',
  };
}

/**
 * Telemetry's cost on the CNN (wasm, 1 worker): off and default runs alternate, twice each, in separate processes; the
 * fastest of each setting is compared, as the training rows compare fastest epochs.
 */
async function measureTelemetryOverhead(samples: number): Promise<Result> {
  const runs: Result[] = [];
  for (let round = 0; round < 2; round++) {
    runs.push(await runChild('cnn', 'wasm', samples, 1, 0));
    runs.push(await runChild('cnn', 'wasm', samples, 1, 'auto'));
  }
  const best = (setting: TelemetrySetting) =>
    Math.max(...runs.filter((r) => r.telemetry === setting).map((r) => r.samplesPerSec as number));
  const off = best(0);
  const on = best('auto');
  const overhead = 1 - on / off;
  const sampled = runs.filter((r) => r.telemetry === 'auto').map((r) => r.telemetrySamples as number);
  return {
    kind: 'telemetry',
    model: 'cnn',
    backend: 'wasm',
    offSamplesPerSec: off,
    defaultSamplesPerSec: on,
    overheadPct: round2(overhead * 100),
    limitPct: TELEMETRY_OVERHEAD_LIMIT * 100,
    ok: overhead <= TELEMETRY_OVERHEAD_LIMIT,
    telemetrySamplesPerRun: sampled,
    stepsPerRun: runs[0]?.steps,
    note: 'default = telemetryEvery absent (auto: spaced to ~3 % of training time); off = telemetryEvery 0',
  };
}

/** Issue 6's bars per model: the best offline (wasm) ratio vs PyTorch, and the CNN's peak RSS on every wasm row. */
function summarize(models: readonly ReferenceModel[], results: readonly Result[]): Result {
  const perModel = models.map((model) => {
    const rows = results.filter((r) => r.model === model && typeof r.backend === 'string' && r.backend.startsWith('wasm'));
    const best = rows.reduce<Result | undefined>(
      (a, r) => (typeof r.ratioVsPytorch === 'number' && (a === undefined || r.ratioVsPytorch > (a.ratioVsPytorch as number)) ? r : a),
      undefined,
    );
    const peaks = rows.map((r) => r.peakRssMB).filter((x): x is number => typeof x === 'number');
    return {
      model,
      bestWasm: best ? { backend: best.backend, samplesPerSec: best.samplesPerSec, ratioVsPytorch: best.ratioVsPytorch } : null,
      ratioOk: best ? (best.ratioVsPytorch as number) >= TARGET_RATIO : null,
      maxWasmPeakRssMB: peaks.length > 0 ? Math.max(...peaks) : null,
      ...(model === 'cnn' ? { rssOk: peaks.length > 0 ? Math.max(...peaks) < RSS_LIMIT_MB : null } : {}),
    };
  });
  // Issue 17: default settings = the backend `auto` picks (tensorflow, else wasm, else cpu: the first timed one here)
  // with the workers `auto` picks for that model (the default since synchronised BatchNorm: the row's autoWorkers, the
  // same decision runTraining makes); ratio ≥ 1.0 on mlp, cnn and resnet20.
  const timedRow = (model: ReferenceModel, backend: string) => results.find((r) => r.model === model && r.backend === backend && typeof r.samplesPerSec === 'number');
  const defaultRow = (model: ReferenceModel): Result | undefined => {
    const row = ALL_BACKENDS.map((b) => timedRow(model, b)).find((r) => r !== undefined);
    return row?.autoWorkers === 2 ? (timedRow(model, `${String(row.backend)}×2`) ?? row) : row;
  };
  const issue17 = ISSUE17_MODELS.filter((m) => models.includes(m)).map((model) => {
    const row = defaultRow(model);
    const ratio = typeof row?.ratioVsPytorch === 'number' ? row.ratioVsPytorch : null;
    return { model, backend: row?.backend ?? null, workers: row?.workers ?? null, samplesPerSec: row?.samplesPerSec ?? null, ratioVsPytorch: ratio, ok: ratio === null ? null : ratio >= ISSUE17_GOAL_RATIO };
  });
  const defaultRows = models.map((model) => {
    const row = defaultRow(model);
    return { model, backend: row?.backend ?? null, workers: row?.workers ?? null, samples: row?.samples ?? null, samplesPerSec: row?.samplesPerSec ?? null, ratioVsPytorch: row?.ratioVsPytorch ?? null };
  });
  return {
    kind: 'summary',
    targetRatio: TARGET_RATIO,
    rssLimitMB: RSS_LIMIT_MB,
    models: perModel,
    defaultSettings: defaultRows,
    issue17: { goalRatio: ISSUE17_GOAL_RATIO, setting: 'default: the best backend timed, workers auto', models: issue17, ok: issue17.every((m) => m.ok === true) },
    // What the ratios depend on most: PyTorch's kernels use the CPU's widest vectors, WebAssembly's are 128-bit.
    machine: describeMachine(),
    // How our kernels ran in the wasm rows: native (the level built for this CPU) or as WebAssembly, and why.
    kernels: { native: nativeKernels()?.level ?? null, ...(nativeKernels() ? {} : { why: nativeKernelsUnavailableReason() ?? null }) },
  };
}

const TABLE_BENCH = path.join(HERE, 'data', 'tableBench.ts');

/** Child mode for the table bench: its own process, so its peak RSS is the loading's alone. */
async function runTableBenchHere(rows: number): Promise<Result> {
  const mod = (await import(pathToFileURL(TABLE_BENCH).href)) as { benchTableLoading?: (o: { rows?: number }) => Promise<unknown> };
  if (typeof mod.benchTableLoading !== 'function') return { kind: 'data', bench: 'data-table', skipped: 'bench/data/tableBench.ts exports no benchTableLoading()' };
  return { kind: 'data', ...(await mod.benchTableLoading({ rows })) as Result };
}

/** The data-loading section: the image folder bench, then the table bench when bench/data/tableBench.ts exists. */
async function runDataSection(argv: readonly string[], report: (r: Result) => void): Promise<void> {
  const images = Number(arg(argv, '--data-images') ?? 50_000);
  const rows = Number(arg(argv, '--data-rows') ?? 1_000_000);
  const image: Result = await benchImageLoading({ count: images, train: !argv.includes('--no-data-train') }).then(
    (r) => ({ kind: 'data', ...r }) as Result,
    (error: unknown) => ({ kind: 'data', bench: 'data-images', error: String(error) }),
  );
  report(image);
  let table: Result;
  if (!existsSync(TABLE_BENCH)) table = { kind: 'data', bench: 'data-table', skipped: 'bench/data/tableBench.ts is not there yet' };
  else {
    table = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--data-table', '--data-rows', String(rows)], {
      timeout: 1_800_000,
      maxBuffer: 1 << 22,
    }).then(
      ({ stdout }) => {
        const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
        return line ? (JSON.parse(line) as Result) : { kind: 'data', bench: 'data-table', error: 'no result from the child process' };
      },
      (error: unknown) => ({ kind: 'data', bench: 'data-table', error: String(error) }),
    );
  }
  report(table);
  const peak = (r: Result): number | null => {
    const own = typeof r.peakRssMB === 'number' ? r.peakRssMB : null;
    const training = (r.training as Result | undefined)?.peakRssMB;
    return typeof training === 'number' ? Math.max(own ?? 0, training) : own;
  };
  report({
    kind: 'data-summary',
    goalRssMB: IMAGE_BENCH_GOAL_RSS_MB,
    images: { count: images, peakRssMB: peak(image), ok: peak(image) === null ? null : peak(image)! < IMAGE_BENCH_GOAL_RSS_MB },
    table: { rows, peakRssMB: peak(table), ok: peak(table) === null ? null : peak(table)! < IMAGE_BENCH_GOAL_RSS_MB },
  });
}

async function main(argv: string[]): Promise<number> {
  const samples = Number(arg(argv, '--samples') ?? 4096);
  // The rates divide `samples` by an epoch's time: an epoch cannot hold more than the offline MNIST subset's training split.
  if (!Number.isInteger(samples) || samples < 64 || samples > MNIST_TRAIN_SIZE) {
    console.error(`--samples must be a whole number from 64 to ${MNIST_TRAIN_SIZE} (the offline MNIST training split), got ${arg(argv, '--samples')}`);
    return 2;
  }
  if (argv[0] === '--data-table') {
    console.log(JSON.stringify(await runTableBenchHere(Number(arg(argv, '--data-rows') ?? 1_000_000))));
    return 0;
  }
  const only = arg(argv, '--only');
  if (only !== undefined && only !== 'data') {
    console.error(`--only ${only}: the only section that runs alone is 'data' (use --latency-only for the latency bench)`);
    return 2;
  }
  if (only === 'data') {
    const results: Result[] = [];
    await runDataSection(argv, (r) => {
      results.push(r);
      console.log(JSON.stringify(r));
    });
    console.log(JSON.stringify(results));
    return 0;
  }
  if (argv[0] === '--one') {
    const workers = arg(argv, '--workers') === '2' ? 2 : 1;
    const t = arg(argv, '--telemetry') ?? 'auto';
    console.log(JSON.stringify(await runOne(argv[1] as ReferenceModel, argv[2] as BackendName, samples, workers, t === 'auto' ? 'auto' : Number(t))));
    return 0;
  }
  const latencyOnly = argv.includes('--latency-only');
  const models = (latencyOnly ? [] : (arg(argv, '--models') ?? DEFAULT_MODELS.join(',')).split(',')) as ReferenceModel[];
  for (const m of models) {
    if (!(m in MODEL_FILES)) {
      console.error(`--models: unknown model '${m}' (expected ${Object.keys(MODEL_FILES).join(', ')})`);
      return 2;
    }
  }
  const backends = (arg(argv, '--backends') ?? ALL_BACKENDS.join(',')).split(',') as BackendName[];
  const results: Result[] = [];
  const report = (r: Result) => {
    results.push(r);
    console.log(JSON.stringify(r));
  };

  // PyTorch times the same number of samples (batches) as our rows, each model right before our rows of it: on a
  // shared VM the machine's speed drifts by 10-25 % over minutes, and timing every PyTorch model first put minutes
  // between a ratio's two halves.
  const withPytorch = !latencyOnly && !argv.includes('--no-pytorch') && (await pytorchAvailable());
  if (!withPytorch && !latencyOnly) report({ kind: 'note', pytorch: 'skipped: /usr/bin/python3 cannot import torch (or --no-pytorch)' });
  const torch: PytorchTiming[] = [];
  const rounds = Number(arg(argv, '--rounds') ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 5) {
    console.error(`--rounds must be a whole number from 1 to 5, got ${arg(argv, '--rounds')}`);
    return 2;
  }

  const parallel = !argv.includes('--no-parallel');
  for (const model of models) {
    // Each round times the PyTorch twin and then our wasm rows (cpu once): each side reports its fastest round, and
    // `rounds` lists every round's rate, so a slow stretch of a shared machine falls on both sides or on neither.
    let reference: PytorchTiming | undefined;
    const torchRounds: number[] = [];
    const rows = new Map<string, { best: Result; rates: number[] }>();
    for (let round = 1; round <= rounds; round++) {
      if (withPytorch) {
        for (const t of await timePytorch([model], 2, samples, { [model]: samplesFor(model, samples) })) {
          torchRounds.push(Math.round(t.samplesPerSec));
          if (!reference || t.samplesPerSec > reference.samplesPerSec) reference = t;
        }
      }
      for (const backend of backends) {
        if (backend === 'cpu' && round > 1) continue;
        // The pure-JS cpu backend is ~10–1000× slower: time fewer samples there so the bench stays a few minutes.
        const pairSamples = backend === 'cpu' ? Math.min(samples, CPU_SAMPLES[model]) : samplesFor(model, samples);
        if (pairSamples === 0) {
          rows.set(backend, { best: { model, backend, skipped: `the pure-JS cpu backend is too slow for ${model} (see CPU_SAMPLES in bench/run.ts)` }, rates: [] });
          continue;
        }
        // wasm runs single-threaded in Node: also time it with 2 data-parallel workers, right after the 1-worker run.
        for (const workers of backend === 'wasm' && parallel ? ([1, 2] as const) : ([1] as const)) {
          const label = workers === 2 ? `${backend}×2` : backend;
          const r: Result = await runChild(model, backend, pairSamples, workers).catch((error: unknown) => ({
            model,
            backend: label,
            error: String(error),
          }));
          const kept = rows.get(label);
          const rate = typeof r.samplesPerSec === 'number' ? r.samplesPerSec : undefined;
          if (rate !== undefined) kept?.rates.push(rate);
          const keptRate = kept?.best.samplesPerSec;
          if (!kept) rows.set(label, { best: r, rates: rate !== undefined ? [rate] : [] });
          else if (rate !== undefined && (typeof keptRate !== 'number' || rate > keptRate)) kept.best = r;
        }
      }
    }
    if (reference) {
      torch.push(reference);
      report({ ...reference, ...(rounds > 1 ? { rounds: torchRounds } : {}) });
    }
    for (const { best: r, rates } of rows.values()) {
      if (typeof r.samplesPerSec === 'number') {
        // null (not absent) when PyTorch was not timed, so every row has the same fields.
        r.ratioVsPytorch = reference ? Math.round((r.samplesPerSec / reference.samplesPerSec) * 1000) / 1000 : null;
        r.pytorchParams = reference?.params ?? null;
        if (rates.length > 1) r.rounds = rates;
        if (samplesFor(model, samples) < samples && r.backend !== 'cpu') {
          r.note = `${r.samples} samples per epoch for ${model} (not ${samples}) to keep the bench short; PyTorch timed the same count`;
        }
      }
      report(r);
      if (reference && typeof r.params === 'number' && reference.params !== undefined && r.params !== reference.params) {
        throw new Error(
          `${model}: our graph has ${r.params} trainable parameters but its PyTorch twin in bench/pytorch_ref.py has ${reference.params}: the twin is not the same architecture`,
        );
      }
    }
  }

  if (models.length > 0) report(summarize(models, results));

  if (!latencyOnly && !argv.includes('--no-telemetry') && backends.includes('wasm')) {
    report(await measureTelemetryOverhead(samples).catch((error: unknown) => ({ kind: 'telemetry', error: String(error) })));
  }

  if (!argv.includes('--no-latency')) {
    const latencyBackend = backends.includes('wasm') ? 'wasm' : backends[0]!;
    report(await measureLatency(latencyBackend, 5).catch((error: unknown) => ({ kind: 'latency', error: String(error) })));
  }

  const inference = path.join(HERE, 'inference.ts');
  if (!latencyOnly && existsSync(inference)) {
    const mod = (await import(pathToFileURL(inference).href)) as { runInferenceBench?: () => Promise<unknown> };
    if (typeof mod.runInferenceBench === 'function') {
      const out = await mod.runInferenceBench();
      for (const r of Array.isArray(out) ? out : [out]) report({ kind: 'inference', ...(r as Result) });
    }
  }

  if (!latencyOnly && !argv.includes('--no-data')) await runDataSection(argv, report);
  console.log(JSON.stringify(results));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
