/**
 * Which training steps carry telemetry: always the first, then every K-th (steps 1, 1 + K, 1 + 2K, …), and never more often than batch events
 * (MAX_BATCH_EVENTS_PER_SECOND). K is the config's `telemetryEvery`, or — when absent (`auto`) — chosen from what
 * telemetry really costs on this model and machine: after each measured step, K = ⌈extra cost / (budget × plain step)⌉,
 * so the measurement takes about TELEMETRY_BUDGET of training time whatever the network.
 */
import { TELEMETRY_BUDGET } from '../../../../shared/contracts/telemetry';
import { MAX_BATCH_EVENTS_PER_SECOND } from '../../../../shared/contracts/trainer';

/** auto: the interval until a clean cost measurement exists (the first step also pays for warm-up). */
const AUTO_FIRST_INTERVAL = 10;
const AUTO_MAX_INTERVAL = 100_000;
/** Weight of the newest plain step in the running mean of step cost. */
const SMOOTHING = 0.1;

export class TelemetrySchedule {
  private interval: number;
  private lastAt = -Infinity;
  private plainMs: number | undefined;
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
      if (step > 1) this.plainMs = this.plainMs === undefined ? ms : this.plainMs + SMOOTHING * (ms - this.plainMs);
      return;
    }
    this.lastAt = now;
    if (this.every !== undefined || this.plainMs === undefined || step === 1) return;
    const extra = Math.max(0, ms - this.plainMs);
    const wanted = Math.ceil(extra / (this.budget * Math.max(this.plainMs, 1e-3)));
    this.interval = Math.min(AUTO_MAX_INTERVAL, Math.max(1, wanted));
  }
}
