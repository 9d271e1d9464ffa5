/**
 * The training options of the settings form (learning-rate schedule, gradient clipping, early stopping) as plain
 * functions: the ranges each field accepts (the file format's), what an invalid entry is told, how a choice in a
 * select rewrites the config, problems that span fields, the learning-rate curve under the loss chart, and how a
 * run that stopped early is described. Unit-tested beside.
 */
import { z } from 'zod';
import {
  DEFAULT_AGC_LAMBDA,
  earlyStoppingSchema,
  gradientClippingSchema,
  learningRateScheduleSchema,
  trainingConfigSchema,
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

type NumberSchema = z.ZodNumber | z.ZodOptional<z.ZodNumber>;

/**
 * The rule a field of the file format's schema states (shared/format/trainingConfig.ts): its bounds, whether the
 * bound itself is allowed, whole numbers or not. Read off the schema so the form, the file check and the CLI agree.
 */
export function ruleOf(schema: NumberSchema, extra: { unit?: string; min?: number } = {}): NumberRule {
  const number = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  const min = extra.min ?? number.minValue;
  const max = number.maxValue;
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) throw new Error('a training field without bounds');
  return {
    min,
    max,
    ...(number.safeParse(min).success ? {} : { minExclusive: true }),
    ...(number.isInt ? { integer: true } : {}),
    ...(extra.unit ? { unit: extra.unit } : {}),
  };
}

const [constantSchedule, stepSchedule, exponentialSchedule, cosineSchedule] = learningRateScheduleSchema.options;
const [agcClip, normClip] = gradientClippingSchema.options;
const fields = trainingConfigSchema.shape;

export const OPTION_RULES = {
  warmupEpochs: ruleOf(constantSchedule.shape.warmupEpochs, { unit: 'epochs' }),
  everyEpochs: ruleOf(stepSchedule.shape.everyEpochs, { unit: 'epochs' }),
  factor: ruleOf(exponentialSchedule.shape.factor),
  minLearningRate: ruleOf(cosineSchedule.shape.minLearningRate),
  lambda: ruleOf(agcClip.shape.lambda),
  maxNorm: ruleOf(normClip.shape.maxNorm),
  patience: ruleOf(earlyStoppingSchema.shape.patience, { unit: 'epochs' }),
} as const satisfies Record<string, NumberRule>;

/** The main settings' number fields. Telemetry "every N steps" starts at 1: its 0 is the separate choice "off". */
export const TRAINING_FIELD_RULES = {
  learningRate: ruleOf(fields.learningRate),
  batchSize: ruleOf(fields.batchSize),
  epochs: ruleOf(fields.epochs),
  validationSplit: ruleOf(fields.validationSplit),
  seed: ruleOf(fields.seed),
  keepCheckpoints: ruleOf(fields.keepCheckpoints),
  telemetryEvery: ruleOf(fields.telemetryEvery, { min: 1, unit: 'steps' }),
} as const satisfies Record<string, NumberRule>;

function fmt(x: number): string {
  return x >= 1e5 ? x.toLocaleString('en-US') : String(x);
}

/** "0–100,000 epochs", "above 0, at most 1", "whole number, 1–100,000 epochs". */
export function rangeText(rule: NumberRule): string {
  const range = rule.minExclusive ? `above ${fmt(rule.min)}, at most ${fmt(rule.max)}` : `${fmt(rule.min)}–${fmt(rule.max)}`;
  return `${rule.integer ? 'whole number, ' : ''}${range}${rule.unit ? ` ${rule.unit}` : ''}`;
}

/** "a whole number from 1 to 100,000", "a number above 0 and at most 10". */
function requirement(rule: NumberRule): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  const range = rule.minExclusive ? `above ${fmt(rule.min)} and at most ${fmt(rule.max)}` : `from ${fmt(rule.min)} to ${fmt(rule.max)}`;
  return `${kind} ${range}${rule.unit ? ` ${rule.unit}` : ''}`;
}

export type Checked = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/**
 * The number typed into a field, or why it is not accepted: "Epochs must be a whole number from 1 to 100,000 (0 is
 * too small)". The field keeps the text and shows the reason.
 */
export function checkNumber(text: string, rule: NumberRule, label = 'The value'): Checked {
  const value = Number(text);
  const must = `${label} must be ${requirement(rule)}`;
  if (text.trim() === '') return { ok: false, message: `${must} (the field is empty)` };
  if (!Number.isFinite(value)) return { ok: false, message: `${must} (“${text}” is not a number)` };
  if (rule.integer && !Number.isInteger(value)) return { ok: false, message: `${must} (${text} is not whole)` };
  if (value < rule.min || (rule.minExclusive && value === rule.min)) return { ok: false, message: `${must} (${text} is too small)` };
  if (value > rule.max) return { ok: false, message: `${must} (${text} is too large)` };
  return { ok: true, value };
}

/** What a number field shows: the text as typed (never replaced by a check) and, when refused, why. */
export interface NumberFieldState {
  readonly text: string;
  readonly error?: string;
}

/** The field after the user typed `text`: the text stays as typed; an entry that is refused says why. */
export function typedInto(text: string, rule: NumberRule, label: string): NumberFieldState {
  const checked = checkNumber(text, rule, label);
  return checked.ok ? { text } : { text, error: checked.message };
}

/** The value the config holds after `text` is committed (blur, Enter): the typed number if valid, else the last valid one. */
export function valueAfterCommit(text: string, rule: NumberRule, current: number): number {
  const checked = checkNumber(text, rule);
  return checked.ok ? checked.value : current;
}

/**
 * Why Start training waits, first reason first, or undefined when it can start: fields whose entries are refused, then
 * settings that contradict each other, then a graph that does not fit the data.
 */
export function startBlockedReason(state: {
  readonly fieldErrors: readonly string[];
  readonly settingsProblems: readonly string[];
  readonly graphProblems: readonly string[];
  readonly experimentActive?: boolean;
  readonly hasDataset?: boolean;
  /** The bundled datasets are still being listed: "no dataset" would be premature. */
  readonly datasetsLoading?: boolean;
}): string | undefined {
  if (state.experimentActive) return 'Variants are training (Compare variants): Start waits until they finish.';
  const [field] = state.fieldErrors;
  if (field !== undefined) {
    const more = state.fieldErrors.length - 1;
    return `Fix the settings first: ${field}${more > 0 ? ` (and ${more} more field${more === 1 ? '' : 's'})` : ''}.`;
  }
  if (state.settingsProblems[0]) return state.settingsProblems[0];
  if (state.graphProblems.length > 0) return 'The graph does not fit the dataset (see above).';
  if (state.hasDataset === false) return state.datasetsLoading ? 'Loading the datasets…' : 'No dataset chosen.';
  return undefined;
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
