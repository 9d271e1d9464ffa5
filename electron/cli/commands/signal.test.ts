import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/runCli';

const repo = path.resolve(import.meta.dirname, '../../..');
const example = (name: string) => path.join(repo, 'examples', name);
let dir: string;

const bricks = runCli;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-signal-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bricks signal', () => {
  it('prints per-node statistics in depth order as JSON, reproducibly', async () => {
    const file = example('spirals.nbrick');
    const { code, out, err } = await bricks('signal', file, '--dataset', 'spirals', '--backend', 'cpu', '--json');
    expect(code, err).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ file, datasetId: 'spirals', samples: 256, seed: 42, backend: 'cpu' });
    expect(result.nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(['input', 'h1', 'h2', 'h3', 'out']);
    for (const node of result.nodes) {
      expect(node.avgSquaredMean).toBeGreaterThanOrEqual(0);
      expect(node.avgVariance).toBeGreaterThan(0);
    }
    // Softmax outputs of two classes sum to 1: their channel means average to 0.5, so the squared mean is ≥ 0.25.
    expect(result.nodes.at(-1).avgSquaredMean).toBeGreaterThanOrEqual(0.25 - 1e-6);
    const again = await bricks('signal', file, '--backend', 'cpu', '--json');
    expect(JSON.parse(again.out).nodes).toEqual(result.nodes);
  });

  it('prints a readable table without --json', async () => {
    const { code, out } = await bricks('signal', example('resnet-mini.nbrick'), '--limit', '300', '--samples', '64', '--backend', 'cpu');
    expect(code).toBe(0);
    expect(out).toContain('resnet-mini.nbrick: signal propagation at initialisation on 64 mnist training samples');
    expect(out).toMatch(/node\s+type\s+output\s+avg ch\. squared mean\s+avg ch\. variance/);
    expect(out).toMatch(/b1_bn1\s+BatchNorm\s+14×14×16/);
  });

  it('exits 1 naming the file when the graph does not fit the data, 2 for an unreadable file or bad usage', async () => {
    const misfit = await bricks('signal', example('lenet.nbrick'), '--dataset', 'spirals', '--backend', 'cpu');
    expect(misfit.code).toBe(1);
    expect(misfit.err).toContain(`bricks signal: ${example('lenet.nbrick')}: `);
    const broken = path.join(dir, 'broken.nbrick');
    await writeFile(broken, '{ not json');
    const unreadable = await bricks('signal', broken);
    expect(unreadable.code).toBe(2);
    expect(unreadable.err).toContain('broken.nbrick');
    expect((await bricks('signal', example('xor.nbrick'), '--dataset', 'nope')).err).toContain("unknown dataset 'nope'");
    expect((await bricks('signal', example('xor.nbrick'), '--samples', '0')).code).toBe(2);
  });
});
