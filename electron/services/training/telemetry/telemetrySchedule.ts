/**
 * Which training steps carry telemetry: always the first, then every K-th (steps 1, 1 + K, 1 + 2K, …), and never more often than batch events
 * (MAX_BATCH_EVENTS_PER_SECOND). K is the config's `telemetryEvery`, or — when absent (`auto`) — chosen from what
 * telemetry really costs on this model and machine: after each measured step, K = ⌈extra cost / (budget × plain step)⌉,
 * so the measurement takes about TELEMETRY_BUDGET of training time whatever the network.
 *
 * The plain step's cost is the median of the last PLAIN_WINDOW plain steps: warm-up (the first steps of a run, a
 * data-parallel worker starting) makes early steps slow, and a running mean of them once made a measured step look
 * free (extra ≈ 0) — the interval fell to 1, every step was measured from then on, no plain step came to correct
 * the estimate, and a 2-worker CNN spent 17 ms per step on telemetry. The auto interval also never goes below
 * AUTO_MIN_INTERVAL, so plain steps keep coming and the estimate stays current.
 */
import { TELEMETRY_BUDGET } from '../../../../shared/contracts/telemetry';
import { MAX_BATCH_EVENTS_PER_SECOND } from '../../../../shared/contracts/trainer';

/** auto: the interval until a clean cost measurement exists (the first step also pays for warm-up). */
const AUTO_FIRST_INTERVAL = 10;
const AUTO_MAX_INTERVAL = 100_000;
/** Plain steps whose median is the plain step's cost. */
const PLAIN_WINDOW = 15;
/** auto never measures more often than every other step. */
export const AUTO_MIN_INTERVAL = 2;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export class TelemetrySchedule {
  private interval: number;
  private lastAt = -Infinity;
  private readonly plainSteps: number[] = [];
  private readonly minGapMs: number;
  private readonly budget: number;

  /** `every`: a fixed interval (≥ 1), or undefined for auto. */
  constructor(
    private readonly every: number | undefined,
    options: { budget?: number; minGapMs?: number } = {},
  ) {
    if (every !== undefined && (!Number.isInteger(every) || every < 1)) throw new Error(`telemetry interval must be a whole number ≥ 1, got ${every}`);
    this.interval = every ?? AUTO_FIRST_INTERVAL;
    this.budget = options.budget ?? TELEMETRY_BUDGET;
    this.minGapMs = options.minGapMs ?? 1000 / MAX_BATCH_EVENTS_PER_SECOND;
  }

  /** The interval in use now (auto: the latest estimate). */
  get currentInterval(): number {
    return this.interval;
  }

  /** Whether global step `step` (1-based) is measured; `now` in ms. */
  due(step: number, now: number): boolean {
    if (step === 1) return true;
    // On the grid 1, 1 + K, 1 + 2K, … (a step the rate limit skips is not made up later, so the steps stay predictable).
    return (step - 1) % this.interval === 0 && now - this.lastAt >= this.minGapMs;
  }

  /** Reports a finished step: how long it took in ms (for a measured step: including reading the telemetry back). */
  observe(step: number, now: number, ms: number, measured: boolean): void {
    if (!measured) {
      if (step > 1) {
        this.plainSteps.push(ms);
        if (this.plainSteps.length > PLAIN_WINDOW) this.plainSteps.shift();
      }
      return;
    }
    this.lastAt = now;
    if (this.every !== undefined || this.plainSteps.length === 0 || step === 1) return;
    const plainMs = median(this.plainSteps);
    const extra = Math.max(0, ms - plainMs);
    const wanted = Math.ceil(extra / (this.budget * Math.max(plainMs, 1e-3)));
    this.interval = Math.min(AUTO_MAX_INTERVAL, Math.max(AUTO_MIN_INTERVAL, wanted));
  }
}
