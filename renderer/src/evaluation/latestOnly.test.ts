import { describe, expect, it } from 'vitest';
import { latestOnly, type Timers } from './latestOnly';

function fakeTimers() {
  let now = 0;
  let queue: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (handle) => {
      queue = queue.filter((t) => t.id !== handle);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const due of queue.filter((t) => t.at <= now)) {
      queue = queue.filter((t) => t !== due);
      due.fn();
    }
  };
  return { timers, advance };
}

describe('latestOnly', () => {
  it('runs the first value at once, then at most once per interval with the newest value', () => {
    const { timers, advance } = fakeTimers();
    const seen: number[] = [];
    const throttle = latestOnly((v: number) => seen.push(v), 100, timers);
    throttle.push(1);
    throttle.push(2);
    throttle.push(3);
    expect(seen).toEqual([1]);
    advance(99);
    expect(seen).toEqual([1]);
    advance(1);
    expect(seen).toEqual([1, 3]);
    advance(500);
    throttle.push(4);
    expect(seen).toEqual([1, 3, 4]);
  });

  it('drops a pending value on cancel', () => {
    const { timers, advance } = fakeTimers();
    const seen: number[] = [];
    const throttle = latestOnly((v: number) => seen.push(v), 100, timers);
    throttle.push(1);
    throttle.push(2);
    throttle.cancel();
    advance(1000);
    expect(seen).toEqual([1]);
  });
});
