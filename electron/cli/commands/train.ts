/**
 * `bricks train FILE`: trains a graph headless with the file's training config, overridden by flags.
 * Progress goes to stderr (a bar on a terminal, one line per epoch otherwise) or, with --json, JSON lines on stdout.
 * Ctrl+C (SIGINT) or SIGTERM stops after the current batch and still prints the summary, marked stopped; a second
 * signal aborts at once — except while the model or the run record is being written, which always completes.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { describeSchemaError, type DatasetRef } from '../../../shared/contracts/trainer';
import { DEFAULT_KEEP_CHECKPOINTS } from '../../../shared/contracts/evaluation';
import type { RunSummary } from '../../../shared/format/runSummary';
import {
  DEFAULT_AGC_LAMBDA,
  DEFAULT_TRAINING_CONFIG,
  EARLY_STOP_METRICS,
  earlyStoppingSchema,
  gradientClippingSchema,
  LR_SCHEDULE_KINDS,
  learningRateScheduleSchema,
  OPTIMIZERS,
  TRAINING_BACKENDS,
  trainingConfigSchema,
  type EarlyStopping,
  type GradientClipping,
  type LearningRateSchedule,
  type TrainingConfig,
} from '../../../shared/format/trainingConfig';
import { readGraphFile } from '../../services/files/readGraphFile';
import { writeGraphFileAtomic } from '../../services/files/writeGraphFileAtomic';
import { modelToFiles, saveModelToDir } from '../../services/training/modelFiles';
import { checkpointDirFor, writeCheckpoint } from '../../services/checkpoints/checkpointStore';
import { keepCountOf, pruneCheckpoints } from '../../services/checkpoints/CheckpointService';
import { runTraining } from '../../services/training/runTraining';
import { augmentationSchema, relativeDataPath, resolveDataPath, DATA_TASKS, MISSING_POLICIES, NO_AUGMENTATION, type Augmentation, type DataSpec, type DataTask, type MissingPolicy } from '../../../shared/data/dataSpec';
import { inspectTable } from '../../services/data/table/inspectTable';
import { proposeTableSpec } from '../../services/data/table/proposeTableSpec';
import { TableError, type TableDelimiter } from '../../services/data/table/readTable';
import { ImageFolderError } from '../../services/data/images/listImageFolder';
import { proposeImageFolderSpecForPath } from '../../services/data/images/proposeImageFolderSpec';
import type { ImageProblem } from '../../services/data/images/types';
import { delimiterArg } from './data';
import type { LoadedUserData } from '../../services/data/loadUserData';
import { TrainingControl } from '../../services/training/trainingControl';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { formatTable, type TableColumn } from '../table';
import type { TelemetrySample } from '../../../shared/contracts/telemetry';
import type { GraphDocument } from '../../../shared/document/model';
import { telemetryWarnings, WARNING_TITLES } from '../../../shared/telemetry/telemetryWarnings';

/** Exit code of a run stopped with Ctrl+C (128 + SIGINT, as shells report it). */
export const EXIT_STOPPED = 130;
/** Exit code of a run stopped with SIGTERM (128 + 15), e.g. by a job runner or `kill`. */
export const EXIT_TERMINATED = 143;

/** The signals that stop a run gracefully, and the exit code each one ends the process with. */
const STOP_SIGNALS = { SIGINT: EXIT_STOPPED, SIGTERM: EXIT_TERMINATED } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

interface TrainFlags {
  dataset?: string;
  /** --data PATH: a CSV/TSV file or an image folder to train on (issue 14). */
  data?: string;
  /** --strict: an image folder's unreadable files stop the run (exit 1) instead of being skipped. */
  strict?: boolean;
  target?: string;
  task?: string;
  /** --features a,b,c: the feature columns (default: every other numeric or categorical column). */
  features?: string;
  /** With --data: override delimiter / header detection. */
  delimiter?: TableDelimiter;
  header?: boolean;
  /** With --data TABLE: drop rows with a missing feature, or fill with the training mean / most frequent (default). */
  missing?: string;
  /** With --data FOLDER: per-epoch augmentation of training images, e.g. flip,shift=0.1,rotate=10 (or off). */
  augment?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: string;
  seed?: number;
  backend?: string;
  workers?: string;
  validationSplit?: number;
  samples?: number;
  limit?: number;
  json?: boolean;
  saveModel?: string;
  record?: boolean;
  progress?: boolean;
  /** --telemetry [K]: true (the file's interval, else auto) or K / 'auto'. */
  telemetry?: boolean | string;
  lrSchedule?: string;
  warmup?: number;
  lrStep?: string;
  lrDecay?: number;
  lrMin?: number;
  clip?: string;
  earlyStop?: string;
  /** Commander sets this true unless --no-restore-best is given. */
  restoreBest?: boolean;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The first schema issue of an option, named by the flag that set it. */
function flagError(flagOf: (field: string) => string, error: import('zod').ZodError): string {
  const issue = error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  return `${flagOf(field)}: ${field ? `${field} ` : ''}${issue.message.replace(/^Invalid input: /, '')}`;
}

/**
 * The learning-rate schedule from --lr-schedule, --warmup, --lr-step, --lr-decay and --lr-min over the file's: a
 * parameter flag alone picks its schedule (--lr-step → step), and parameters the flags leave out come from the file
 * when it has the same kind. `undefined` value: no schedule.
 */
export function scheduleFromFlags(flags: TrainFlags, fromFile: LearningRateSchedule | undefined): Parsed<LearningRateSchedule | undefined> {
  const given = [flags.lrSchedule, flags.warmup, flags.lrStep, flags.lrDecay, flags.lrMin].some((f) => f !== undefined);
  if (!given) return { ok: true, value: fromFile };
  const kind =
    flags.lrSchedule ??
    (flags.lrStep !== undefined ? 'step' : flags.lrDecay !== undefined ? 'exponential' : flags.lrMin !== undefined ? 'cosine' : fromFile?.kind ?? 'constant');
  if (!(LR_SCHEDULE_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, error: `--lr-schedule must be one of ${LR_SCHEDULE_KINDS.join(', ')}, got '${kind}'` };
  }
  const owners = [
    ['--lr-step', flags.lrStep, 'step'],
    ['--lr-decay', flags.lrDecay, 'exponential'],
    ['--lr-min', flags.lrMin, 'cosine'],
  ] as const;
  for (const [flag, value, owner] of owners) {
    if (value !== undefined && owner !== kind) return { ok: false, error: `${flag} applies to --lr-schedule ${owner}, not ${kind}` };
  }
  const base: Record<string, unknown> = fromFile?.kind === kind ? { ...fromFile } : { kind };
  if (flags.warmup !== undefined) base.warmupEpochs = flags.warmup;
  else if (fromFile?.warmupEpochs !== undefined) base.warmupEpochs = fromFile.warmupEpochs; // kept across a change of kind
  if (kind === 'step') {
    if (flags.lrStep !== undefined) {
      const m = /^\s*([^:]+):([^:]+)\s*$/.exec(flags.lrStep);
      if (!m || !Number.isFinite(Number(m[1])) || !Number.isFinite(Number(m[2]))) {
        return { ok: false, error: `--lr-step must be EPOCHS:FACTOR (e.g. 10:0.5), got '${flags.lrStep}'` };
      }
      base.everyEpochs = Number(m[1]);
      base.factor = Number(m[2]);
    }
    if (base.everyEpochs === undefined) return { ok: false, error: '--lr-schedule step needs --lr-step EPOCHS:FACTOR (e.g. 10:0.5: the rate × 0.5 every 10 epochs)' };
  }
  if (kind === 'exponential') {
    if (flags.lrDecay !== undefined) base.factor = flags.lrDecay;
    if (base.factor === undefined) return { ok: false, error: '--lr-schedule exponential needs --lr-decay FACTOR (e.g. 0.9: the rate × 0.9 per epoch)' };
  }
  if (kind === 'cosine' && flags.lrMin !== undefined) base.minLearningRate = flags.lrMin;
  const parsed = learningRateScheduleSchema.safeParse(base);
  if (!parsed.success) {
    const flagOf = (field: string) =>
      field === 'warmupEpochs' ? '--warmup' : field === 'minLearningRate' ? '--lr-min' : field === 'everyEpochs' || kind === 'step' ? '--lr-step' : field === 'factor' ? '--lr-decay' : '--lr-schedule';
    return { ok: false, error: flagError(flagOf, parsed.error) };
  }
  return { ok: true, value: parsed.data };
}

/** --clip agc | agc:λ | norm:MAX | off over the file's clipping. */
export function clipFromFlag(flag: string | undefined, fromFile: GradientClipping | undefined): Parsed<GradientClipping | undefined> {
  if (flag === undefined) return { ok: true, value: fromFile };
  const text = flag.trim();
  if (text === 'off' || text === 'none') return { ok: true, value: undefined };
  const m = /^(agc|norm)(?::(.*))?$/.exec(text);
  if (!m) return { ok: false, error: `--clip must be agc, agc:LAMBDA, norm:MAX_NORM or off, got '${flag}'` };
  const value = m[2] === undefined ? undefined : Number(m[2]);
  if (value !== undefined && (m[2]!.trim() === '' || !Number.isFinite(value))) return { ok: false, error: `--clip ${m[1]}: '${m[2]}' is not a number` };
  if (m[1] === 'norm' && value === undefined) return { ok: false, error: '--clip norm needs the maximum norm, e.g. norm:1.0' };
  const candidate = m[1] === 'agc' ? { kind: 'agc', lambda: value ?? DEFAULT_AGC_LAMBDA } : { kind: 'norm', maxNorm: value };
  const parsed = gradientClippingSchema.safeParse(candidate);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: flagError(() => '--clip', parsed.error) };
}

/** --early-stop METRIC:PATIENCE | off and --no-restore-best over the file's early stopping. */
export function earlyStoppingFromFlags(flags: TrainFlags, fromFile: EarlyStopping | undefined): Parsed<EarlyStopping | undefined> {
  let value = fromFile;
  if (flags.earlyStop !== undefined) {
    const text = flags.earlyStop.trim();
    if (text === 'off' || text === 'none') value = undefined;
    else {
      const m = /^([A-Za-z_0-9]+):(.+)$/.exec(text);
      if (!m) return { ok: false, error: `--early-stop must be METRIC:PATIENCE (e.g. val_loss:5) or off, got '${flags.earlyStop}'` };
      if (!(EARLY_STOP_METRICS as readonly string[]).includes(m[1]!)) {
        return { ok: false, error: `--early-stop: metric must be one of ${EARLY_STOP_METRICS.join(', ')}, got '${m[1]}'` };
      }
      const parsed = earlyStoppingSchema.safeParse({ metric: m[1], patience: Number(m[2]), ...(fromFile?.restoreBest !== undefined ? { restoreBest: fromFile.restoreBest } : {}) });
      if (!parsed.success) return { ok: false, error: flagError(() => '--early-stop', parsed.error) };
      value = parsed.data;
    }
  }
  if (flags.restoreBest === false) {
    if (!value) return { ok: false, error: "--no-restore-best needs early stopping (--early-stop METRIC:PATIENCE, or the file's earlyStopping)" };
    value = { ...value, restoreBest: false };
  }
  return { ok: true, value };
}

const sig = (x: number) => String(Number(x.toPrecision(4)));

/** The training options in one line for the run header, or '' when the run uses none of them. */
export function describeTrainingOptions(config: TrainingConfig): string {
  const parts: string[] = [];
  const s = config.lrSchedule;
  if (s && (s.kind !== 'constant' || (s.warmupEpochs ?? 0) > 0)) {
    const warmup = (s.warmupEpochs ?? 0) > 0 ? ` after ${sig(s.warmupEpochs!)} warm-up epoch${s.warmupEpochs === 1 ? '' : 's'}` : '';
    const shape =
      s.kind === 'step'
        ? `× ${sig(s.factor)} every ${s.everyEpochs} epoch${s.everyEpochs === 1 ? '' : 's'}`
        : s.kind === 'exponential'
          ? `× ${sig(s.factor)} per epoch`
          : s.kind === 'cosine'
            ? `cosine to ${sig(Math.min(s.minLearningRate ?? 0, config.learningRate))}`
            : 'constant';
    parts.push(`learning rate ${sig(config.learningRate)}, ${shape}${warmup}`);
  }
  const c = config.clip;
  if (c) parts.push(c.kind === 'agc' ? `clipping AGC λ ${sig(c.lambda)} (first and last layers not clipped)` : `clipping global norm ≤ ${sig(c.maxNorm)}`);
  const e = config.earlyStopping;
  if (e) parts.push(`early stopping on ${e.metric}, patience ${e.patience}${e.restoreBest === false ? ', keeps the last weights' : ', restores the best epoch'}`);
  return parts.join(' · ');
}

function intArg(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got '${value}'`);
    return n;
  };
}
function numArg(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${value}'`);
    return n;
  };
}

const pct = (x: number | undefined) => (x === undefined ? '   –   ' : `${(x * 100).toFixed(2).padStart(6)} %`);
const num4 = (x: number | undefined) => (x === undefined ? '  –   ' : x.toFixed(4));

/**
 * `telemetryEvery` for --telemetry: a number or 'auto' as given; the bare flag keeps the file's interval unless the
 * file turned telemetry off (0), since asking for it on the command line means wanting it.
 */
function telemetryInterval(flag: boolean | string | undefined, fromFile: number | undefined): { telemetryEvery?: number | string } {
  if (flag === undefined || flag === false) return {};
  if (flag === true) return fromFile !== undefined && fromFile > 0 ? { telemetryEvery: fromFile } : { telemetryEvery: AUTO };
  if (flag === 'auto') return { telemetryEvery: AUTO };
  return { telemetryEvery: /^\d+$/.test(flag) ? Number(flag) : flag };
}
/** Marks "auto" in the candidate config; removed before validation (auto = the field absent). */
const AUTO = '__auto__';

/** The last telemetry sample as a table, one row per node, and the warnings it raises. */
export function formatTelemetry(sample: TelemetrySample, graph: GraphDocument): string {
  const sig = (x: number | undefined) => (x === undefined ? '–' : x.toPrecision(3));
  const pctOf = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(0)} %`);
  const rows = graph.nodes
    .filter((n) => sample.nodes[n.id])
    .map((n) => {
      const t = sample.nodes[n.id]!;
      return [n.id, n.type, sig(t.gradNorm), sig(t.updateRatio), sig(t.activationStd), pctOf(t.deadFraction ?? t.saturatedFraction)];
    });
  const columns: TableColumn[] = [
    { header: 'node', maxWidth: 24 },
    { header: 'type' },
    { header: 'grad norm', align: 'right' },
    { header: 'update ratio', align: 'right' },
    { header: 'act std', align: 'right' },
    { header: 'dead/saturated', align: 'right' },
  ];
  return `  inside the network (epoch ${sample.epoch}, batch ${sample.batch}):\n${formatTable(columns, rows, '    ')}`;
}

/** The warnings the run's telemetry raises (the canvas shows the same ones on the nodes). */
export function formatTelemetryWarnings(summary: RunSummary, graph: GraphDocument): string {
  if (!summary.telemetry) return '';
  const warnings = telemetryWarnings(summary.telemetry, graph, { learningRate: summary.config.learningRate });
  return warnings.map((w) => `  warning  ${w.nodeId}: ${WARNING_TITLES[w.kind]} — ${w.message}${w.fixes[0] ? ` (fix: ${w.fixes[0].label})` : ''}\n`).join('');
}

export function formatSummary(summary: RunSummary, fileLabel: string): string {
  const f = summary.final;
  const lines = [
    `${fileLabel}: run ${summary.status} after ${summary.epochs.length}/${summary.config.epochs} epochs in ${(summary.wallTimeMs / 1000).toFixed(1)} s on ${summary.backend}` +
      (summary.workers !== undefined && summary.workers > 1 ? ` × ${summary.workers} workers` : ''),
    `  train  loss ${num4(f.loss)}  accuracy ${pct(f.accuracy)}`,
  ];
  if (f.valLoss !== undefined) lines.push(`  val    loss ${num4(f.valLoss)}  accuracy ${pct(f.valAccuracy)}`);
  if (f.testLoss !== undefined) lines.push(`  test   loss ${num4(f.testLoss)}  accuracy ${pct(f.testAccuracy)}`);
  lines.push(`  speed  ${Math.round(summary.samplesPerSec)} samples/s (training steps only)`);
  if (summary.earlyStopped) {
    const { bestEpoch, restoredBest } = summary.earlyStopped;
    lines.push(`  early  stopped at epoch ${summary.epochs.length}, best epoch ${bestEpoch}${restoredBest ? ' restored' : ' (last weights kept)'}`);
  }
  if (summary.error) lines.push(`  error  ${summary.error}`);
  return `${lines.join('\n')}\n`;
}

/**
 * --augment SPEC: comma-separated `flip`, `shift=S` (up to this share of the width/height, 0–0.25), `rotate=D` (up to
 * D degrees either way, 0–45); kinds not named are off, and `off` turns everything off. An error names the bad part.
 */
export function parseAugment(text: string): { ok: true; value: Augmentation } | { ok: false; error: string } {
  const usage = 'use e.g. --augment flip,shift=0.1,rotate=10 (shift a share of the side 0–0.25, rotate degrees 0–45) or --augment off';
  const value: { -readonly [K in keyof Augmentation]: Augmentation[K] } = { ...NO_AUGMENTATION };
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return { ok: false, error: `--augment is empty: ${usage}` };
  if (parts.length === 1 && parts[0] === 'off') return { ok: true, value };
  for (const part of parts) {
    const [key = '', raw, ...rest] = part.split('=');
    if (key === 'flip' && raw === undefined) {
      value.flip = true;
      continue;
    }
    if ((key === 'shift' || key === 'rotate') && raw !== undefined && rest.length === 0) {
      const n = raw.trim() === '' ? NaN : Number(raw);
      const max = key === 'shift' ? augmentationSchema.shape.shift.maxValue : augmentationSchema.shape.rotate.maxValue;
      if (!Number.isFinite(n) || n < 0 || (max !== null && n > max)) {
        return { ok: false, error: `--augment ${key}=${raw}: must be a number from 0 to ${max}${key === 'shift' ? ' (a share of the image side)' : ' (degrees)'}` };
      }
      value[key] = n;
      continue;
    }
    return { ok: false, error: `--augment: '${part}' is not flip, shift=S or rotate=D; ${usage}` };
  }
  return { ok: true, value };
}

type DataFromFlags = { ok: true; spec: DataSpec | undefined } | { ok: false; error: string; code: number };

/** Unreadable image files, one per line by path with the reason (at most `max`, then how many more). */
export function describeUnreadableImages(files: readonly ImageProblem[], max = 20): string {
  const shown = files.slice(0, max).map((f) => `  ${f.path}: ${f.reason}`);
  if (files.length > max) shown.push(`  … and ${files.length - max} more`);
  return shown.join('\n');
}

/**
 * --data FOLDER: the file's own image-folder `training.data` when it already describes that folder (its augmentation
 * and split kept), else a spec proposed from inspecting the folder (Input size, classes, hash). A class too small to
 * train or a single class is exit 1; with --strict, so are unreadable files (named), which are otherwise skipped.
 */
async function imageFolderFromFlags(graphPath: string, dataPath: string, flags: TrainFlags, seed: number, fileData: DataSpec | undefined): Promise<DataFromFlags> {
  const tableFlag =
    flags.target !== undefined ? '--target'
    : flags.task !== undefined ? '--task'
    : flags.features !== undefined ? '--features'
    : flags.delimiter !== undefined ? '--delimiter'
    : flags.header !== undefined ? (flags.header ? '--header' : '--no-header')
    : flags.missing !== undefined ? '--missing'
    : undefined;
  if (tableFlag) return { ok: false, error: `${tableFlag} is for tables, but --data ${flags.data} is an image folder (one sub-folder per class)`, code: EXIT.unusable };
  let augmentation: Augmentation | undefined;
  if (flags.augment !== undefined) {
    const parsed = parseAugment(flags.augment);
    if (!parsed.ok) return { ok: false, error: parsed.error, code: EXIT.unusable };
    augmentation = parsed.value;
  }
  if (fileData?.kind === 'imageFolder' && resolveDataPath(graphPath, fileData.path) === dataPath) {
    return { ok: true, spec: augmentation ? { ...fileData, augmentation } : fileData };
  }
  try {
    const { spec: proposed, inspection } = await proposeImageFolderSpecForPath(dataPath, relativeDataPath(graphPath, dataPath), seed);
    if (inspection.errors.length > 0) {
      return { ok: false, error: `${flags.data} cannot be trained on: ${inspection.errors.join('; ')}`, code: EXIT.problems };
    }
    if (flags.strict && inspection.problems.length > 0) {
      const n = inspection.problems.length;
      return {
        ok: false,
        error: `--strict: ${n} file${n === 1 ? '' : 's'} in ${flags.data} cannot be read as images:\n${describeUnreadableImages(inspection.problems)}`,
        code: EXIT.problems,
      };
    }
    return { ok: true, spec: augmentation ? { ...proposed, augmentation } : proposed };
  } catch (error) {
    if (error instanceof ImageFolderError) return { ok: false, error: error.message, code: EXIT.unusable };
    throw error;
  }
}

/**
 * The user data to train on: --data PATH (with --target/--task) as a fresh table spec, or the file's own
 * `training.data` when it already describes that file and no flag changes the target or task; a folder is an image
 * folder (imageFolderFromFlags); without --data, the file's `training.data` unless --dataset picks a bundled dataset.
 */
async function dataFromFlags(file: string, flags: TrainFlags, seed: number, fileData: DataSpec | undefined): Promise<DataFromFlags> {
  if (flags.data === undefined) {
    const flag =
      flags.target !== undefined ? '--target'
      : flags.task !== undefined ? '--task'
      : flags.features !== undefined ? '--features'
      : flags.delimiter !== undefined ? '--delimiter'
      : flags.header !== undefined ? (flags.header ? '--header' : '--no-header')
      : flags.missing !== undefined ? '--missing'
      : undefined;
    if (flag) return { ok: false, error: `${flag} needs --data PATH (a CSV or TSV file)`, code: EXIT.unusable };
    if (flags.augment !== undefined) return { ok: false, error: '--augment needs --data FOLDER (an image folder)', code: EXIT.unusable };
    if (flags.strict && (flags.dataset !== undefined || fileData?.kind !== 'imageFolder')) {
      return { ok: false, error: '--strict is for image folders: give --data FOLDER or a file whose training data is one', code: EXIT.unusable };
    }
    return { ok: true, spec: flags.dataset !== undefined ? undefined : fileData };
  }
  if (flags.task !== undefined && !(DATA_TASKS as readonly string[]).includes(flags.task)) {
    return { ok: false, error: `--task must be one of ${DATA_TASKS.join(', ')}, got '${flags.task}'`, code: EXIT.unusable };
  }
  if (flags.missing !== undefined && !(MISSING_POLICIES as readonly string[]).includes(flags.missing)) {
    return { ok: false, error: `--missing must be one of ${MISSING_POLICIES.join(', ')}, got '${flags.missing}'`, code: EXIT.unusable };
  }
  const missing = flags.missing as MissingPolicy | undefined;
  const graphPath = path.resolve(file);
  const dataPath = path.resolve(flags.data);
  try {
    if ((await stat(dataPath)).isDirectory()) return imageFolderFromFlags(graphPath, dataPath, flags, seed, fileData);
  } catch {
    return { ok: false, error: `--data: no such file or folder: ${flags.data}`, code: EXIT.unusable };
  }
  if (flags.strict) return { ok: false, error: `--strict is for image folders, but --data ${flags.data} is a file`, code: EXIT.unusable };
  if (flags.augment !== undefined) return { ok: false, error: `--augment is for image folders, but --data ${flags.data} is a file`, code: EXIT.unusable };
  if (
    fileData?.kind === 'table' &&
    resolveDataPath(graphPath, fileData.path) === dataPath &&
    (flags.target === undefined || flags.target === fileData.target.name) &&
    (flags.task === undefined || flags.task === fileData.task) &&
    flags.features === undefined &&
    (flags.delimiter === undefined || flags.delimiter === fileData.format.delimiter) &&
    (flags.header === undefined || flags.header === fileData.format.header) &&
    (missing === undefined || missing === fileData.missing.policy)
  ) {
    return { ok: true, spec: fileData };
  }
  try {
    const inspection = await inspectTable(dataPath, {
      ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
      ...(flags.header !== undefined ? { header: flags.header } : {}),
    });
    const proposal = proposeTableSpec(
      { ...inspection, path: path.basename(dataPath) },
      {
        recordedPath: relativeDataPath(graphPath, dataPath),
        seed,
        ...(flags.target !== undefined ? { target: flags.target } : {}),
        ...(flags.task !== undefined ? { task: flags.task as DataTask } : {}),
        ...(flags.features !== undefined ? { features: flags.features.split(',').map((f) => f.trim()).filter((f) => f !== '') } : {}),
      },
    );
    if (!proposal.ok) return { ok: false, error: proposal.error, code: EXIT.unusable };
    return { ok: true, spec: missing !== undefined ? { ...proposal.spec, missing: { policy: missing } } : proposal.spec };
  } catch (error) {
    if (error instanceof TableError) return { ok: false, error: error.message, code: error.kind === 'bad-cell' ? EXIT.problems : EXIT.unusable };
    throw error;
  }
}

/** One line about the loaded user data: rows per split, target, features, missing values. */
export function describeUserData(data: LoadedUserData): string {
  const spec = data.spec;
  if (spec.kind !== 'table') return `${data.info.id}: ${data.train.count} train / ${data.val?.count ?? 0} validation / ${data.test.count} test images`;
  const target =
    spec.task === 'classification'
      ? `classes of '${spec.target.name}' (${spec.target.classes?.length ?? 0}: ${(spec.target.classes ?? []).slice(0, 6).join(', ')}${(spec.target.classes?.length ?? 0) > 6 ? ', …' : ''})`
      : `'${spec.target.name}' (regression; losses in its units)`;
  const filled = Object.values(spec.missing.filledCells ?? {}).reduce((a, b) => a + b, 0);
  const missing = [
    spec.missing.droppedRows ? `${spec.missing.droppedRows} row${spec.missing.droppedRows === 1 ? '' : 's'} dropped` : '',
    filled ? `${filled} cell${filled === 1 ? '' : 's'} filled` : '',
  ].filter(Boolean);
  return (
    `${data.info.id}: predicting ${target} from ${spec.features.length} column${spec.features.length === 1 ? '' : 's'} ` +
    `(${data.info.inputShape[0]} inputs after one-hot)${missing.length > 0 ? ` · missing values: ${missing.join(', ')}` : ''}`
  );
}

async function train(file: string, flags: TrainFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const read = await readGraphFile(file);
  if (!read.ok) {
    io.stderr.write(`bricks train: ${read.error.message}\n`);
    ctx.setExitCode(EXIT.unusable);
    return;
  }
  const userData = await dataFromFlags(file, flags, flags.seed ?? read.file.training?.seed ?? DEFAULT_TRAINING_CONFIG.seed, read.file.training?.data);
  if (!userData.ok) {
    io.stderr.write(`bricks train: ${userData.error}\n`);
    ctx.setExitCode(userData.code);
    return;
  }
  const candidate: Record<string, unknown> = {
    ...DEFAULT_TRAINING_CONFIG,
    ...read.file.training,
    ...(flags.dataset !== undefined ? { dataset: flags.dataset } : {}),
    ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
    ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
    ...(flags.lr !== undefined ? { learningRate: flags.lr } : {}),
    ...(flags.optimizer !== undefined ? { optimizer: flags.optimizer } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
    // --workers 1|2|auto (PARALLEL): numbers stay numbers so the schema's 1 | 2 | 'auto' check names bad values.
    ...(flags.workers !== undefined ? { workers: /^\d+$/.test(flags.workers) ? Number(flags.workers) : flags.workers } : {}),
    ...(flags.validationSplit !== undefined ? { validationSplit: flags.validationSplit } : {}),
    ...telemetryInterval(flags.telemetry, read.file.training?.telemetryEvery),
  };
  if (candidate.telemetryEvery === AUTO) delete candidate.telemetryEvery;
  if (userData.spec) {
    candidate.data = userData.spec;
    if (flags.data !== undefined) candidate.dataset = path.basename(flags.data);
  } else delete candidate.data;
  const fileTraining = read.file.training;
  const schedule = scheduleFromFlags(flags, fileTraining?.lrSchedule);
  const clip = clipFromFlag(flags.clip, fileTraining?.clip);
  const earlyStopping = earlyStoppingFromFlags(flags, fileTraining?.earlyStopping);
  for (const option of [schedule, clip, earlyStopping]) {
    if (!option.ok) {
      io.stderr.write(`bricks train: ${option.error}\n`);
      ctx.setExitCode(EXIT.unusable);
      return;
    }
  }
  // Absent means off: an option the flags turned off is removed rather than set to undefined.
  for (const [key, option] of [['lrSchedule', schedule], ['clip', clip], ['earlyStopping', earlyStopping]] as const) {
    if (option.ok && option.value !== undefined) candidate[key] = option.value;
    else delete candidate[key];
  }
  const parsed = trainingConfigSchema.safeParse(candidate);
  if (!parsed.success) {
    io.stderr.write(`bricks train: ${file}: invalid training config: ${describeSchemaError(parsed.error)}\n`);
    ctx.setExitCode(EXIT.unusable);
    return;
  }
  const config = parsed.data;
  if (config.earlyStopping?.metric.startsWith('val_') && config.validationSplit === 0) {
    const source = flags.earlyStop !== undefined ? '--early-stop' : "the file's earlyStopping";
    io.stderr.write(`bricks train: ${source} ${config.earlyStopping.metric} needs validation data, but the validation split is 0 (--validation-split)\n`);
    ctx.setExitCode(EXIT.unusable);
    return;
  }
  const options: DatasetRef['options'] = {
    ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
  };
  const label = path.basename(file);
  const json = flags.json === true;
  const emit = (record: object) => io.stdout.write(`${JSON.stringify(record)}\n`);

  const control = new TrainingControl();
  let stoppedBy: StopSignal | undefined;
  /** Set while the model or the run record is written: an abort then waits, so no file is left half-written. */
  let writing = false;
  const onStopSignal = (signal: StopSignal) => {
    if (stoppedBy !== undefined) {
      if (writing) {
        io.stderr.write(`\nbricks train: ${signal}: finishing the file being written first…\n`);
        return;
      }
      io.stderr.write(`\nbricks train: aborted (${signal})\n`);
      process.exit(STOP_SIGNALS[signal]);
    }
    stoppedBy = signal;
    const again = signal === 'SIGINT' ? 'Ctrl+C' : signal;
    io.stderr.write(`\nbricks train: ${signal}: stopping after the current batch (${again} again to abort)…\n`);
    control.stop();
  };
  const onSigint = () => onStopSignal('SIGINT');
  const onSigterm = () => onStopSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  const useBar = !json && flags.progress !== false && process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let batchesPerEpoch = 1;
  let lastTelemetry: TelemetrySample | undefined;
  try {
    const result = await runTraining(read.file.graph, { id: config.dataset, options }, config, {
      control,
      graphFilePath: path.resolve(file),
      // Unreadable images are skipped (and listed) unless --strict, which makes the load fail naming them.
      skipUnreadable: flags.strict !== true,
      onUserData: (data) => {
        const skipped = data.skippedFiles ?? [];
        if (json) {
          emit({
            type: 'data',
            spec: data.spec,
            trainSize: data.train.count,
            valSize: data.val?.count ?? 0,
            testSize: data.test.count,
            ...(data.spec.kind === 'imageFolder' ? { skippedFiles: skipped } : {}),
          });
        } else {
          io.stderr.write(`${describeUserData(data)}\n`);
          if (skipped.length > 0) {
            const n = skipped.length;
            io.stderr.write(`Skipping ${n} unreadable file${n === 1 ? '' : 's'} (--strict refuses them):\n${describeUnreadableImages(skipped)}\n`);
          }
        }
      },
      telemetry: flags.telemetry !== undefined,
      // --record keeps the model as the run's checkpoint beside the file.
      keepModel: flags.saveModel !== undefined || flags.record === true,
      onBackend: (backend) => {
        if (json) emit({ type: 'backend', ...backend });
        else {
          io.stderr.write(`Training ${label} on ${config.dataset} with ${backend.name}${backend.fallbackReason ? ` (auto fell back: ${backend.fallbackReason})` : ''}\n`);
          const options = describeTrainingOptions(config);
          if (options) io.stderr.write(`${options}\n`);
        }
      },
      callbacks: {
        onStarted: (e) => {
          if (json) emit({ type: 'started', ...e });
          else io.stderr.write(`${e.params.toLocaleString('en-US')} parameters · ${e.trainSize} train / ${e.valSize} validation / ${e.testSize} test samples\n`);
          batchesPerEpoch = Math.ceil(e.trainSize / Math.min(config.batchSize, e.trainSize));
          if (useBar) {
            bar = new cliProgress.SingleBar(
              {
                stream: process.stderr,
                format: 'epoch {epoch}/{epochs} |{bar}| batch {batch}/{batches} · loss {loss} · acc {acc} · {sps} samples/s · ETA {eta_formatted}',
                hideCursor: true,
                etaBuffer: 50,
              },
              cliProgress.Presets.shades_classic,
            );
            bar.start(config.epochs * batchesPerEpoch, 0, { epoch: 1, epochs: config.epochs, batch: 0, batches: batchesPerEpoch, loss: '–', acc: '–', sps: 0 });
          }
        },
        onBatch: (e) => {
          if (json) emit({ type: 'batch', ...e });
          bar?.update((e.epoch - 1) * e.batchesPerEpoch + e.batch, {
            epoch: e.epoch,
            batch: e.batch,
            loss: e.loss.toFixed(4),
            acc: e.accuracy === undefined ? '–' : `${(e.accuracy * 100).toFixed(1)}%`,
            sps: Math.round(e.samplesPerSec),
          });
        },
        onTelemetry: (e) => {
          // The documented line: type, epoch, batch and the per-node scalars (histograms stay in the run record).
          if (json) emit({ type: 'telemetry', epoch: e.epoch, batch: e.batch, nodes: e.nodes });
          lastTelemetry = e;
        },
        onEpoch: (e) => {
          if (json) emit({ type: 'epoch', ...e });
          else if (bar) bar.update(e.epoch * batchesPerEpoch, { epoch: Math.min(e.epoch + 1, config.epochs), loss: e.loss.toFixed(4) });
          else {
            const val = e.valLoss !== undefined ? ` · val loss ${e.valLoss.toFixed(4)} acc ${pct(e.valAccuracy).trim()}` : '';
            io.stderr.write(`epoch ${e.epoch}/${config.epochs} · loss ${e.loss.toFixed(4)} acc ${pct(e.accuracy).trim()}${val} · ${(e.elapsedMs / 1000).toFixed(1)} s\n`);
          }
        },
      },
    });
    bar?.stop();
    bar = undefined;
    const { model } = result;
    let { summary } = result;
    if (json) emit({ type: 'summary', summary });
    else {
      io.stdout.write(formatSummary(summary, label));
      if (lastTelemetry) io.stdout.write(formatTelemetry(lastTelemetry, read.file.graph) + formatTelemetryWarnings(summary, read.file.graph));
    }
    writing = true;
    try {
      if (model && flags.saveModel !== undefined) {
        if (summary.status === 'failed') {
          io.stderr.write(`bricks train: not saving the model: the run failed\n`);
        } else {
          await saveModelToDir(model, flags.saveModel);
          if (json) emit({ type: 'saved', dir: flags.saveModel });
          else io.stdout.write(`Saved the trained model to ${path.join(flags.saveModel, 'model.json')} (+ weights.bin)\n`);
        }
      }
      if (flags.record) {
        // The checkpoint first, whole (temp folder + rename): the record never claims a model that is not on disk.
        if (model && summary.status !== 'failed' && summary.graphHash && (read.file.training?.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS) > 0) {
          const dir = checkpointDirFor(file, summary.id);
          await writeCheckpoint(dir, { runId: summary.id, graphHash: summary.graphHash, files: await modelToFiles(model), ...(summary.dataset ? { dataset: summary.dataset } : {}) });
          summary = { ...summary, checkpoint: true };
          if (json) emit({ type: 'checkpoint', runId: summary.id, dir });
          else io.stdout.write(`Kept the trained model beside the file in ${dir}\n`);
        }
        // Re-read so edits made to the file while training are kept; append the run and write atomically.
        const latest = await readGraphFile(file);
        if (!latest.ok) throw new Error(`cannot record the run: ${latest.error.message}`);
        const recorded = { ...latest.file, runs: [...(latest.file.runs ?? []), summary] };
        await writeGraphFileAtomic(file, recorded);
        if (!json) io.stdout.write(`Recorded the run in ${file}\n`);
        const pruned = await pruneCheckpoints(recorded, file, {}, (line) => io.stderr.write(`bricks train: ${line}\n`));
        if (pruned.length > 0 && !json) io.stdout.write(`Removed ${pruned.length} older checkpoint(s): only the newest ${keepCountOf(recorded)} are kept\n`);
      }
    } finally {
      model?.dispose();
    }
    writing = false;
    const stopCode = STOP_SIGNALS[stoppedBy ?? 'SIGINT'];
    ctx.setExitCode(summary.status === 'failed' ? EXIT.problems : summary.status === 'stopped' ? stopCode : EXIT.ok);
  } catch (error) {
    bar?.stop();
    const message = error instanceof Error ? error.message : String(error);
    if (json) emit({ type: 'failed', reason: message });
    io.stderr.write(`bricks train: ${file}: ${message}\n`);
    // Data that cannot be read at all (missing, not UTF-8, changed; a folder with no classes) is unusable input; a bad
    // cell or an unreadable image under --strict is a problem (1).
    ctx.setExitCode((error instanceof TableError && error.kind === 'unusable') || error instanceof ImageFolderError ? EXIT.unusable : EXIT.problems);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

export const trainCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('train')
      .description("Train a graph headless with the file's training config (flags override it)")
      .argument('<file>', '.nbrick graph file')
      .option('--dataset <name>', 'dataset id: xor, circles, moons, spirals, blobs, mnist, iris')
      .option('--data <path>', 'train on your own CSV/TSV table (columns inferred) or image folder (one sub-folder per class, or a labels CSV); see bricks data inspect')
      .option('--strict', 'with an image folder: unreadable files stop the run (exit 1) instead of being skipped')
      .option('--target <column>', 'with --data: the column to predict (default: the last column that can be a target, unless one of its classes has a single row)')
      .option('--task <task>', `with --data: ${DATA_TASKS.join(' or ')} (default: from the target column's type)`)
      .option('--features <columns>', 'with --data: comma-separated feature columns (default: every other numeric or categorical column)')
      .option('--delimiter <d>', 'with --data: the delimiter (, ; tab |) instead of detecting it', delimiterArg)
      .option('--header', 'with --data: the first row names the columns (instead of detecting it)')
      .option('--no-header', 'with --data: the first row is data; columns are column1, column2, …')
      .option('--missing <policy>', `with --data TABLE: ${MISSING_POLICIES.join(' or ')} — drop rows with a missing feature, or fill with the training mean / most frequent value (default fill; rows without a target are always dropped)`)
      .option('--augment <spec>', 'with --data FOLDER: augment training images each epoch, comma-separated: flip, shift=S (share of the side, 0–0.25), rotate=D (degrees, 0–45); off turns it off (default: off, or the file\'s own)')
      .option('--epochs <n>', 'number of epochs', intArg('--epochs'))
      .option('--batch-size <n>', 'samples per batch', intArg('--batch-size'))
      .option('--lr <x>', 'learning rate', numArg('--lr'))
      .option('--optimizer <name>', `one of ${OPTIMIZERS.join(', ')}`)
      .option('--seed <n>', 'random seed (weights, shuffling, dropout)', intArg('--seed'))
      .option('--backend <name>', `one of ${TRAINING_BACKENDS.join(', ')}`)
      .option('--workers <n>', 'data-parallel workers: 1, 2 (split each batch over two threads) or auto (default: 2 where it pays)')
      .option('--validation-split <x>', 'share of the training set held out for validation (0–0.5)', numArg('--validation-split'))
      .option('--samples <n>', 'synthetic datasets: number of points', intArg('--samples'))
      .option('--limit <n>', 'mnist: train on the first N samples only (quick runs)', intArg('--limit'))
      .option('--json', 'JSON lines on stdout (events, then the summary)')
      .option(
        '--telemetry [every]',
        "measure inside the network (gradient norms, update ratios, activations, dead units) on the first step and then every N steps ('auto' or a number; default: the file's interval, else auto); JSON lines of type telemetry with --json",
      )
      .option('--lr-schedule <kind>', `learning-rate schedule: ${LR_SCHEDULE_KINDS.join(', ')} (with --warmup, --lr-step, --lr-decay, --lr-min)`)
      .option('--warmup <epochs>', 'linear learning-rate warm-up over the first EPOCHS (may be fractional)', numArg('--warmup'))
      .option('--lr-step <epochs:factor>', 'step schedule: multiply the rate by FACTOR every EPOCHS (e.g. 10:0.5)')
      .option('--lr-decay <factor>', 'exponential schedule: multiply the rate by FACTOR per epoch (0–1, e.g. 0.9)', numArg('--lr-decay'))
      .option('--lr-min <x>', 'cosine schedule: the rate it anneals to (default 0)', numArg('--lr-min'))
      .option('--clip <spec>', `gradient clipping: agc (λ ${DEFAULT_AGC_LAMBDA}), agc:LAMBDA (adaptive, per unit), norm:MAX_NORM (global norm) or off`)
      .option('--early-stop <metric:patience>', `stop when METRIC (${EARLY_STOP_METRICS.join(', ')}) has not improved for PATIENCE epochs, e.g. val_loss:5; off turns it off`)
      .option('--no-restore-best', 'with early stopping, keep the last weights instead of the best epoch\'s')
      .option('--no-progress', 'no progress bar, even on a terminal')
      .option('--save-model <dir>', 'write the trained model as a tfjs layers model (model.json + weights.bin)')
      .option('--record', "append the run summary to the file's run history and keep the trained model beside it (FILE-runs/<run id>/)")
      .addHelpText(
        'after',
        `
Exit codes: 0 completed · 1 the graph or data do not fit, training diverged, or (--strict) an image cannot be read ·
  2 unreadable file, unusable folder or bad config ·
  130 stopped with Ctrl+C (SIGINT) · 143 stopped with SIGTERM. A stopped run still prints its summary (status stopped);
  a second signal aborts at once, except while --save-model or --record is writing.

Examples:
  bricks train examples/mnist-mlp.nbrick --epochs 3
  bricks train model.nbrick --backend wasm --json > run.jsonl
  bricks train bench/mlp.nbrick --backend wasm --workers 2 --limit 2048
  bricks train model.nbrick --save-model out/model --record
  bricks train model.nbrick --lr-schedule cosine --warmup 2 --clip agc:0.01 --early-stop val_loss:5
  bricks train penguins.nbrick --data penguins.csv --target species
  bricks train penguins.nbrick --data penguins.csv --target species --missing drop   (reports the rows dropped)
  bricks train shapes.nbrick --data shapes/ --augment flip,shift=0.1,rotate=10
  bricks train shapes.nbrick --data shapes/ --record   (an image folder: unreadable images skipped and listed)
  bricks train shapes.nbrick --data shapes/ --strict   (unreadable images stop the run)`,
      )
      .action(async (file: string, flags: TrainFlags) => {
        await train(file, flags, ctx);
      });
  },
};
