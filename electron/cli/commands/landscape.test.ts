import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGraphFile } from '../../services/files/readGraphFile';
import { runCli } from '../testing/runCli';

const repo = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let spirals: string;
let runId: string;

const bricks = runCli;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-landscape-'));
  spirals = path.join(dir, 'spirals.nbrick');
  await copyFile(path.join(repo, 'examples/spirals.nbrick'), spirals);
  const trained = await bricks('train', spirals, '--epochs', '3', '--backend', 'cpu', '--record', '--no-progress');
  expect(trained.code, trained.err).toBe(0);
  const read = await readGraphFile(spirals);
  if (!read.ok) throw new Error(read.error.message);
  runId = read.file.runs!.at(-1)!.id;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bricks landscape', () => {
  it("prints the line and grid around the newest kept run's weights as JSON; the centre is the trained weights' loss", async () => {
    const { code, out, err } = await bricks('landscape', spirals, '--json', '--line-steps', '9', '--grid', '5', '--samples', '128', '--backend', 'cpu');
    expect(code, err).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ file: spirals, runId, datasetId: 'spirals', samples: 128, seed: 1, range: 1, backend: 'cpu' });
    expect(result.line.alphas).toEqual([-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1]);
    expect(result.line.losses[4]).toBeCloseTo(result.centerLoss, 6);
    expect(result.grid.losses).toHaveLength(25);
    expect(result.grid.losses[12]).toBeCloseTo(result.centerLoss, 6);
    expect(new Set(result.line.losses).size).toBe(9);
    expect(result.directionParams).toBe(2 * 64 + 64 * 64 * 2 + 64 * 2);
  });

  it('prints a readable summary with a shaded grid without --json', async () => {
    const { code, out } = await bricks('landscape', spirals, '--run', runId, '--line-steps', '5', '--grid', '7', '--samples', '64', '--backend', 'cpu');
    expect(code).toBe(0);
    expect(out).toContain(`spirals.nbrick: loss landscape of run ${runId} on 64 spirals training samples`);
    expect(out).toMatch(/Along direction 1 \(α from −1 to \+1\):/);
    expect(out).toMatch(/Grid 7×7 \(α across, β up;/);
    expect(out.split('\n').filter((l) => /^ {4}\|.{7}\|$/.test(l))).toHaveLength(7);
  });

  it('exits 1 naming the run when there is none, 2 for bad usage', async () => {
    const missing = await bricks('landscape', spirals, '--run', 'no-such-run');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`bricks landscape: no run no-such-run in ${spirals}`);
    const plain = path.join(dir, 'xor.nbrick');
    await copyFile(path.join(repo, 'examples/xor.nbrick'), plain);
    const none = await bricks('landscape', plain);
    expect(none.code).toBe(1);
    expect(none.err).toContain('has no recorded runs');
    expect((await bricks('landscape', spirals, '--grid', '1')).code).toBe(2);
    expect((await bricks('landscape', spirals, '--range', '-1')).code).toBe(2);
  });
});
