/**
 * Rules that tell a diverging run from a slow or noisy one. Pure: the training loop feeds it numbers (batch losses,
 * evaluation losses, the weights' norm) and ends the run as `failed` with the first verdict it returns.
 *
 * Why rules beyond "the loss is NaN": tfjs-layers clips predicted probabilities to [ε, 1 − ε] (ε = the backend's
 * epsilon, 1e-7 for float32) before taking logs, so a cross-entropy head whose outputs saturate at 0 or 1 reports a
 * finite loss of (share of wrong samples) × −ln ε — 8.06 on a two-class set at chance — and never NaN. Such a run
 * would otherwise "complete" with chance accuracy.
 *
 * The thresholds are far from anything the examples reach (their batch losses stay below their first one after a few
 * steps and weights grow a few times at most), and the sustained rules need a whole window of bad batches in a row,
 * so a noisy spike never ends a run.
 */

/** The backend epsilon tfjs-layers clips probabilities with (float32 backends). */
export const TFJS_EPSILON = 1e-7;

/** Largest per-sample cross-entropy tfjs-layers can report: −ln ε ≈ 16.12 (categorical and binary alike). */
export const CROSS_ENTROPY_CEILING = -Math.log(TFJS_EPSILON);

export interface DivergenceRules {
  /** Consecutive batches a sustained rule must hold before it counts. */
  readonly window: number;
  /** "Far above the start": the batch loss is at least this many times the first batch's loss. */
  readonly riseFactor: number;
  /**
   * "Stuck at the clip maximum": the batch loss is at least this share of the cross-entropy ceiling, or it is a whole
   * number of ceilings over the batch (every misclassified sample sits exactly at the clip).
   */
  readonly saturatedShare: number;
  /** "Exploding weights": the weights' L2 norm is at least this many times its value before training. */
  readonly weightGrowth: number;
}

export const DEFAULT_DIVERGENCE_RULES: DivergenceRules = Object.freeze({
  window: 20,
  riseFactor: 5,
  saturatedShare: 0.3,
  weightGrowth: 1000,
});

/** Where in the run a number was seen (1-based, as shown to people); `batch` is absent for per-epoch numbers. */
export interface RunPosition {
  readonly epoch: number;
  readonly batch?: number;
}

export type DivergenceRule = 'non-finite' | 'saturated' | 'rising' | 'weights';

export interface Divergence extends RunPosition {
  readonly rule: DivergenceRule;
  /** A full sentence for people: says *diverged*, why, where, and what to try. */
  readonly reason: string;
}

export interface DivergenceDetectorOptions {
  /** Per-sample loss ceiling of the head's loss (cross-entropy heads), or undefined when it has none (MSE). */
  readonly lossCeiling?: number;
  /** Shown in the advice ("lower the learning rate (now 10)"). */
  readonly learningRate: number;
  /** Adam is suggested only to runs that use another optimizer. */
  readonly optimizer?: string;
  /** Batches the whole run will train: a shorter run gets a shorter window (at least 3 batches). */
  readonly totalBatches?: number;
  readonly rules?: Partial<DivergenceRules>;
}

const where = (p: RunPosition) => (p.batch === undefined ? `epoch ${p.epoch}` : `epoch ${p.epoch}, batch ${p.batch}`);
const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));

/** The loss ceiling of a head's loss, for {@link DivergenceDetectorOptions.lossCeiling}. */
export function lossCeilingOf(loss: string): number | undefined {
  return loss === 'categoricalCrossentropy' || loss === 'binaryCrossentropy' ? CROSS_ENTROPY_CEILING : undefined;
}

/**
 * Saturated outputs give each sample a loss of ~0 (right) or exactly the ceiling (wrong, clipped), so the batch mean
 * is a whole number of ceilings over the batch size. Clipping passes no gradient, so such a run never recovers.
 */
function isClippedLoss(loss: number, samples: number, ceiling: number): boolean {
  const wrong = (loss * samples) / ceiling;
  return wrong >= 0.5 && Math.abs(wrong - Math.round(wrong)) <= 0.02;
}

/** Watches one run. Feed it in order; every `observe…` returns the verdict once a rule trips, else undefined. */
export class DivergenceDetector {
  private readonly rules: DivergenceRules;
  private readonly window: number;
  private firstLoss: number | undefined;
  private initialNorm: number | undefined;
  private risingStreak = 0;
  private saturatedStreak = 0;

  constructor(private readonly options: DivergenceDetectorOptions) {
    this.rules = { ...DEFAULT_DIVERGENCE_RULES, ...options.rules };
    const { totalBatches } = options;
    this.window = totalBatches === undefined ? this.rules.window : Math.max(3, Math.min(this.rules.window, totalBatches - 1));
  }

  /** The mean training loss of one batch of `samples` rows (computed before that batch's update). */
  observeBatchLoss(loss: number, position: Required<RunPosition>, samples?: number): Divergence | undefined {
    if (!Number.isFinite(loss)) return this.verdict('non-finite', position, `the loss became ${String(loss)} at ${where(position)}`);
    this.firstLoss ??= loss;
    const { window } = this;
    const { riseFactor, saturatedShare } = this.rules;
    const ceiling = this.options.lossCeiling;
    const saturated =
      ceiling !== undefined && (loss >= saturatedShare * ceiling || (samples !== undefined && isClippedLoss(loss, samples, ceiling)));
    this.saturatedStreak = saturated ? this.saturatedStreak + 1 : 0;
    if (this.saturatedStreak >= window) {
      return this.verdict(
        'saturated',
        position,
        `the loss stayed at ${fmt(loss)} for ${window} batches up to ${where(position)}, with its misclassified samples pinned ` +
          `at the clipped cross-entropy maximum (${fmt(ceiling!)} each): the outputs saturated at 0 or 1, where no gradient flows`,
      );
    }
    this.risingStreak = this.firstLoss > 0 && loss >= riseFactor * this.firstLoss ? this.risingStreak + 1 : 0;
    if (this.risingStreak >= window) {
      return this.verdict(
        'rising',
        position,
        `the loss stayed above ${riseFactor}× its starting value (${fmt(loss)} vs ${fmt(this.firstLoss)}) for ${window} batches up to ${where(position)}`,
      );
    }
    return undefined;
  }

  /** A loss from an evaluation pass (validation after an epoch, or the test set), named for the message. */
  observeEvaluation(name: string, value: number, position: RunPosition): Divergence | undefined {
    if (Number.isFinite(value)) return undefined;
    return this.verdict('non-finite', position, `the ${name} became ${String(value)} at ${where(position)}`);
  }

  /** The L2 norm of all trainable weights; the first call (before any step) sets the reference. */
  observeWeightNorm(norm: number, position: RunPosition): Divergence | undefined {
    if (!Number.isFinite(norm)) return this.verdict('weights', position, `the weights became ${String(norm)} at ${where(position)}`);
    if (this.initialNorm === undefined) {
      this.initialNorm = norm;
      return undefined;
    }
    const { weightGrowth } = this.rules;
    if (this.initialNorm > 0 && norm >= weightGrowth * this.initialNorm) {
      return this.verdict(
        'weights',
        position,
        `the weights' norm grew ${fmt(norm / this.initialNorm)}× (from ${fmt(this.initialNorm)} to ${fmt(norm)}) at ${where(position)}`,
      );
    }
    return undefined;
  }

  private verdict(rule: DivergenceRule, position: RunPosition, why: string): Divergence {
    const { learningRate: lr, optimizer } = this.options;
    const adam = optimizer === 'adam' || optimizer === 'adamw' ? '' : ', or use adam, whose step size stays bounded';
    const reason =
      `Training diverged: ${why}. Try a lower learning rate (now ${fmt(lr)}; try ${fmt(lr / 10)}), ` +
      `add normalization (a BatchNorm or LayerNorm brick)${adam}.`;
    return { rule, reason, epoch: position.epoch, ...(position.batch !== undefined ? { batch: position.batch } : {}) };
  }
}
