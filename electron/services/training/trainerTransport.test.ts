import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exitAfterOutput } from './trainerTransport';

describe('exitAfterOutput', () => {
  it('reports at once when the output has already ended', () => {
    let reported = 0;
    exitAfterOutput([null, undefined], () => reported++)();
    expect(reported).toBe(1);
  });

  it('waits for every stream to end before reporting the exit', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let reported = 0;
    const exited = exitAfterOutput([out, err], () => reported++);
    out.resume();
    err.resume();
    exited();
    out.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toBe(0);
    err.end('last words');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toBe(1);
  });

  it('reports anyway after the grace period when a stream never ends', async () => {
    let reported = 0;
    exitAfterOutput([new PassThrough()], () => reported++, 10)();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reported).toBe(1);
  });
});
