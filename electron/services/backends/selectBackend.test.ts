import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, selectBackend } from './selectBackend';

function nativeBindingPresent(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const lib = path.join(path.dirname(require.resolve('@tensorflow/tfjs-node/package.json')), 'lib');
    // The addon lives at lib/napi-v<N>/tfjs_binding.node (an npm reinstall may leave the folders empty).
    return existsSync(lib) && readdirSync(lib).some((dir) => existsSync(path.join(lib, dir, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

describe('selectBackend', () => {
  it.skipIf(nativeBindingPresent())('auto falls back to wasm and says why tensorflow was unavailable', async () => {
    const info = await selectBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.label).toBe('wasm');
    expect(info.tfjsVersion).toBe(tf.version_core);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.fallbackReason).toMatch(/tfjs-node native bindings are not installed/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('is idempotent: a second call returns the same choice', async () => {
    const first = await selectBackend();
    const second = await selectBackend();
    expect(second).toEqual(first);
    expect(tf.getBackend()).toBe(first.name);
  });

  it.skipIf(nativeBindingPresent())('explicit tensorflow fails with a clear message instead of falling back', async () => {
    const before = tf.getBackend();
    const attempt = selectBackend('tensorflow');
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(/^tfjs-node native bindings are not installed: /);
    expect(tf.getBackend()).toBe(before);
  });

  it('cpu works and computes', async () => {
    const info = await selectBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', label: 'cpu' });
    expect(info.fallbackReason).toBeUndefined();
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });

  it('wasm loads its binaries from the local package (no network) and computes', async () => {
    const info = await selectBackend('wasm');
    expect(info).toMatchObject({ name: 'wasm', label: 'wasm' });
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });

  it('rejects an unknown preference with a message listing the choices', async () => {
    await expect(selectBackend('gpu' as never)).rejects.toThrow(/unknown backend "gpu"/);
  });
});
