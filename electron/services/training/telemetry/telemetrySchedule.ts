/**
 * Which training steps carry telemetry: always the first, then every K-th (a fixed K: steps 1, 1 + K, 1 + 2K, …; auto: K steps
 * after the previous sample), and never more often than batch events
 * (MAX_BATCH_EVENTS_PER_SECOND). K is the config's `telemetryEvery`, or — when absent (`auto`) — chosen from what
 * telemetry really costs on this model and machine: after each measured step, K = ⌈extra cost / (budget × plain step)⌉,
 * so the measurement takes about TELEMETRY_BUDGET of training time whatever the network.
 *
 * The plain step's cost is the median of the last PLAIN_WINDOW plain steps, and the extra cost the median of the
 * last EXTRA_WINDOW measured steps' extras; each update may at most halve the interval. Why all three:
 * - Warm-up (the first steps of a run, a data-parallel worker starting, wasm code tiering up) makes early steps slow.
 *   A running mean of them once made a measured step look free (extra ≈ 0): the interval fell to 1, every step was
 *   measured from then on and a 2-worker CNN spent 17 ms per step on telemetry. A 15-step median still did it for
 *   ResNet-20 on 2 workers (steps 2–10 took 330–860 ms, steady ones ~180 ms, a measured one ~300): at step 11 the
 *   plain median was 540 ms, the interval fell to 2 and stayed there until the slow steps left the window at step 27
 *   — 9 samples in 16 steps, each ~65 % of a step, ~8 % of the run's first 64 steps. A short recent window forgets
 *   warm-up within a few steps.
 * - On a busy machine one step's time varies by ±25 %, so one measured step can look free: the median of a few extras
 *   and the halving limit keep one lucky sample from collapsing the interval.
 * The auto interval also never goes below AUTO_MIN_INTERVAL, so plain steps keep coming and the estimate stays current.
 *
 * Short runs get a floor: when the run's length is known (`totalSteps`) and MIN_SAMPLES_PER_RUN samples would cost at
 * most FLOOR_COST_MS together, auto measures at least every totalSteps / MIN_SAMPLES_PER_RUN steps. A small model's
 * sample costs several of its steps, so the budget alone gives a 150-step run 2–3 samples: too few for the Inside
 * panel's history or a warning that reads the last 3 (a 3-epoch spirals run once showed no dead-unit warning). The
 * bound is absolute because such runs are short — a few ms per sample is nothing to the user — while a large model,
 * whose samples cost tens of ms or more, keeps the budget.
 */
import { TELEMETRY_BUDGET } from '../../../../shared/contracts/telemetry';
import { MAX_BATCH_EVENTS_PER_SECOND } from '../../../../shared/contracts/trainer';

/** auto: the interval until a clean cost measurement exists (the first step also pays for warm-up). */
const AUTO_FIRST_INTERVAL = 10;
const AUTO_MAX_INTERVAL = 100_000;
/** Plain steps whose median is the plain step's cost (recent ones: warm-up must leave it quickly). */
const PLAIN_WINDOW = 5;
/** Measured steps whose median extra cost sets the interval. */
const EXTRA_WINDOW = 3;
/** Short runs: auto takes at least this many samples when they are cheap (see FLOOR_COST_MS). */
export const MIN_SAMPLES_PER_RUN = 8;
/** …that is, when that many samples cost at most this many ms together. */
export const FLOOR_COST_MS = 1000;
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
  private lastStep = -Infinity;
  private readonly plainSteps: number[] = [];
  private readonly extras: number[] = [];
  private readonly minGapMs: number;
  private readonly budget: number;
  private readonly totalSteps: number | undefined;

  /** `every`: a fixed interval (≥ 1), or undefined for auto. `totalSteps`: the run's length, when known (short-run floor). */
  constructor(
    private readonly every: number | undefined,
    options: { budget?: number; minGapMs?: number; totalSteps?: number } = {},
  ) {
    if (every !== undefined && (!Number.isInteger(every) || every < 1)) throw new Error(`telemetry interval must be a whole number ≥ 1, got ${every}`);
    this.interval = every ?? AUTO_FIRST_INTERVAL;
    this.budget = options.budget ?? TELEMETRY_BUDGET;
    this.minGapMs = options.minGapMs ?? 1000 / MAX_BATCH_EVENTS_PER_SECOND;
    this.totalSteps = options.totalSteps;
  }

  /** The interval in use now (auto: the latest estimate). */
  get currentInterval(): number {
    return this.interval;
  }

  /** Whether global step `step` (1-based) is measured; `now` in ms. */
  due(step: number, now: number): boolean {
    if (step === 1) return true;
    if (now - this.lastAt < this.minGapMs) return false;
    // auto: K steps after the last sample. (On a grid, a changed K put the next sample anywhere from 1 to K steps
    // after the last one: with K moving around 20 on a noisy machine that measured ~45 % more often than K says.)
    if (this.every === undefined) return step - this.lastStep >= this.interval;
    // A fixed K: on the grid 1, 1 + K, 1 + 2K, … (a step the rate limit skips is not made up later, so the steps stay
    // predictable).
    return (step - 1) % this.interval === 0;
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
    this.lastStep = step;
    if (this.every !== undefined || this.plainSteps.length === 0 || step === 1) return;
    const plainMs = median(this.plainSteps);
    this.extras.push(Math.max(0, ms - plainMs));
    if (this.extras.length > EXTRA_WINDOW) this.extras.shift();
    const extra = median(this.extras);
    const wanted = Math.ceil(extra / (this.budget * Math.max(plainMs, 1e-3)));
    const floor = Math.max(AUTO_MIN_INTERVAL, Math.floor(this.interval / 2));
    let interval = Math.min(AUTO_MAX_INTERVAL, Math.max(floor, wanted));
    if (this.totalSteps !== undefined && extra * MIN_SAMPLES_PER_RUN <= FLOOR_COST_MS) {
      interval = Math.min(interval, Math.max(AUTO_MIN_INTERVAL, Math.floor(this.totalSteps / MIN_SAMPLES_PER_RUN)));
    }
    this.interval = interval;
  }
}
