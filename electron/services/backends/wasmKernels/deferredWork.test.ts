import { describe, expect, it } from 'vitest';
import { DeferredWork, MAX_PENDING } from './deferredWork';

function recorder() {
  const log: string[] = [];
  const job = (name: string) => ({ run: () => log.push(`run ${name}`), discard: () => log.push(`discard ${name}`) });
  return { log, job };
}

describe('DeferredWork', () => {
  it('accepts jobs only inside allow(), when a wait may come and when switched on', () => {
    let on = true;
    const work = new DeferredWork(() => on);
    expect(work.accepting(true)).toBe(false);
    work.allow(() => {
      expect(work.accepting(true)).toBe(true);
      expect(work.accepting(false)).toBe(false);
      work.allow(() => expect(work.accepting(true)).toBe(true));
      expect(work.accepting(true)).toBe(true); // nested allow() does not close the outer one
      on = false;
      expect(work.accepting(true)).toBe(false);
    });
    on = true;
    expect(work.accepting(true)).toBe(false);
    expect(() => work.allow(() => { throw new Error('boom'); })).toThrow('boom');
    expect(work.accepting(true)).toBe(false); // closed again after a throw
  });

  it('runs jobs oldest first: one per runOne, the oldest at once beyond MAX_PENDING, the rest on flush', () => {
    const work = new DeferredWork(() => true);
    const { log, job } = recorder();
    for (let i = 0; i < MAX_PENDING + 2; i++) work.push(job(String(i)));
    expect(log).toEqual(['run 0', 'run 1']);
    expect(work.pending).toBe(MAX_PENDING);
    expect(work.runOne()).toBe(true);
    expect(log.at(-1)).toBe('run 2');
    work.flush();
    expect(log).toEqual(Array.from({ length: MAX_PENDING + 2 }, (_, i) => `run ${i}`));
    expect(work.runOne()).toBe(false);
    expect(work.stats).toEqual({ deferred: MAX_PENDING + 2, ranWhenFull: 2, ranWhileWaiting: 1, ranAtEnd: MAX_PENDING - 1 });
  });

  it('discard frees what each job kept without running it', () => {
    const work = new DeferredWork(() => true);
    const { log, job } = recorder();
    work.push(job('a'));
    work.push(job('b'));
    work.discard();
    expect(log).toEqual(['discard a', 'discard b']);
    expect(work.pending).toBe(0);
  });
});
