import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainerEvent } from '../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { SPIRALS_MLP } from './referenceGraphs';
import { TrainingHost } from './TrainingHost';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The packaged app runs the esbuild bundle of the trainer (dist/electron/trainer.cjs), not these sources through tsx:
 * it must find the tfjs wasm files and our SIMD kernel modules (copied to dist/electron/simd by the bundler).
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

  // relaxedSimd: the .relaxed builds are copied too, and the bundle turns on Node 20's flag like the sources do.
  it('trains on wasm with the SIMD kernels loaded (their relaxed-SIMD builds)', async () => {
    const events: TrainerEvent[] = [];
    const done = new Promise<TrainerEvent>((resolve) => {
      host.onEvent((e) => {
        events.push(e);
        if (e.type === 'finished' || e.type === 'failed') resolve(e);
      });
    });
    await host.start({ graph: SPIRALS_MLP, config: { ...DEFAULT_TRAINING_CONFIG, dataset: 'spirals', epochs: 2, backend: 'wasm' } });
    const end = await done;
    expect(end.type, end.type === 'failed' ? end.reason : '').toBe('finished');
    expect(events[0]).toMatchObject({ type: 'started', backend: { name: 'wasm', simdKernels: true, relaxedSimd: true } });
  }, 120_000);
});
