/**
 * `bricks train FILE --data FOLDER` (issue 14, image folders) on the committed fixtures: `shapes` (circles, squares,
 * triangles, 16×16 gray, 12 each) and `nasty` (cat/dog in odd formats, with a corrupt PNG and a truncated JPEG, a text
 * file named .png, and a README that is not an image). Then `bricks evaluate` on the recorded run.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeDataPath } from '../../../shared/data/dataSpec';
import { createGraphFile } from '../../../shared/format/graphFileSchema';
import { runSummarySchema } from '../../../shared/format/runSummary';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { chainGraph } from '../../services/training/referenceGraphs';
import { runCli } from '../testing/runCli';

const fixtures = path.resolve(import.meta.dirname, '../../services/data/fixtures/images');
const shapes = path.join(fixtures, 'shapes');
const nasty = path.join(fixtures, 'nasty');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-train-images-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A .nbrick with an image Input of H×W×C, a small conv net and a classifier Output of `classes`. */
async function writeGraph(name: string, height: number, width: number, channels: 1 | 3, classes: number): Promise<string> {
  const graph = chainGraph(name, [
    ['input', 'Input', { kind: 'image', height, width, channels }],
    ['conv', 'Conv2D', { filters: 8, kernelSize: [3, 3], activation: 'relu' }],
    ['pool', 'MaxPool2D', {}],
    ['flat', 'Flatten', {}],
    ['dense', 'Dense', { units: 16, activation: 'relu' }],
    ['output', 'Output', { task: 'classification', units: classes }],
  ]);
  const file = path.join(dir, `${name}.nbrick`);
  await writeFile(file, serializeGraphFile(createGraphFile(graph)));
  return file;
}

describe('bricks train --data FOLDER', () => {
  it('trains on an image folder, records training.data and the run\'s data; bricks evaluate reproduces the test accuracy', async () => {
    const file = await writeGraph('shapes', 16, 16, 1, 3);
    const args = ['--epochs', '15', '--batch-size', '8', '--lr', '0.01', '--optimizer', 'adam', '--backend', 'wasm', '--seed', '4'];
    const { code, out, err } = await runCli('train', file, '--data', shapes, ...args, '--record', '--no-progress');
    expect(code, err).toBe(0);
    expect(err).toMatch(/shapes: \d+ train \/ \d+ validation \/ \d+ test images/);
    expect(err).not.toMatch(/unreadable/);
    expect(out).toContain(`Recorded the run in ${file}`);
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    const run = runSummarySchema.parse(onDisk.runs.at(-1));
    expect(run.status).toBe('completed');
    const recorded = run.config.data;
    expect(recorded).toMatchObject({
      kind: 'imageFolder',
      path: relativeDataPath(file, shapes),
      height: 16,
      width: 16,
      channels: 1,
      classNames: ['circle', 'square', 'triangle'],
      skipped: 0,
    });
    expect(run.data).toEqual({ kind: 'imageFolder', hash: recorded?.hash });
    // It learns the shapes (train and validation); 6 test images with smaller shapes than most training ones say
    // little, so the test accuracy is only checked against evaluate below.
    expect(run.final.accuracy).toBeGreaterThan(0.9);
    expect(run.final.valAccuracy).toBeGreaterThan(0.6);

    const evaluated = await runCli('evaluate', file, '--json');
    expect(evaluated.code, evaluated.err).toBe(0);
    const result = JSON.parse(evaluated.out);
    expect(result.labels).toEqual(['circle', 'square', 'triangle']);
    expect(result.sampleCount).toBe(recorded?.kind === 'imageFolder' ? recorded.images?.test : -1);
    expect(result.accuracy).toBe(run.final.testAccuracy);
  });

  it('skips unreadable files, listing them by path; --strict exits 1 naming them; evaluate skips the same ones', async () => {
    const file = await writeGraph('nasty', 10, 12, 3, 2);
    const args = ['--epochs', '2', '--batch-size', '4', '--backend', 'wasm', '--no-progress'];
    const strict = await runCli('train', file, '--data', nasty, ...args, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/--strict: 3 files in .*nasty cannot be read as images/);
    expect(strict.err).toMatch(/cat\/corrupt\.png: /);
    expect(strict.err).toMatch(/dog\/truncated\.jpg: /);
    expect(strict.out).toBe('');

    const { code, err } = await runCli('train', file, '--data', nasty, ...args, '--record');
    expect(code, err).toBe(0);
    expect(err).toMatch(/Skipping 3 unreadable files \(--strict refuses them\):/);
    expect(err).toMatch(/ {2}cat\/corrupt\.png: corrupt PNG/);
    expect(err).toMatch(/ {2}dog\/truncated\.jpg: truncated JPEG/);
    expect(err).not.toMatch(/README\.txt/);
    const run = runSummarySchema.parse(JSON.parse(await readFile(file, 'utf8')).runs.at(-1));
    expect(run.config.data).toMatchObject({ kind: 'imageFolder', skipped: 3 });

    // evaluate loads the run's recorded spec, which skipped 3 files: it skips the same ones (same hash, same split).
    const evaluated = await runCli('evaluate', file, '--json');
    expect(evaluated.code, evaluated.err).toBe(0);
    expect(JSON.parse(evaluated.out).accuracy).toBe(run.final.testAccuracy);

    // With the folder as the file's own training.data (no --data), --strict refuses the unreadable files at load.
    const withData = { ...JSON.parse(await readFile(file, 'utf8')) };
    withData.training = { ...run.config };
    await writeFile(file, JSON.stringify(withData));
    const strictAgain = await runCli('train', file, ...args, '--strict');
    expect(strictAgain.code).toBe(1);
    expect(strictAgain.err).toMatch(/3 files in .*nasty cannot be read as images/);
  });

  it('refuses table flags with a folder, --strict with a table, and a missing folder (exit 2)', async () => {
    const file = await writeGraph('bad', 16, 16, 1, 3);
    const target = await runCli('train', file, '--data', shapes, '--target', 'x');
    expect(target.code).toBe(2);
    expect(target.err).toMatch(/--target is for tables, but --data .*shapes is an image folder/);
    const csv = path.join(dir, 't.csv');
    await writeFile(csv, 'a,b\n1,x\n2,y\n');
    const strictTable = await runCli('train', file, '--data', csv, '--strict');
    expect(strictTable.code).toBe(2);
    expect(strictTable.err).toMatch(/--strict is for image folders/);
    const missing = await runCli('train', file, '--data', path.join(dir, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such file or folder/);
  });

  it('--augment turns on per-epoch augmentation and records it; a bad spec or --missing with a folder is exit 2', async () => {
    const file = await writeGraph('augmented', 16, 16, 1, 3);
    const args = ['--epochs', '1', '--backend', 'wasm', '--no-progress', '--json'];
    const r = await runCli('train', file, '--data', shapes, '--augment', 'flip,shift=0.1,rotate=10', ...args);
    expect(r.code, r.err).toBe(0);
    const summary = r.out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'summary').summary;
    expect(summary.config.data.augmentation).toEqual({ flip: true, shift: 0.1, rotate: 10 });
    const bad = await runCli('train', file, '--data', shapes, '--augment', 'rotate=90');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--augment rotate=90: must be a number from 0 to 45 (degrees)');
    const unknown = await runCli('train', file, '--data', shapes, '--augment', 'flip,zoom=2');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("--augment: 'zoom=2' is not flip, shift=S or rotate=D");
    const missing = await runCli('train', file, '--data', shapes, '--missing', 'drop');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--missing is for tables, but --data .*shapes is an image folder/);
  });

  it('a class with one image is exit 1 naming it; evaluate refuses a folder that changed since the run (exit 2)', async () => {
    const folder = path.join(dir, 'copy');
    await cp(shapes, folder, { recursive: true });
    const file = await writeGraph('copy', 16, 16, 1, 3);
    const args = ['--epochs', '1', '--backend', 'wasm', '--no-progress'];
    const trained = await runCli('train', file, '--data', folder, ...args, '--record');
    expect(trained.code, trained.err).toBe(0);
    await writeFile(path.join(folder, 'circle', '01.png'), await readFile(path.join(folder, 'square', '01.png')));
    const changed = await runCli('evaluate', file);
    expect(changed.code).toBe(2);
    expect(changed.err).toMatch(/The images in .*copy changed since the file recorded them/);

    for (const name of ['02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']) await rm(path.join(folder, 'triangle', `${name}.png`));
    const small = await runCli('train', file, '--data', folder, ...args);
    expect(small.code).toBe(1);
    expect(small.err).toMatch(/copy cannot be trained on: .*triangle/);
  });
});
