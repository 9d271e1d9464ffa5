import { describe, expect, it } from 'vitest';
import { resolveWorkers } from './resolveWorkers';

describe('resolveWorkers', () => {
  it('uses what was asked for, 1 by default', () => {
    expect(resolveWorkers(undefined, { name: 'wasm', threads: 1 }, 8)).toBe(1);
    expect(resolveWorkers(1, { name: 'wasm', threads: 1 }, 8)).toBe(1);
    expect(resolveWorkers(2, { name: 'wasm', threads: 2 }, 1)).toBe(2);
    expect(resolveWorkers(2, { name: 'cpu', threads: 1 }, 2)).toBe(2);
  });

  it('tfjs-node always trains with one worker (already multi-threaded; a native addon in one thread only)', () => {
    expect(resolveWorkers(2, { name: 'tensorflow' }, 8)).toBe(1);
  });

  it('auto: 2 only for a single-threaded backend on a machine with at least 2 cores', () => {
    expect(resolveWorkers('auto', { name: 'wasm', threads: 1 }, 2)).toBe(2);
    expect(resolveWorkers('auto', { name: 'cpu', threads: 1 }, 4)).toBe(2);
    expect(resolveWorkers('auto', { name: 'wasm', threads: 1 }, 1)).toBe(1);
    expect(resolveWorkers('auto', { name: 'wasm', threads: 2 }, 4)).toBe(1);
    expect(resolveWorkers('auto', { name: 'tensorflow' }, 8)).toBe(1);
  });
});
