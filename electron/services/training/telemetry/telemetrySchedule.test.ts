import { describe, expect, it } from 'vitest';
import { FLOOR_COST_MS, MIN_SAMPLES_PER_RUN, TelemetrySchedule } from './telemetrySchedule';

/** Runs `steps` steps of `plainMs` each (measured ones cost `extraMs` more), one every `plainMs` of clock. */
function simulate(schedule: TelemetrySchedule, steps: number, plainMs: number, extraMs: number): number[] {
  const measured: number[] = [];
  let now = 0;
  for (let step = 1; step <= steps; step++) {
    const due = schedule.due(step, now);
    const ms = plainMs + (due ? extraMs : 0);
    schedule.observe(step, now, ms, due);
    if (due) measured.push(step);
    now += ms;
  }
  return measured;
}

describe('TelemetrySchedule', () => {
  it('a fixed interval measures step 1 and then every K steps', () => {
    expect(simulate(new TelemetrySchedule(5, { minGapMs: 0 }), 21, 10, 5)).toEqual([1, 6, 11, 16, 21]);
  });
  it('never more often than batch events', () => {
    // 1 ms steps, every step asked: at most one sample per 50 ms of clock.
    const measured = simulate(new TelemetrySchedule(1), 1000, 1, 0);
    expect(measured.length).toBeLessThanOrEqual(1000 / 50 + 1);
    expect(measured[0]).toBe(1);
  });
  it('auto spaces samples so their extra cost is about the budget', () => {
    const schedule = new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0 });
    const steps = 20_000;
    const measured = simulate(schedule, steps, 10, 6); // each sample costs 60 % of a step
    const overhead = (measured.length * 6) / (steps * 10);
    expect(overhead).toBeGreaterThan(0.02);
    expect(overhead).toBeLessThan(0.04);
    expect(schedule.currentInterval).toBe(20);
  });
  it('auto recovers when warm-up made the first plain steps slow (it once locked into measuring every step)', () => {
    const schedule = new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0 });
    const measured: number[] = [];
    let now = 0;
    for (let step = 1; step <= 3000; step++) {
      const due = schedule.due(step, now);
      // Steps 2–10 pay for warm-up (100 ms); then a plain step takes 20 ms and a measured one 37 ms.
      const ms = step <= 10 ? 100 : due ? 37 : 20;
      schedule.observe(step, now, ms, due);
      if (due) measured.push(step);
      now += ms;
    }
    // 17 ms extra per sample on 20 ms steps at a 3 % budget: every ⌈17 / 0.6⌉ = 29 steps, once warm-up has passed.
    expect(schedule.currentInterval).toBe(29);
    const late = measured.filter((s) => s > 1000).length;
    expect(late).toBeLessThanOrEqual(Math.ceil(2000 / 29) + 1);
    // Never every step, not even right after warm-up.
    for (let i = 1; i < measured.length; i++) expect(measured[i]! - measured[i - 1]!).toBeGreaterThanOrEqual(2);
  });
  it('auto does not sample densely right after warm-up (short runs: ResNet-20 on 2 workers measured 9 of 16 steps)', () => {
    const schedule = new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0 });
    const measured: number[] = [];
    let now = 0;
    for (let step = 1; step <= 100; step++) {
      const due = schedule.due(step, now);
      // Steps 2–10 pay for warm-up (three times a steady step); a measured step costs 65 % more than a plain one.
      const ms = step <= 10 ? 540 : due ? 300 : 180;
      schedule.observe(step, now, ms, due);
      if (due) measured.push(step);
      now += ms;
    }
    const early = measured.filter((s) => s > 10 && s <= 30);
    expect(early.length).toBeLessThanOrEqual(3);
    const cost = measured.filter((s) => s > 10).length * 120;
    expect(cost / (90 * 180)).toBeLessThan(0.05);
  });
  it('auto keeps about the budget when step times are noisy (±25 %)', () => {
    const schedule = new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0 });
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 0.75 + (seed / 2 ** 31) * 0.5;
    };
    let now = 0;
    let extra = 0;
    let total = 0;
    for (let step = 1; step <= 20_000; step++) {
      const due = schedule.due(step, now);
      const plain = 10 * noise();
      const ms = plain + (due ? 6 : 0);
      schedule.observe(step, now, ms, due);
      if (due && step > 1) extra += 6;
      total += ms;
      now += ms;
    }
    expect(extra / total).toBeGreaterThan(0.015);
    expect(extra / total).toBeLessThan(0.045);
  });
  it('auto measures at most every other step, even when telemetry looks free', () => {
    const schedule = new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0 });
    const measured = simulate(schedule, 200, 10, 0);
    expect(schedule.currentInterval).toBe(2);
    // 1, 11, then the interval halves per sample (5, 2) and stays at 2.
    expect(measured.slice(0, 4)).toEqual([1, 11, 16, 18]);
    for (let i = 3; i < measured.length; i++) expect(measured[i]! - measured[i - 1]!).toBe(2);
  });
  it('a short run of a small model still gets MIN_SAMPLES_PER_RUN samples (the budget alone gives it 2)', () => {
    // 150 steps of 1 ms; a sample costs 5 ms (five steps): the 3 % budget alone asks for one every ~167 steps.
    const alone = simulate(new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0 }), 150, 1, 5);
    expect(alone.length).toBeLessThanOrEqual(3);
    const floored = simulate(new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0, totalSteps: 150 }), 150, 1, 5);
    expect(floored.length).toBeGreaterThanOrEqual(MIN_SAMPLES_PER_RUN);
    expect(floored.length).toBeLessThanOrEqual(MIN_SAMPLES_PER_RUN + 4);
    // The rate limit still holds: 50 ms between samples over a ~200 ms run.
    expect(simulate(new TelemetrySchedule(undefined, { budget: 0.03, totalSteps: 150 }), 150, 1, 5).length).toBeLessThanOrEqual(6);
  });
  it('the floor gives way to the budget when samples are expensive (a large model: 200 ms each)', () => {
    const steps = 256;
    const measured = simulate(new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0, totalSteps: steps }), steps, 180, 200);
    expect(200 * MIN_SAMPLES_PER_RUN).toBeGreaterThan(FLOOR_COST_MS);
    // Budget: one sample per ⌈200 / (0.03 × 180)⌉ = 38 steps, after 1 and 11.
    expect(measured.length).toBeLessThanOrEqual(2 + Math.ceil(steps / 38));
    const overhead = ((measured.length - 1) * 200) / (steps * 180);
    expect(overhead).toBeLessThan(0.05);
  });
  it('the floor does not raise the sampling of long runs', () => {
    const schedule = new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0, totalSteps: 20_000 });
    simulate(schedule, 20_000, 10, 6);
    expect(schedule.currentInterval).toBe(20);
  });
  it('refuses intervals below 1', () => {
    expect(() => new TelemetrySchedule(0)).toThrow(/≥ 1/);
  });
});
