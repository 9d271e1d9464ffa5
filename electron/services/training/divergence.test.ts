import { describe, expect, it } from 'vitest';
import { CROSS_ENTROPY_CEILING, DivergenceDetector, lossCeilingOf } from './divergence';

const crossEntropy = () => new DivergenceDetector({ lossCeiling: CROSS_ENTROPY_CEILING, learningRate: 10, optimizer: 'sgd' });

/** Feeds losses as consecutive batches of epoch 1 (of `samples` rows) and returns the first verdict. */
function feed(detector: DivergenceDetector, losses: readonly number[], samples?: number) {
  for (let i = 0; i < losses.length; i++) {
    const verdict = detector.observeBatchLoss(losses[i]!, { epoch: 1, batch: i + 1 }, samples);
    if (verdict) return verdict;
  }
  return undefined;
}

describe('DivergenceDetector', () => {
  it('knows the ceiling tfjs-layers clips cross-entropy at (−ln 1e-7), and that a saturated 2-class run sits at half of it', () => {
    expect(CROSS_ENTROPY_CEILING).toBeCloseTo(16.118, 3);
    expect(CROSS_ENTROPY_CEILING / 2).toBeCloseTo(8.059, 3);
    expect(lossCeilingOf('categoricalCrossentropy')).toBe(CROSS_ENTROPY_CEILING);
    expect(lossCeilingOf('binaryCrossentropy')).toBe(CROSS_ENTROPY_CEILING);
    expect(lossCeilingOf('meanSquaredError')).toBeUndefined();
  });

  it('calls a NaN or infinite loss diverged at once, naming epoch and batch, with advice', () => {
    const verdict = feed(crossEntropy(), [0.69, 0.6, NaN]);
    expect(verdict).toMatchObject({ rule: 'non-finite', epoch: 1, batch: 3 });
    expect(verdict!.reason).toMatch(/^Training diverged: the loss became NaN at epoch 1, batch 3\./);
    expect(verdict!.reason).toContain('lower learning rate (now 10; try 1)');
    expect(verdict!.reason).toContain('BatchNorm');
    expect(verdict!.reason).toContain('use adam');
    expect(feed(crossEntropy(), [Infinity])).toMatchObject({ rule: 'non-finite', batch: 1 });
  });

  it('does not suggest adam to a run that already uses it', () => {
    const detector = new DivergenceDetector({ learningRate: 0.5, optimizer: 'adam' });
    expect(feed(detector, [NaN])!.reason).not.toContain('use adam');
  });

  it('calls a loss stuck at the clipped maximum diverged after a full window, not before', () => {
    const saturated = [0.69, ...Array<number>(19).fill(8.059)];
    expect(feed(crossEntropy(), saturated)).toBeUndefined();
    const verdict = feed(crossEntropy(), [...saturated, 8.059, 8.059]);
    expect(verdict).toMatchObject({ rule: 'saturated', epoch: 1, batch: 21 });
    expect(verdict!.reason).toContain('the loss stayed at 8.06 for 20 batches up to epoch 1, batch 21, with its misclassified samples pinned at the clipped cross-entropy maximum (16.1 each):');
  });

  it('recognises outputs stuck at the clip below that share: the loss is a whole number of ceilings over the batch', () => {
    // xor at learning rate 10: 4 of 16 samples wrong at the clip, 12 right at ~0 (accuracy 75 %, loss 4.03).
    const stuck = (wrong: number) => (wrong * CROSS_ENTROPY_CEILING) / 16 + 1e-6;
    const losses = [0.6, ...Array.from({ length: 30 }, (_, i) => stuck([4, 2, 5, 4, 7][i % 5]!))];
    expect(feed(crossEntropy(), losses, 16)).toMatchObject({ rule: 'saturated', batch: 21 });
    // The same losses without the batch size cannot be told from a slow start below the share.
    expect(feed(crossEntropy(), losses.map((l) => Math.min(l, 2.5)))).toBeUndefined();
    // A healthy loss is rarely a whole number of ceilings, and never for 20 batches in a row.
    const healthy = Array.from({ length: 500 }, (_, i) => 0.3 + 0.2 * Math.abs(Math.sin(i * 7.77)));
    expect(feed(crossEntropy(), healthy, 16)).toBeUndefined();
  });

  it('shortens the window for runs with fewer batches (never below 3)', () => {
    const short = new DivergenceDetector({ lossCeiling: CROSS_ENTROPY_CEILING, learningRate: 10, totalBatches: 5 });
    expect(feed(short, [0.69, 8.06, 8.06, 8.06, 8.06])).toMatchObject({ rule: 'saturated', batch: 5 });
    const tiny = new DivergenceDetector({ lossCeiling: CROSS_ENTROPY_CEILING, learningRate: 10, totalBatches: 2 });
    expect(feed(tiny, [0.69, 8.06])).toBeUndefined();
  });

  it('calls a loss far above its start for a sustained window diverged, whatever the head', () => {
    const mse = new DivergenceDetector({ learningRate: 1 });
    const verdict = feed(mse, [0.1, ...Array<number>(25).fill(0.9)]);
    expect(verdict).toMatchObject({ rule: 'rising', batch: 21 });
    expect(verdict!.reason).toContain('above 5× its starting value (0.9 vs 0.1)');
  });

  it('forgives spikes: a streak of bad batches that ends before the window resets', () => {
    const spiky: number[] = [0.5];
    for (let round = 0; round < 20; round++) spiky.push(...Array<number>(15).fill(9), 0.4);
    expect(feed(crossEntropy(), spiky)).toBeUndefined();
  });

  it('leaves a healthy, noisy, falling loss alone', () => {
    const healthy = Array.from({ length: 2000 }, (_, i) => 0.7 * Math.exp(-i / 300) + 0.05 * Math.abs(Math.sin(i * 12.9898)));
    expect(feed(crossEntropy(), healthy)).toBeUndefined();
  });

  it('calls non-finite evaluation losses diverged, naming which', () => {
    const detector = crossEntropy();
    expect(detector.observeEvaluation('validation loss', 0.3, { epoch: 2 })).toBeUndefined();
    const verdict = detector.observeEvaluation('validation loss', Infinity, { epoch: 3 });
    expect(verdict).toMatchObject({ rule: 'non-finite', epoch: 3 });
    expect(verdict).not.toHaveProperty('batch');
    expect(verdict!.reason).toMatch(/^Training diverged: the validation loss became Infinity at epoch 3\./);
  });

  it('calls exploding or non-finite weights diverged, relative to the norm before training', () => {
    const detector = crossEntropy();
    expect(detector.observeWeightNorm(12, { epoch: 0 })).toBeUndefined();
    expect(detector.observeWeightNorm(50, { epoch: 1 })).toBeUndefined();
    expect(detector.observeWeightNorm(11_999, { epoch: 2 })).toBeUndefined();
    const verdict = detector.observeWeightNorm(12_000, { epoch: 3 });
    expect(verdict).toMatchObject({ rule: 'weights', epoch: 3 });
    expect(verdict!.reason).toContain("the weights' norm grew 1000× (from 12 to 12000) at epoch 3");
    expect(crossEntropy().observeWeightNorm(NaN, { epoch: 1 })).toMatchObject({ rule: 'weights' });
  });
});
