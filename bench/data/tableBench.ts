/**
 * Data-loading bench, table half (issue 14): generates a CSV of `rows` × `columns` (default 1,000,000 × 20: 18 numeric
 * features, one categorical feature of 8 values, a 3-class target) in a temp dir, loads it the way training does
 * (electron/services/data/table/loadTable.ts: streaming parse, seeded split, preprocessing fitted on the training split,
 * Float32Array features) and reports the load time and the peak resident memory while loading (sampled every 20 ms,
 * plus the process's own lifetime peak from getrusage). The goal: peak RSS under 1.5 GB for the default size.
 *
 * With `trainEpochs`, the table is then trained on as `bricks train --data` does (runTraining with training.data: it loads
 * the file again, then trains a 32-unit MLP with Adam, batch 256, on wasm) and the peak RSS of that whole run is
 * reported too — the bound is for training, not only loading.
 *
 * `npm run bench` calls benchTableLoading() in its data section; it also runs alone:
 *   npx tsx bench/data/tableBench.ts [--rows 1000000] [--columns 20] [--train-epochs 1]
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadTable, type TableLoadSpec } from '../../electron/services/data/table/loadTable';
import { runTraining } from '../../electron/services/training/runTraining';
import { chainGraph } from '../../electron/services/training/referenceGraphs';
import { DEFAULT_TRAINING_CONFIG } from '../../shared/format/trainingConfig';
import type { TableDataSpec } from '../../shared/data/dataSpec';

export const TABLE_BENCH_GOAL_RSS_MB = 1536;

export interface TableBenchOptions {
  readonly rows?: number;
  /** Total columns including the target (at least 3: a numeric, a categorical and the target). */
  readonly columns?: number;
  readonly seed?: number;
  /** Also train this many epochs on the table (default 0: loading only). */
  readonly trainEpochs?: number;
  /** Backend for the training part (default wasm). */
  readonly backend?: 'wasm' | 'cpu' | 'tensorflow' | 'auto';
}

export interface TableTrainResult {
  readonly epochs: number;
  readonly backend: string;
  /** The whole run: loading the file again, fitting, training, testing. */
  readonly runMs: number;
  readonly samplesPerSec: number;
  readonly testAccuracy?: number;
  /** Highest RSS sampled during the run, MB. */
  readonly peakRssMB: number;
  readonly meetsGoal: boolean;
}

export interface TableBenchResult {
  readonly bench: 'data-table';
  readonly rows: number;
  readonly columns: number;
  readonly fileMB: number;
  readonly generateMs: number;
  readonly loadMs: number;
  readonly rowsPerSec: number;
  /** Highest RSS sampled while loading (and right after), MB. */
  readonly peakRssMB: number;
  /** RSS before loading started (the generator's and the runtime's share), MB. */
  readonly baseRssMB: number;
  /** getrusage's lifetime peak of this process, MB (includes everything run before). */
  readonly processMaxRssMB: number;
  readonly featureCount: number;
  readonly trainRows: number;
  readonly goalRssMB: number;
  readonly meetsGoal: boolean;
  readonly train?: TableTrainResult;
}

/** Samples RSS every 20 ms until stopped; returns the highest value seen (bytes). */
function rssSampler(): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** A small deterministic generator (mulberry32) so the file is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(file: string, rows: number, columns: number, seed: number): Promise<void> {
  const next = random(seed);
  const numeric = columns - 2;
  const out = createWriteStream(file);
  const header = [...Array.from({ length: numeric }, (_, j) => `f${j + 1}`), 'group', 'label'];
  let chunk = `${header.join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    let line = '';
    let sum = 0;
    for (let j = 0; j < numeric; j++) {
      const v = (next() - 0.5) * 10;
      sum += j < 3 ? v : 0;
      line += `${v.toFixed(4)},`;
    }
    const group = Math.floor(next() * 8);
    line += `g${group},${sum > 2 ? 'high' : sum < -2 ? 'low' : 'mid'}\n`;
    chunk += line;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export async function benchTableLoading(options: TableBenchOptions = {}): Promise<TableBenchResult> {
  const rows = options.rows ?? 1_000_000;
  const columns = Math.max(3, options.columns ?? 20);
  const dir = mkdtempSync(path.join(tmpdir(), 'nb-table-bench-'));
  const file = path.join(dir, 'bench.csv');
  try {
    const t0 = performance.now();
    await generate(file, rows, columns, options.seed ?? 1);
    const generateMs = performance.now() - t0;
    (globalThis as { gc?: () => void }).gc?.();
    const baseRss = process.memoryUsage.rss();
    const stopSampling = rssSampler();
    const spec: TableLoadSpec = {
      kind: 'table',
      path: 'bench.csv',
      task: 'classification',
      target: { name: 'label' },
      features: [
        ...Array.from({ length: columns - 2 }, (_, j) => ({ name: `f${j + 1}`, kind: 'numeric' as const })),
        { name: 'group', kind: 'categorical' as const },
      ],
      missing: { policy: 'fill' },
      split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
    };
    const t1 = performance.now();
    let loaded: Awaited<ReturnType<typeof loadTable>> | undefined = await loadTable(file, spec);
    const loadMs = performance.now() - t1;
    const peakRssMB = mb(stopSampling());
    const { featureCount } = loaded;
    const trainRows = loaded.train.count;
    const hash = loaded.spec.hash;
    loaded = undefined;
    let train: TableTrainResult | undefined;
    if ((options.trainEpochs ?? 0) > 0) {
      (globalThis as { gc?: () => void }).gc?.();
      const data: TableDataSpec = { ...spec, hash, format: { delimiter: ',', header: true } };
      const graph = chainGraph('table bench', [
        ['input', 'Input', { kind: 'vector', size: featureCount }],
        ['hidden', 'Dense', { units: 32, activation: 'relu' }],
        ['output', 'Output', { task: 'classification', units: 3 }],
      ]);
      const stop = rssSampler();
      const t2 = performance.now();
      const run = await runTraining(
        graph,
        undefined,
        { ...DEFAULT_TRAINING_CONFIG, dataset: 'bench.csv', data, epochs: options.trainEpochs!, batchSize: 256, learningRate: 0.003, backend: options.backend ?? 'wasm', workers: 1 },
        { graphFilePath: path.join(dir, 'bench.nbrick'), telemetry: false },
      );
      const runMs = performance.now() - t2;
      const trainPeak = mb(stop());
      train = {
        epochs: run.summary.epochs.length,
        backend: run.backend.name,
        runMs: Math.round(runMs),
        samplesPerSec: Math.round(run.summary.samplesPerSec),
        ...(run.summary.final.testAccuracy !== undefined ? { testAccuracy: run.summary.final.testAccuracy } : {}),
        peakRssMB: trainPeak,
        meetsGoal: trainPeak < TABLE_BENCH_GOAL_RSS_MB,
      };
    }
    return {
      bench: 'data-table',
      rows,
      columns,
      fileMB: mb(statSync(file).size),
      generateMs: Math.round(generateMs),
      loadMs: Math.round(loadMs),
      rowsPerSec: Math.round(rows / (loadMs / 1000)),
      peakRssMB,
      baseRssMB: mb(baseRss),
      processMaxRssMB: mb(process.resourceUsage().maxRSS * 1024),
      featureCount,
      trainRows,
      goalRssMB: TABLE_BENCH_GOAL_RSS_MB,
      meetsGoal: peakRssMB < TABLE_BENCH_GOAL_RSS_MB && (train?.meetsGoal ?? true),
      ...(train ? { train } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const rows = arg('--rows');
  const columns = arg('--columns');
  const trainEpochs = arg('--train-epochs');
  const result = await benchTableLoading({ ...(rows ? { rows } : {}), ...(columns ? { columns } : {}), ...(trainEpochs ? { trainEpochs } : {}) });
  console.log(JSON.stringify(result));
}
