import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainerEvent } from '../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { SPIRALS_MLP } from './referenceGraphs';
import { TrainingHost } from './TrainingHost';
import { nativeKernels } from '../backends/wasmKernels/native/nativeKernels';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The packaged app runs the esbuild bundle of the trainer (dist/electron/trainer.cjs), not these sources through tsx:
 * it must find the tfjs wasm files, our SIMD kernel modules (copied to dist/electron/simd by the bundler) and their
 * native builds (dist/electron/out).
 */
describe('the bundled trainer (dist/electron/trainer.cjs)', () => {
  let host: TrainingHost;
  beforeAll(async () => {
    // @ts-expect-error plain .mjs build script without type declarations
    const { bundleElectron } = (await import('../../../scripts/bundle-electron.mjs')) as { bundleElectron(): Promise<void> };
    await bundleElectron();
    host = new TrainingHost({ entry: path.join(root, 'dist/electron/trainer.cjs') });
  }, 120_000);
  afterAll(() => host?.dispose());

  async function trainOnce(trainer: TrainingHost): Promise<TrainerEvent[]> {
    const events: TrainerEvent[] = [];
    const done = new Promise<TrainerEvent>((resolve) => {
      trainer.onEvent((e) => {
        events.push(e);
        if (e.type === 'finished' || e.type === 'failed') resolve(e);
      });
    });
    await trainer.start({ graph: SPIRALS_MLP, config: { ...DEFAULT_TRAINING_CONFIG, dataset: 'spirals', epochs: 2, backend: 'wasm' } });
    const end = await done;
    expect(end.type, end.type === 'failed' ? end.reason : '').toBe('finished');
    return events;
  }

  // The native kernels (copied to dist/electron/out where `npm install` built them) run in place of the wasm modules.
  it('trains on wasm with the SIMD kernels loaded: native where built, else their relaxed-SIMD builds', async () => {
    const events = await trainOnce(host);
    const level = nativeKernels()?.level;
    const backend = level ? { nativeKernels: level } : { relaxedSimd: true };
    expect(events[0]).toMatchObject({ type: 'started', backend: { name: 'wasm', simdKernels: true, ...backend } });
  }, 120_000);

  // relaxedSimd: the .relaxed builds are copied too, and the bundle turns on Node 20's flag like the sources do.
  it('with NB_NATIVE_KERNELS=0: the relaxed-SIMD wasm builds', async () => {
    const saved = process.env['NB_NATIVE_KERNELS'];
    process.env['NB_NATIVE_KERNELS'] = '0'; // inherited by the forked trainer
    const wasmHost = new TrainingHost({ entry: path.join(root, 'dist/electron/trainer.cjs') });
    try {
      const events = await trainOnce(wasmHost);
      expect(events[0]).toMatchObject({ type: 'started', backend: { name: 'wasm', simdKernels: true, relaxedSimd: true } });
      expect((events[0] as { backend?: { nativeKernels?: string } }).backend?.nativeKernels).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env['NB_NATIVE_KERNELS'];
      else process.env['NB_NATIVE_KERNELS'] = saved;
      wasmHost.dispose();
    }
  }, 120_000);
});
