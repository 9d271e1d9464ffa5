import { describe, expect, it } from 'vitest';
import { learningRateAt, learningRateCurve } from './learningRateSchedule';

const ctx = { learningRate: 0.1, batchesPerEpoch: 10, epochs: 20 };

describe('learningRateAt', () => {
  it('constant and absent schedules keep the rate', () => {
    expect(learningRateAt(undefined, 57, ctx)).toBe(0.1);
    expect(learningRateAt({ kind: 'constant' }, 57, ctx)).toBe(0.1);
  });
  it('step multiplies by the factor at every boundary', () => {
    const s = { kind: 'step', everyEpochs: 5, factor: 0.5 } as const;
    expect(learningRateAt(s, 49, ctx)).toBeCloseTo(0.1);
    expect(learningRateAt(s, 50, ctx)).toBeCloseTo(0.05);
    expect(learningRateAt(s, 100, ctx)).toBeCloseTo(0.025);
  });
  it('exponential decays smoothly by the factor per epoch', () => {
    const s = { kind: 'exponential', factor: 0.9 } as const;
    expect(learningRateAt(s, 10, ctx)).toBeCloseTo(0.09);
    expect(learningRateAt(s, 15, ctx)).toBeCloseTo(0.1 * 0.9 ** 1.5);
  });
  it('cosine goes from the rate to the minimum over the run (independent formula)', () => {
    const s = { kind: 'cosine', minLearningRate: 0.001 } as const;
    expect(learningRateAt(s, 0, ctx)).toBeCloseTo(0.1);
    expect(learningRateAt(s, 100, ctx)).toBeCloseTo(0.001 + (0.099 * (1 + Math.cos(Math.PI / 2))) / 2);
    expect(learningRateAt(s, 200, ctx)).toBeCloseTo(0.001);
  });
  it('warm-up rises linearly to the rate, then the schedule starts from its beginning', () => {
    const s = { kind: 'cosine', warmupEpochs: 2 } as const;
    expect(learningRateAt(s, 0, ctx)).toBeCloseTo(0.1 / 20);
    expect(learningRateAt(s, 9, ctx)).toBeCloseTo(0.05);
    expect(learningRateAt(s, 19, ctx)).toBeCloseTo(0.1);
    expect(learningRateAt(s, 20, ctx)).toBeCloseTo(0.1);
    // Cosine over the 18 epochs left: halfway at epoch 2 + 9.
    expect(learningRateAt(s, 110, ctx)).toBeCloseTo(0.05);
  });
  it('the curve covers the whole run within the point budget', () => {
    const curve = learningRateCurve({ kind: 'exponential', factor: 0.5 }, ctx, 50);
    expect(curve.length).toBeLessThanOrEqual(51);
    expect(curve[0]).toEqual({ x: 0, lr: 0.1 });
    expect(curve.at(-1)!.x).toBeCloseTo(19.9);
  });
});
