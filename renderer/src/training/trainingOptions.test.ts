import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
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
    expect(checkNumber('0', OPTION_RULES.factor)).toEqual({ ok: false, message: 'Too small — allowed: above 0, at most 1' });
    expect(checkNumber('1.5', OPTION_RULES.factor)).toEqual({ ok: false, message: 'Too large — allowed: above 0, at most 1' });
    expect(checkNumber('', OPTION_RULES.lambda)).toMatchObject({ ok: false, message: expect.stringMatching(/^Not a number/) });
    expect(checkNumber('2.5', OPTION_RULES.patience)).toEqual({ ok: false, message: 'Must be a whole number — allowed: whole number, 1–100,000 epochs' });
    expect(checkNumber('0', OPTION_RULES.warmupEpochs)).toEqual({ ok: true, value: 0 });
    expect(rangeText(OPTION_RULES.maxNorm)).toBe('above 0, at most 1,000,000');
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
