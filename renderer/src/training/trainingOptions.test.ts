import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, MAX_BATCH_SIZE, MAX_EPOCHS, trainingConfigSchema, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { learningRateAt } from '../../../shared/training/learningRateSchedule';
import {
  checkNumber,
  earlyStopNote,
  hasSchedule,
  learningRateSeries,
  OPTION_RULES,
  optionProblems,
  optionsLine,
  rangeText,
  scheduleContextFor,
  startBlockedReason,
  TRAINING_FIELD_RULES,
  typedInto,
  valueAfterCommit,
  withClipKind,
  withEarlyStopMetric,
  withRestoreBest,
  withSchedule,
  withScheduleKind,
} from './trainingOptions';

const config = (patch: Partial<TrainingConfig> = {}): TrainingConfig => ({ ...DEFAULT_TRAINING_CONFIG, epochs: 30, ...patch });

describe('training option fields', () => {
  it('accepts what the file format accepts and says why anything else is refused, with the range', () => {
    expect(checkNumber('0.5', OPTION_RULES.factor)).toEqual({ ok: true, value: 0.5 });
    expect(checkNumber('1', OPTION_RULES.factor)).toEqual({ ok: true, value: 1 });
    expect(checkNumber('0', OPTION_RULES.factor, 'Step factor')).toEqual({ ok: false, message: 'Step factor must be a number above 0 and at most 1 (0 is too small)' });
    expect(checkNumber('1.5', OPTION_RULES.factor, 'Step factor')).toEqual({ ok: false, message: 'Step factor must be a number above 0 and at most 1 (1.5 is too large)' });
    expect(checkNumber('', OPTION_RULES.lambda, 'AGC λ')).toEqual({ ok: false, message: 'AGC λ must be a number above 0 and at most 100 (the field is empty)' });
    expect(checkNumber('2.5', OPTION_RULES.patience, 'Patience')).toEqual({ ok: false, message: 'Patience must be a whole number from 1 to 100,000 epochs (2.5 is not whole)' });
    expect(checkNumber('0', OPTION_RULES.warmupEpochs)).toEqual({ ok: true, value: 0 });
    expect(rangeText(OPTION_RULES.maxNorm)).toBe('above 0, at most 1,000,000');
  });

  it('reads every field rule off the file format schema, so the form refuses exactly what a file may not hold', () => {
    expect(TRAINING_FIELD_RULES.epochs).toEqual({ min: 1, max: MAX_EPOCHS, integer: true });
    expect(TRAINING_FIELD_RULES.learningRate).toEqual({ min: 0, max: 10, minExclusive: true });
    expect(TRAINING_FIELD_RULES.validationSplit).toEqual({ min: 0, max: 0.5 });
    expect(TRAINING_FIELD_RULES.batchSize).toEqual({ min: 1, max: MAX_BATCH_SIZE, integer: true });
    expect(TRAINING_FIELD_RULES.telemetryEvery).toMatchObject({ min: 1, integer: true, unit: 'steps' });
    const keys = ['learningRate', 'batchSize', 'epochs', 'validationSplit', 'seed', 'keepCheckpoints'] as const;
    for (const key of keys) {
      const rule = TRAINING_FIELD_RULES[key];
      const step = rule.integer ? 1 : 1e-3;
      for (const value of [rule.min - step, rule.min, rule.min + step, rule.max - step, rule.max, rule.max + step, rule.min + 0.5]) {
        const schemaSays = trainingConfigSchema.safeParse({ ...DEFAULT_TRAINING_CONFIG, [key]: value }).success;
        expect(checkNumber(String(value), rule).ok, `${key} = ${value}`).toBe(schemaSays);
      }
    }
  });

  it('says the range in words an error message can use', () => {
    expect(checkNumber('0', TRAINING_FIELD_RULES.epochs, 'Epochs')).toEqual({ ok: false, message: 'Epochs must be a whole number from 1 to 100,000 (0 is too small)' });
    expect(checkNumber('100', TRAINING_FIELD_RULES.learningRate, 'Learning rate')).toEqual({
      ok: false,
      message: 'Learning rate must be a number above 0 and at most 10 (100 is too large)',
    });
    expect(checkNumber('abc', TRAINING_FIELD_RULES.seed, 'Seed')).toMatchObject({ ok: false, message: expect.stringContaining('“abc” is not a number') });
    expect(rangeText(TRAINING_FIELD_RULES.epochs)).toBe('whole number, 1–100,000');
    expect(rangeText(TRAINING_FIELD_RULES.learningRate)).toBe('above 0, at most 10');
  });

  it('keeps what the user typed in the field and the last valid value in the config', () => {
    expect(typedInto('0', TRAINING_FIELD_RULES.epochs, 'Epochs')).toEqual({ text: '0', error: 'Epochs must be a whole number from 1 to 100,000 (0 is too small)' });
    expect(typedInto('12', TRAINING_FIELD_RULES.epochs, 'Epochs')).toEqual({ text: '12' });
    expect(typedInto('', TRAINING_FIELD_RULES.epochs, 'Epochs')).toMatchObject({ text: '' });
    expect(valueAfterCommit('0', TRAINING_FIELD_RULES.epochs, 20)).toBe(20);
    expect(valueAfterCommit('100', TRAINING_FIELD_RULES.learningRate, 0.01)).toBe(0.01);
    expect(valueAfterCommit('0.5', TRAINING_FIELD_RULES.learningRate, 0.01)).toBe(0.5);
    expect(valueAfterCommit('12', TRAINING_FIELD_RULES.epochs, 20)).toBe(12);
  });

  it('says why Start waits: refused fields first, then contradictions, then the graph', () => {
    const none = { fieldErrors: [], settingsProblems: [], graphProblems: [], hasDataset: true };
    expect(startBlockedReason(none)).toBeUndefined();
    expect(startBlockedReason({ ...none, fieldErrors: ['Epochs must be a whole number from 1 to 100,000 (0 is too small)'] })).toBe(
      'Fix the settings first: Epochs must be a whole number from 1 to 100,000 (0 is too small).',
    );
    expect(startBlockedReason({ ...none, fieldErrors: ['A', 'B', 'C'], settingsProblems: ['P'] })).toBe('Fix the settings first: A (and 2 more fields).');
    expect(startBlockedReason({ ...none, settingsProblems: ['P'], graphProblems: ['G'] })).toBe('P');
    expect(startBlockedReason({ ...none, graphProblems: ['G'] })).toMatch(/does not fit the dataset/);
    expect(startBlockedReason({ ...none, hasDataset: false })).toBe('No dataset chosen.');
    // While the list loads, the chosen dataset is not known yet: no error-like message.
    expect(startBlockedReason({ ...none, hasDataset: false, datasetsLoading: true })).toBe('Loading the datasets…');
    expect(startBlockedReason({ ...none, fieldErrors: ['A'], experimentActive: true })).toMatch(/^Variants are training/);
  });

  it('picks a schedule with starting parameters, keeps the warm-up, and drops a plain constant rate', () => {
    const step = withScheduleKind(config(), 'step');
    expect(step.lrSchedule).toEqual({ kind: 'step', everyEpochs: 10, factor: 0.5 });
    const warm = withSchedule(step, { ...step.lrSchedule!, warmupEpochs: 2 });
    expect(withScheduleKind(warm, 'cosine').lrSchedule).toEqual({ kind: 'cosine', warmupEpochs: 2 });
    expect(withScheduleKind(warm, 'constant').lrSchedule).toEqual({ kind: 'constant', warmupEpochs: 2 });
    expect('lrSchedule' in withScheduleKind(step, 'constant')).toBe(false);
    expect(withSchedule(warm, { kind: 'step', everyEpochs: 10, factor: 0.5, warmupEpochs: 0 }).lrSchedule).toEqual({ kind: 'step', everyEpochs: 10, factor: 0.5 });
    expect(hasSchedule(config())).toBe(false);
    expect(hasSchedule(config({ lrSchedule: { kind: 'constant' } }))).toBe(false);
    expect(hasSchedule(warm)).toBe(true);
  });

  it('turns clipping and early stopping on and off; restoreBest is written only when off', () => {
    expect(withClipKind(config(), 'agc').clip).toEqual({ kind: 'agc', lambda: 0.01 });
    expect(withClipKind(config(), 'norm').clip).toEqual({ kind: 'norm', maxNorm: 1 });
    expect('clip' in withClipKind(withClipKind(config(), 'agc'), 'off')).toBe(false);
    const es = withEarlyStopMetric(config(), 'val_loss');
    expect(es.earlyStopping).toEqual({ metric: 'val_loss', patience: 5 });
    expect(withEarlyStopMetric({ ...es, earlyStopping: { metric: 'val_loss', patience: 9 } }, 'loss').earlyStopping).toEqual({ metric: 'loss', patience: 9 });
    expect(withRestoreBest(es, false).earlyStopping).toEqual({ metric: 'val_loss', patience: 5, restoreBest: false });
    expect(withRestoreBest(withRestoreBest(es, false), true).earlyStopping).toEqual({ metric: 'val_loss', patience: 5 });
    expect('earlyStopping' in withEarlyStopMetric(es, 'off')).toBe(false);
  });

  it('explains a validation metric without validation data', () => {
    expect(optionProblems(withEarlyStopMetric(config({ validationSplit: 0 }), 'val_accuracy'))).toEqual([
      'Early stopping on val_accuracy needs validation data: set Validation split above 0, or stop on loss / accuracy.',
    ]);
    expect(optionProblems(withEarlyStopMetric(config({ validationSplit: 0 }), 'loss'))).toEqual([]);
  });

  it('draws the schedule the trainer applies, with the current step marked', () => {
    const cfg = config({ learningRate: 0.1, batchSize: 32, validationSplit: 0.2, epochs: 10, lrSchedule: { kind: 'cosine', warmupEpochs: 1 } });
    const ctx = scheduleContextFor(cfg, 320); // 256 train samples → 8 steps per epoch
    expect(ctx).toEqual({ learningRate: 0.1, batchesPerEpoch: 8, epochs: 10 });
    const [curve, now] = learningRateSeries(cfg.lrSchedule, ctx, { epoch: 3, batch: 4 });
    expect(curve!.points[0]).toEqual([0, learningRateAt(cfg.lrSchedule, 0, ctx)]);
    expect(curve!.points.length).toBe(80);
    expect(now!.points).toEqual([[(2 * 8 + 3) / 8, learningRateAt(cfg.lrSchedule, 2 * 8 + 3, ctx)]]);
    expect(learningRateSeries(cfg.lrSchedule, ctx)).toHaveLength(1);
  });

  it('describes a run that stopped early, and the options in one line', () => {
    const epochs = Array.from({ length: 12 }, (_, i) => ({ epoch: i + 1, loss: 1 }));
    expect(earlyStopNote({ epochs, earlyStopped: { bestEpoch: 9, restoredBest: true } })).toBe('stopped early at epoch 12, best epoch 9 restored');
    expect(earlyStopNote({ epochs, earlyStopped: { bestEpoch: 9, restoredBest: false } })).toBe('stopped early at epoch 12, best epoch 9 (last weights kept)');
    expect(earlyStopNote({ epochs })).toBeUndefined();
    const all = config({ lrSchedule: { kind: 'cosine', warmupEpochs: 2 }, clip: { kind: 'agc', lambda: 0.01 }, earlyStopping: { metric: 'val_loss', patience: 5 } });
    expect(optionsLine(all)).toBe('cosine lr, warm-up 2 · AGC λ 0.01 · early stop val_loss/5');
    expect(optionsLine(config())).toBe('');
  });
});
