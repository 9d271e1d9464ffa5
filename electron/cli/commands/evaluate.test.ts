import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGraphFile } from '../../services/files/readGraphFile';
import { checkpointDirFor } from '../../services/checkpoints/checkpointStore';
import { loadDataset } from '../../services/datasets/loadDataset';
import type { RunSummary } from '../../../shared/format/runSummary';
import { readNpy, writeNpy } from '../npy';
import { runCli } from '../testing/runCli';

const repo = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let spirals: string;
let run: RunSummary;

const bricks = runCli;

async function runsOf(file: string): Promise<readonly RunSummary[]> {
  const read = await readGraphFile(file);
  if (!read.ok) throw new Error(read.error.message);
  return read.file.runs ?? [];
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-evaluate-'));
  spirals = path.join(dir, 'spirals.nbrick');
  await copyFile(path.join(repo, 'examples/spirals.nbrick'), spirals);
  // Few epochs: a half-trained net whose accuracy is not a round number, so "equal" means equal.
  const trained = await bricks('train', spirals, '--epochs', '3', '--backend', 'wasm', '--record', '--no-progress');
  expect(trained.code, trained.err).toBe(0);
  run = (await runsOf(spirals)).at(-1)!;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bricks evaluate', () => {
  it("reproduces the testAccuracy recorded by bricks train --record exactly, on the run's own test split", async () => {
    const { code, out, err } = await bricks('evaluate', spirals, '--json');
    expect(code, err).toBe(0);
    const result = JSON.parse(out);
    expect(run.final.testAccuracy).toBeGreaterThan(0);
    expect(run.final.testAccuracy).toBeLessThan(1);
    expect(result.accuracy).toBe(run.final.testAccuracy);
    expect(result.loss).toBe(run.final.testLoss);
    expect(result).toMatchObject({ runId: run.id, task: 'classification', dataset: { id: 'spirals' }, split: 'test' });
    const { test, info } = loadDataset('spirals');
    expect(result.labels).toEqual(info.classNames);
    expect(result.sampleCount).toBe(test.count);
    // Rows are true classes: each row sums to that class's count in the test split.
    const perClass = info.classNames.map((_, c) => test.labels.filter((l) => l === c).length);
    expect(result.confusionMatrix.map((row: number[]) => row.reduce((a, b) => a + b, 0))).toEqual(perClass);
    expect(result.perClass.map((s: { support: number }) => s.support)).toEqual(perClass);
    expect(result.perClass[0]).toEqual({ label: info.classNames[0], precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number), support: perClass[0] });
    expect(result.calibration.bins).toHaveLength(10);
    expect(result.recorded).toEqual({ testAccuracy: run.final.testAccuracy, testLoss: run.final.testLoss });
  });

  it('prints a readable report without --json', async () => {
    const { code, out } = await bricks('evaluate', spirals, '--run', run.id);
    expect(code).toBe(0);
    expect(out).toContain(`spirals.nbrick: run ${run.id} on the spirals test split`);
    expect(out).toContain("(same as the run's recorded test accuracy");
    expect(out).toMatch(/Confusion matrix \(rows = true class, columns = predicted\):/);
    expect(out).toMatch(/precision\s+recall\s+F1\s+support/);
  });

  it('exits 1 naming the run and the reason when there is no such run or its checkpoint is damaged, 2 for bad usage', async () => {
    const missing = await bricks('evaluate', spirals, '--run', 'no-such-run');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`bricks evaluate: no run no-such-run in ${spirals} (its runs: ${run.id})`);
    expect((await bricks('evaluate', path.join(dir, 'absent.nbrick'))).code).toBe(2);
    expect((await bricks('evaluate', spirals, '--dataset', 'nope')).code).toBe(2);

    const damaged = path.join(dir, 'damaged.nbrick');
    await copyFile(spirals, damaged);
    const untouched = await bricks('evaluate', damaged);
    expect(untouched.code).toBe(1);
    expect(untouched.err).toMatch(/no run of .*damaged\.nbrick has a kept checkpoint: run .*: missing/);
  });
});

describe('bricks evaluate on a run trained with dataset options', () => {
  it('uses the dataset options the run recorded: without flags its accuracy equals the recorded testAccuracy exactly', async () => {
    const small = path.join(dir, 'spirals-200.nbrick');
    await copyFile(path.join(repo, 'examples/spirals.nbrick'), small);
    const trained = await bricks('train', small, '--samples', '200', '--epochs', '3', '--backend', 'wasm', '--record', '--no-progress');
    expect(trained.code, trained.err).toBe(0);
    const recorded = (await runsOf(small)).at(-1)!;
    expect(recorded.dataset).toEqual({ id: 'spirals', options: { samples: 200 } });

    const { code, out, err } = await bricks('evaluate', small, '--json');
    expect(code, err).toBe(0);
    const result = JSON.parse(out);
    expect(result.sampleCount).toBe(loadDataset('spirals', { samples: 200 }).test.count);
    expect(result.dataset).toEqual({ id: 'spirals', options: { samples: 200 } });
    expect(result.accuracy).toBe(recorded.final.testAccuracy);
    expect(result.loss).toBe(recorded.final.testLoss);
    // A flag still overrides the recorded option.
    const other = JSON.parse((await bricks('evaluate', small, '--json', '--samples', '400')).out);
    expect(other.sampleCount).toBe(loadDataset('spirals', { samples: 400 }).test.count);
  }, 120_000);
});

describe('bricks predict', () => {
  it('runs the kept model on .json and .npy inputs; the outputs are the probabilities the evaluation scored', async () => {
    const { test } = loadDataset('spirals');
    const points = [Array.from(test.x.subarray(0, 2)), Array.from(test.x.subarray(2, 4)), Array.from(test.x.subarray(4, 6))];
    const jsonIn = path.join(dir, 'points.json');
    const jsonOut = path.join(dir, 'out.json');
    await writeFile(jsonIn, JSON.stringify(points));
    const fromJson = await bricks('predict', spirals, '--input', jsonIn, '--output', jsonOut);
    expect(fromJson.code, fromJson.err).toBe(0);
    expect(fromJson.err).toMatch(/Predicted 3 samples with run .* → .*out\.json \(3×2\)/);
    const probabilities: number[][] = JSON.parse(await readFile(jsonOut, 'utf8'));
    expect(probabilities).toHaveLength(3);
    for (const row of probabilities) expect(row[0]! + row[1]!).toBeCloseTo(1, 5);

    const npyIn = path.join(dir, 'points.npy');
    const npyOut = path.join(dir, 'out.npy');
    await writeFile(npyIn, writeNpy({ shape: [3, 2], data: test.x.slice(0, 6) }));
    const fromNpy = await bricks('predict', spirals, '--input', npyIn, '--output', npyOut, '--run', run.id);
    expect(fromNpy.code, fromNpy.err).toBe(0);
    const out = readNpy(await readFile(npyOut));
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.data)).toEqual(probabilities.flat().map(Math.fround));

    // The same predictions the evaluation scored: its confusion matrix counts these three samples as predicted here.
    const evaluation = JSON.parse((await bricks('evaluate', spirals, '--json', '--max-mistakes', '1000')).out);
    const wrong = new Set(evaluation.mistakes.map((m: { index: number }) => m.index));
    probabilities.forEach((row, i) => expect(wrong.has(i)).toBe((row[1]! > row[0]! ? 1 : 0) !== test.labels[i]));
  });

  it('refuses input that does not fit the model (exit 2), naming both shapes', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify([[1, 2, 3]]));
    const result = await bricks('predict', spirals, '--input', bad, '--output', path.join(dir, 'x.json'));
    expect(result.code).toBe(2);
    expect(result.err).toContain('input of shape 1×3 does not fit the model, which takes N×2');
    await writeFile(bad, JSON.stringify([[1, 2], [3]]));
    expect((await bricks('predict', spirals, '--input', bad, '--output', path.join(dir, 'x.json'))).err).toContain('bad.json[1]: expected an array of 2');
    expect((await bricks('predict', spirals, '--input', bad, '--output', path.join(dir, 'x.csv'))).code).toBe(2);
  });

  it('says the checkpoint is damaged when its weights were cut (exit 1)', async () => {
    const copy = path.join(dir, 'cut.nbrick');
    await copyFile(spirals, copy);
    const { mkdir, cp } = await import('node:fs/promises');
    await mkdir(`${copy}-runs`, { recursive: true });
    await cp(checkpointDirFor(spirals, run.id), checkpointDirFor(copy, run.id), { recursive: true });
    await truncate(path.join(checkpointDirFor(copy, run.id), 'weights.bin'), 8);
    const points = path.join(dir, 'one.json');
    await writeFile(points, '[0.5, 0.5]');
    const result = await bricks('predict', copy, '--run', run.id, '--input', points, '--output', path.join(dir, 'y.json'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`run ${run.id}: its checkpoint is damaged \\(.*weights\\.bin`));
  });
});
