/**
 * The training options of the settings form (learning-rate schedule, gradient clipping, early stopping) as plain
 * functions: the ranges each field accepts (the file format's), what an invalid entry is told, how a choice in a
 * select rewrites the config, problems that span fields, the learning-rate curve under the loss chart, and how a
 * run that stopped early is described. Unit-tested beside.
 */
import {
  DEFAULT_AGC_LAMBDA,
  MAX_EPOCHS,
  type EarlyStopping,
  type GradientClipping,
  type LearningRateSchedule,
  type TrainingConfig,
} from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import { learningRateAt, learningRateCurve, type ScheduleContext } from '../../../shared/training/learningRateSchedule';
import type { ChartSeries } from './MetricChart';

/** What a number field accepts: the file format's bounds for that field. */
export interface NumberRule {
  readonly min: number;
  readonly max: number;
  /** The minimum itself is not allowed (a factor of 0, a λ of 0). */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
  /** Shown after the range: "epochs". */
  readonly unit?: string;
}

export const OPTION_RULES = {
  warmupEpochs: { min: 0, max: MAX_EPOCHS, unit: 'epochs' },
  everyEpochs: { min: 1, max: MAX_EPOCHS, integer: true, unit: 'epochs' },
  factor: { min: 0, max: 1, minExclusive: true },
  minLearningRate: { min: 0, max: 10 },
  lambda: { min: 0, max: 100, minExclusive: true },
  maxNorm: { min: 0, max: 1e6, minExclusive: true },
  patience: { min: 1, max: MAX_EPOCHS, integer: true, unit: 'epochs' },
} as const satisfies Record<string, NumberRule>;

function fmt(x: number): string {
  return x >= 1e5 ? x.toLocaleString('en-US') : String(x);
}

/** "0–100,000 epochs", "above 0, at most 1", "whole number, 1–100,000 epochs". */
export function rangeText(rule: NumberRule): string {
  const range = rule.minExclusive ? `above ${fmt(rule.min)}, at most ${fmt(rule.max)}` : `${fmt(rule.min)}–${fmt(rule.max)}`;
  return `${rule.integer ? 'whole number, ' : ''}${range}${rule.unit ? ` ${rule.unit}` : ''}`;
}

export type Checked = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/** The number typed into a field, or why it is not accepted (the field keeps the text and shows the reason). */
export function checkNumber(text: string, rule: NumberRule): Checked {
  const value = Number(text);
  const allowed = `allowed: ${rangeText(rule)}`;
  if (text.trim() === '' || !Number.isFinite(value)) return { ok: false, message: `Not a number — ${allowed}` };
  if (rule.integer && !Number.isInteger(value)) return { ok: false, message: `Must be a whole number — ${allowed}` };
  if (value < rule.min || (rule.minExclusive && value === rule.min)) return { ok: false, message: `Too small — ${allowed}` };
  if (value > rule.max) return { ok: false, message: `Too large — ${allowed}` };
  return { ok: true, value };
}

type Without<K extends keyof TrainingConfig> = Omit<TrainingConfig, K>;

function without<K extends keyof TrainingConfig>(config: TrainingConfig, key: K): Without<K> {
  const { [key]: _dropped, ...rest } = config;
  return rest;
}

export type ScheduleKind = LearningRateSchedule['kind'];

/**
 * The schedule of `kind` with sensible starting parameters (a step every third of the run, × 0.5; × 0.9 per epoch;
 * cosine to 0), the warm-up kept. A constant rate without warm-up is the field absent.
 */
export function withScheduleKind(config: TrainingConfig, kind: ScheduleKind): TrainingConfig {
  const warmup = config.lrSchedule?.warmupEpochs;
  const w = warmup !== undefined && warmup > 0 ? { warmupEpochs: warmup } : {};
  const current = config.lrSchedule?.kind === kind ? config.lrSchedule : undefined;
  let schedule: LearningRateSchedule;
  switch (kind) {
    case 'constant':
      schedule = { kind, ...w };
      break;
    case 'step':
      schedule = current ?? { kind, everyEpochs: Math.max(1, Math.floor(config.epochs / 3)), factor: 0.5, ...w };
      break;
    case 'exponential':
      schedule = current ?? { kind, factor: 0.9, ...w };
      break;
    case 'cosine':
      schedule = current ?? { kind, ...w };
      break;
  }
  return withSchedule(config, schedule);
}

/** `config` with `schedule` (absent when it is a constant rate without warm-up). */
export function withSchedule(config: TrainingConfig, schedule: LearningRateSchedule): TrainingConfig {
  const plain = schedule.kind === 'constant' && !(schedule.warmupEpochs !== undefined && schedule.warmupEpochs > 0);
  if (plain) return without(config, 'lrSchedule');
  // Warm-up 0 is the same as none: keep the file free of it.
  if (schedule.warmupEpochs === 0) {
    const { warmupEpochs: _none, ...rest } = schedule;
    return { ...config, lrSchedule: rest as LearningRateSchedule };
  }
  return { ...config, lrSchedule: schedule };
}

export type ClipKind = 'off' | GradientClipping['kind'];

export function withClipKind(config: TrainingConfig, kind: ClipKind): TrainingConfig {
  if (kind === 'off') return without(config, 'clip');
  if (config.clip?.kind === kind) return config;
  return { ...config, clip: kind === 'agc' ? { kind, lambda: DEFAULT_AGC_LAMBDA } : { kind, maxNorm: 1 } };
}

export type EarlyStopChoice = 'off' | EarlyStopping['metric'];

/** Early stopping on `metric` (patience 5 when newly turned on), or off. */
export function withEarlyStopMetric(config: TrainingConfig, choice: EarlyStopChoice): TrainingConfig {
  if (choice === 'off') return without(config, 'earlyStopping');
  return { ...config, earlyStopping: { ...(config.earlyStopping ?? { patience: 5 }), metric: choice } };
}

/** restoreBest is true when absent: the field is written only when turned off. */
export function withRestoreBest(config: TrainingConfig, restore: boolean): TrainingConfig {
  const es = config.earlyStopping;
  if (!es) return config;
  const { restoreBest: _was, ...rest } = es;
  return { ...config, earlyStopping: restore ? rest : { ...rest, restoreBest: false } };
}

/** Problems across fields that would make a run fail at start: explained, and Start waits until they are fixed. */
export function optionProblems(config: TrainingConfig): string[] {
  const problems: string[] = [];
  const es = config.earlyStopping;
  if (es?.metric.startsWith('val_') && config.validationSplit === 0) {
    problems.push(`Early stopping on ${es.metric} needs validation data: set Validation split above 0, or stop on loss / accuracy.`);
  }
  return problems;
}

/** A schedule worth drawing: anything but a constant rate without warm-up. */
export function hasSchedule(config: TrainingConfig): boolean {
  return config.lrSchedule !== undefined && withSchedule(config, config.lrSchedule).lrSchedule !== undefined;
}

/** Training steps per epoch the trainer will run for `trainCount` samples before the validation split. */
export function scheduleContextFor(config: TrainingConfig, trainCount: number, batchesPerEpoch?: number): ScheduleContext {
  const trainSize = Math.max(1, trainCount - Math.floor(trainCount * config.validationSplit));
  const perEpoch = batchesPerEpoch ?? Math.ceil(trainSize / Math.min(config.batchSize, trainSize));
  return { learningRate: config.learningRate, batchesPerEpoch: Math.max(1, perEpoch), epochs: config.epochs };
}

/** The curve (x in epochs, like the loss chart) and, while training, the current step as one marked point. */
export function learningRateSeries(
  schedule: LearningRateSchedule | undefined,
  ctx: ScheduleContext,
  current?: { readonly epoch: number; readonly batch: number },
): ChartSeries[] {
  const series: ChartSeries[] = [
    { label: 'learning rate', points: learningRateCurve(schedule, ctx).map((p) => [p.x, p.lr] as const), color: '#16a085', width: 1.5 },
  ];
  if (current && current.batch > 0) {
    const step = (current.epoch - 1) * ctx.batchesPerEpoch + current.batch - 1;
    series.push({ label: 'now', points: [[step / ctx.batchesPerEpoch, learningRateAt(schedule, step, ctx)] as const], color: '#e4572e', markers: true, width: 0 });
  }
  return series;
}

/** "stopped early at epoch 12, best epoch 9 restored", or undefined when early stopping did not end the run. */
export function earlyStopNote(run: Pick<RunSummary, 'earlyStopped' | 'epochs'>): string | undefined {
  const es = run.earlyStopped;
  if (!es) return undefined;
  const at = `stopped early at epoch ${run.epochs.length}`;
  return es.restoredBest ? `${at}, best epoch ${es.bestEpoch} restored` : `${at}, best epoch ${es.bestEpoch} (last weights kept)`;
}

/** The options in the folded settings line: "cosine lr, warm-up 2 · AGC λ 0.01 · early stop val_loss/5". */
export function optionsLine(config: TrainingConfig): string {
  const parts: string[] = [];
  const s = config.lrSchedule;
  if (s && hasSchedule(config)) parts.push(`${s.kind} lr${s.warmupEpochs ? `, warm-up ${s.warmupEpochs}` : ''}`);
  if (config.clip) parts.push(config.clip.kind === 'agc' ? `AGC λ ${config.clip.lambda}` : `clip norm ${config.clip.maxNorm}`);
  if (config.earlyStopping) parts.push(`early stop ${config.earlyStopping.metric}/${config.earlyStopping.patience}`);
  return parts.join(' · ');
}
