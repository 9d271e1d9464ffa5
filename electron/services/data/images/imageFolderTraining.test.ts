/**
 * An image folder trained end to end through the real pipeline: runTraining with `config.data` an image-folder spec,
 * loaded by loadUserData (which loads image folders with loadImageFolderForTraining), skipping unreadable files when
 * runTraining is told to.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../../shared/format/trainingConfig';
import { runSummarySchema } from '../../../../shared/format/runSummary';
import { chainGraph } from '../../training/referenceGraphs';
import { runTraining } from '../../training/runTraining';
import { inspectImageFolder } from './inspectImageFolder';
import { proposeImageFolderSpec } from './proposeImageFolderSpec';
import { encode, put, tempDir } from './testing/imageFixtures';
import { drawShape } from './testing/writeImageFixtures';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('training on an image folder', () => {
  it('circles, squares and triangles (16×16 gray, 40 each): a small net learns them; the spec and hash are recorded', async () => {
    const root = await tempDir('nb-shapes-');
    dirs.push(root);
    let s = 11;
    const next = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (const shape of ['circle', 'square', 'triangle'] as const) {
      for (let i = 0; i < 40; i++) {
        const r = 3.5 + next() * 2.5;
        const cx = r + next() * (16 - 2 * r);
        const cy = r + next() * (16 - 2 * r);
        await put(root, `${shape}/${i}.png`, await encode('png', drawShape(shape, cx, cy, r), 16, 16, 1));
      }
    }
    await put(root, 'square/broken.png', 'not a png');
    const inspection = await inspectImageFolder(root, { thumbnailsPerClass: 0 });
    expect(inspection.proposedInput).toMatchObject({ height: 16, width: 16, channels: 1 });
    const spec = proposeImageFolderSpec(inspection, 3);
    const graph = chainGraph('shapes', [
      ['input', 'Input', { kind: 'image', height: 16, width: 16, channels: 1 }],
      ['conv', 'Conv2D', { filters: 8, kernelSize: [3, 3], activation: 'relu' }],
      ['pool', 'MaxPool2D', {}],
      ['flat', 'Flatten', {}],
      ['output', 'Output', { task: 'classification', units: 3 }],
    ]);
    const config: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, dataset: 'shapes', data: spec, backend: 'wasm', epochs: 20, learningRate: 0.01, optimizer: 'adam', batchSize: 16, seed: 1 };
    // Unreadable files fail the run by default, naming them; skipUnreadable skips (and counts) them.
    await expect(runTraining(graph, undefined, { ...config, epochs: 1 }, { telemetry: false })).rejects.toThrow(/1 file in .* cannot be read as images:\n {2}square\/broken\.png: /);
    // A spec recording skipped files (the user agreed to skip them in New from Data) skips them; asked not to, refused.
    const agreed: TrainingConfig = { ...config, epochs: 1, data: { ...spec, skipped: 1 } };
    expect((await runTraining(graph, undefined, agreed, { telemetry: false })).summary.status).toBe('completed');
    await expect(runTraining(graph, undefined, agreed, { telemetry: false, skipUnreadable: false })).rejects.toThrow(/cannot be read as images/);
    const { summary } = await runTraining(graph, undefined, config, { telemetry: false, skipUnreadable: true });
    expect(summary.status).toBe('completed');
    const recorded = summary.config.data;
    expect(recorded?.kind).toBe('imageFolder');
    if (recorded?.kind !== 'imageFolder') return;
    expect(recorded.hash).toBe(inspection.contentHash);
    expect(recorded.skipped).toBe(1);
    expect(recorded.images).toEqual({ train: 84, val: 18, test: 18 });
    expect(summary.final.testAccuracy).toBeGreaterThan(0.8);
    expect(runSummarySchema.safeParse(summary).success).toBe(true);
  });
});
