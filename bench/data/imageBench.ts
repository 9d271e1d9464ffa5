/**
 * Data-loading bench, image half (issue 14): generates a folder of `count` RGB PNGs of `size`×`size` (default 50,000 ×
 * 32×32 in 10 class folders) in a temp dir, then in a fresh child process scans it the way the wizard does
 * (inspectImageFolder: read + full decode of every file, hash, 4 thumbnails per class), loads it the way training
 * does (loadImageFolder: decode + resize to Uint8 rows, seeded split) and converts it to the trainer's Float32 shape
 * (toLoadedDataset), reporting each time and the child's peak RSS (getrusage maxRSS, plus RSS sampled every 20 ms
 * per phase); then, in another fresh process, trains one epoch of a small CNN on it through the real pipeline
 * (runTraining with the folder as `config.data`, wasm) and reports that process's peak RSS (`training`). Goal: peak RSS
 * under 1.5 GB for both.
 *
 * `npm run bench` runs it in its data section (`npm run bench -- --only data`); it also runs alone:
 *   node --import tsx bench/data/imageBench.ts [--count 50000] [--size 32] [--classes 10] [--keep] [--no-train]
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { NO_AUGMENTATION, type ImageFolderDataSpec } from '../../shared/data/dataSpec';
import { DEFAULT_TRAINING_CONFIG } from '../../shared/format/trainingConfig';
import { registerImageFolderLoader } from '../../electron/services/data/loadUserData';
import { loadImageFolderForTraining } from '../../electron/services/data/images/imageFolderUserData';
import { hashImageFolder, inspectImageFolder } from '../../electron/services/data/images/inspectImageFolder';
import { listImageFolder } from '../../electron/services/data/images/listImageFolder';
import { loadImageFolder, toLoadedDataset } from '../../electron/services/data/images/loadImageFolder';
import { chainGraph } from '../../electron/services/training/referenceGraphs';
import { runTraining } from '../../electron/services/training/runTraining';

export const IMAGE_BENCH_GOAL_RSS_MB = 1536;

export interface ImageBenchOptions {
  readonly count?: number;
  readonly size?: number;
  readonly classes?: number;
  /** Keep the generated folder (its path is in the result). */
  readonly keep?: boolean;
  /** Also train one epoch on the folder through runTraining in a fresh process (default true). */
  readonly train?: boolean;
}

/** One epoch of a small CNN on the folder through the real pipeline (runTraining → loadUserData → the image loader). */
export interface ImageTrainMeasurement {
  readonly backend: string;
  /** Hash check + load + floats + one epoch + test evaluation, ms. */
  readonly totalMs: number;
  readonly testAccuracy: number | null;
  /** getrusage maxRSS of the training process, MB. */
  readonly peakRssMB: number;
}

export interface ImageLoadMeasurement {
  readonly images: number;
  readonly scanMs: number;
  readonly loadMs: number;
  readonly floatsMs: number;
  /** RSS sampled while each phase ran (max), MB. */
  readonly scanRssMB: number;
  readonly loadRssMB: number;
  readonly floatsRssMB: number;
  /** getrusage maxRSS of the child that scanned and loaded, MB. */
  readonly peakRssMB: number;
  readonly pixelsMB: number;
  readonly floatsMB: number;
  readonly hashesAgree: boolean;
  readonly split: { train: number; val: number; test: number };
}

export interface ImageBenchResult extends ImageLoadMeasurement {
  readonly training?: ImageTrainMeasurement | { readonly error: string };
  readonly bench: 'data-images';
  readonly count: number;
  readonly size: number;
  readonly classes: number;
  readonly folderMB: number;
  readonly generateMs: number;
  readonly imagesPerSecScan: number;
  readonly imagesPerSecLoad: number;
  readonly goalRssMB: number;
  readonly meetsGoal: boolean;
  readonly folder?: string;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** mulberry32: the same images on every run. */
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

/**
 * Writes `count` PNGs into class0…class{classes-1}: each class a colour gradient in its own direction, plus noise, so
 * the files are realistic to decode (not all-zero) and a network could learn them. Encoded from raw buffers with sharp,
 * 64 at a time. Returns the bytes written.
 */
export async function generateImageFolder(root: string, count: number, size: number, classes: number, seed = 1): Promise<number> {
  const next = random(seed);
  for (let c = 0; c < classes; c++) await mkdir(path.join(root, `class${c}`), { recursive: true });
  let bytes = 0;
  const BATCH = 64;
  for (let start = 0; start < count; start += BATCH) {
    const jobs: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const c = i % classes;
      const raw = Buffer.alloc(size * size * 3);
      const angle = (2 * Math.PI * c) / classes;
      const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const g = ((x - size / 2) * dx + (y - size / 2) * dy) / size + 0.5;
          for (let ch = 0; ch < 3; ch++) raw[(y * size + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(255 * g * (ch === c % 3 ? 1 : 0.5) + (next() - 0.5) * 60)));
        }
      }
      const file = path.join(root, `class${c}`, `img${String(i).padStart(6, '0')}.png`);
      jobs.push(
        sharp(raw, { raw: { width: size, height: size, channels: 3 } })
          .png({ compressionLevel: 6 })
          .toBuffer()
          .then(async (png) => {
            bytes += png.length;
            await writeFile(file, png);
          }),
      );
    }
    await Promise.all(jobs);
  }
  return bytes;
}

/** RSS sampled every 20 ms while `work` runs; the max in MB. */
async function sampled<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; rssMB: number }> {
  let max = process.memoryUsage.rss();
  const timer = setInterval(() => (max = Math.max(max, process.memoryUsage.rss())), 20);
  const t0 = performance.now();
  try {
    const value = await work();
    max = Math.max(max, process.memoryUsage.rss());
    return { value, ms: Math.round(performance.now() - t0), rssMB: mb(max) };
  } finally {
    clearInterval(timer);
  }
}

/** In this process: scan, load, floats. Run it in a fresh process (measureInChild) so the RSS is the loading's own. */
export async function measureImageLoading(folder: string, size: number): Promise<ImageLoadMeasurement> {
  const scan = await sampled(() => inspectImageFolder(folder));
  const { proposedInput } = scan.value;
  if (proposedInput.height !== size || proposedInput.width !== size || proposedInput.channels !== 3) {
    throw new Error(`proposed input ${proposedInput.height}×${proposedInput.width}×${proposedInput.channels}, expected ${size}×${size}×3`);
  }
  const load = await sampled(() => loadImageFolder(folder, { height: size, width: size, channels: 3, split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 } }));
  const floats = await sampled(async () => toLoadedDataset(load.value));
  const floatBytes = floats.value.train.x.byteLength + floats.value.test.x.byteLength;
  return {
    images: load.value.count,
    scanMs: scan.ms,
    loadMs: load.ms,
    floatsMs: floats.ms,
    scanRssMB: scan.rssMB,
    loadRssMB: load.rssMB,
    floatsRssMB: floats.rssMB,
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
    pixelsMB: mb(load.value.pixels.byteLength),
    floatsMB: mb(floatBytes),
    hashesAgree: scan.value.contentHash === load.value.contentHash,
    split: load.value.splitCounts,
  };
}

/** In this process: one epoch of Conv(8)→MaxPool→Flatten→Output on wasm, batch 64, the folder as `config.data`. */
export async function measureImageTraining(folder: string, size: number): Promise<ImageTrainMeasurement> {
  const t0 = performance.now();
  registerImageFolderLoader((f, spec, options) => loadImageFolderForTraining(f, spec, { ...options, skipUnreadable: true }));
  const listing = await listImageFolder(folder);
  const spec: ImageFolderDataSpec = {
    kind: 'imageFolder',
    path: folder,
    hash: await hashImageFolder(folder),
    task: 'classification',
    height: size,
    width: size,
    channels: 3,
    classNames: [...listing.classNames],
    augmentation: { ...NO_AUGMENTATION },
    split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
  };
  const graph = chainGraph('image bench', [
    ['input', 'Input', { kind: 'image', height: size, width: size, channels: 3 }],
    ['conv', 'Conv2D', { filters: 8, kernelSize: [3, 3], activation: 'relu' }],
    ['pool', 'MaxPool2D', {}],
    ['flat', 'Flatten', {}],
    ['output', 'Output', { task: 'classification', units: listing.classNames.length }],
  ]);
  const config = { ...DEFAULT_TRAINING_CONFIG, dataset: 'image bench', data: spec, backend: 'wasm' as const, epochs: 1, batchSize: 64, optimizer: 'adam' as const, learningRate: 0.001, seed: 1 };
  const { summary, backend } = await runTraining(graph, undefined, config, { telemetry: false });
  if (summary.status !== 'completed') throw new Error(`training ${summary.status}: ${summary.error ?? ''}`);
  return {
    backend: backend.name,
    totalMs: Math.round(performance.now() - t0),
    testAccuracy: summary.final.testAccuracy ?? null,
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
  };
}

async function runChild<T>(args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    timeout: 1_800_000,
    maxBuffer: 1 << 22,
  });
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`image bench: no result from the child process (${args[0]})`);
  return JSON.parse(line) as T;
}

async function measureInChild(folder: string, size: number): Promise<ImageLoadMeasurement> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', folder, '--size', String(size)], {
    timeout: 1_800_000,
    maxBuffer: 1 << 22,
  });
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error('image bench: no result from the child process');
  return JSON.parse(line) as ImageLoadMeasurement;
}

export async function benchImageLoading(options: ImageBenchOptions = {}): Promise<ImageBenchResult> {
  const count = options.count ?? 50_000;
  const size = options.size ?? 32;
  const classes = options.classes ?? 10;
  const root = await mkdtemp(path.join(tmpdir(), 'nb-image-bench-'));
  try {
    const t0 = performance.now();
    const bytes = await generateImageFolder(root, count, size, classes);
    const generateMs = Math.round(performance.now() - t0);
    const m = await measureInChild(root, size);
    const training =
      options.train === false
        ? undefined
        : await runChild<ImageTrainMeasurement>(['--train', root, '--size', String(size)]).catch((error: unknown) => ({ error: String(error) }));
    return {
      bench: 'data-images',
      count,
      size,
      classes,
      folderMB: mb(bytes),
      generateMs,
      ...m,
      imagesPerSecScan: Math.round(m.images / (m.scanMs / 1000)),
      imagesPerSecLoad: Math.round(m.images / (m.loadMs / 1000)),
      goalRssMB: IMAGE_BENCH_GOAL_RSS_MB,
      ...(training ? { training } : {}),
      meetsGoal: m.peakRssMB < IMAGE_BENCH_GOAL_RSS_MB && (!training || !('peakRssMB' in training) || training.peakRssMB < IMAGE_BENCH_GOAL_RSS_MB),
      ...(options.keep ? { folder: root } : {}),
    };
  } finally {
    if (!options.keep) await rm(root, { recursive: true, force: true });
  }
}

function arg(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const size = Number(arg(argv, '--size') ?? 32);
  if (argv[0] === '--measure') {
    console.log(JSON.stringify(await measureImageLoading(argv[1]!, size)));
  } else if (argv[0] === '--train') {
    console.log(JSON.stringify(await measureImageTraining(argv[1]!, size)));
  } else {
    const count = Number(arg(argv, '--count') ?? 50_000);
    const classes = Number(arg(argv, '--classes') ?? 10);
    console.log(JSON.stringify(await benchImageLoading({ count, size, classes, keep: argv.includes('--keep'), train: !argv.includes('--no-train') })));
  }
}
