import { describe, expect, it } from 'vitest';
import { TelemetrySchedule } from './telemetrySchedule';

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
  it('auto measures at most every other step, even when telemetry looks free', () => {
    const schedule = new TelemetrySchedule(undefined, { budget: 0.03, minGapMs: 0 });
    const measured = simulate(schedule, 200, 10, 0);
    expect(schedule.currentInterval).toBe(2);
    for (let i = 2; i < measured.length; i++) expect(measured[i]! - measured[i - 1]!).toBe(2);
  });
  it('refuses intervals below 1', () => {
    expect(() => new TelemetrySchedule(0)).toThrow(/≥ 1/);
  });
});
