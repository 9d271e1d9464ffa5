import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import { graphHash } from '../../../shared/format/graphHash';
import { runCli } from '../testing/runCli';

const repo = path.resolve(import.meta.dirname, '../../..');
const spirals = path.join(repo, 'examples/spirals.nbrick');
const resnet = path.join(repo, 'examples/resnet-mini.nbrick');
let dir: string;

const run = runCli;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-experiment-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bricks experiment', () => {
  it('--json: events tagged per variant, then one experiment line with a row per variant', async () => {
    const { code, out } = await run(
      'experiment', spirals, '--vary', 'act:relu>leakyRelu', '--lr', '0.1,0.01', '--epochs', '2', '--samples', '200', '--backend', 'cpu', '--json',
    );
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    const starts = lines.filter((l) => l.type === 'variant');
    expect(starts.map((l) => l.name)).toEqual(['baseline · lr 0.1', 'baseline · lr 0.01', 'ReLU → leaky ReLU · lr 0.1', 'ReLU → leaky ReLU · lr 0.01']);
    expect(lines.filter((l) => l.type === 'epoch').map((l) => `${l.variant}:${l.epoch}`)).toEqual(['0:1', '0:2', '1:1', '1:2', '2:1', '2:2', '3:1', '3:2']);
    expect(new Set(lines.filter((l) => l.type === 'started').map((l) => `${l.trainSize}/${l.valSize}`)).size).toBe(1);
    const final = lines.at(-1);
    expect(final.type).toBe('experiment');
    expect(final.variants).toHaveLength(4);
    for (const v of final.variants) {
      expect(v.status).toBe('completed');
      expect(Number.isFinite(v.finalLoss) && Number.isFinite(v.valLoss)).toBe(true);
      expect(v.finalAccuracy).toBeGreaterThanOrEqual(0);
      expect(v.params).toBe(2 * 64 + 64 + 2 * (64 * 64 + 64) + 64 * 2 + 2);
      expect(v.wallTimeMs).toBeGreaterThan(0);
    }
    expect(final.variants[0].graphHash).toBe(final.variants[1].graphHash);
    expect(final.variants[0].graphHash).not.toBe(final.variants[2].graphHash);
    // The file's rate is 0.01, so that variant changes only the activation.
    expect(final.variants[3].changes).toEqual(['activation relu → leakyRelu: h2, h3']);
    expect(final.variants[2].changes).toEqual(['activation relu → leakyRelu: h2, h3', 'learning rate 0.01 → 0.1']);
  });

  it('text mode prints a table; --record appends every variant run with its variant and graph hash', async () => {
    const file = path.join(dir, 'resnet.nbrick');
    await copyFile(resnet, file);
    const { code, out, err } = await run('experiment', file, '--vary', 'skip', '--epochs', '1', '--limit', '200', '--backend', 'wasm', '--record');
    expect(err).toContain('Experiment on resnet.nbrick: 2 variants on mnist');
    expect(code).toBe(0);
    expect(out).toMatch(/variant\s+status\s+loss\s+acc\s+val loss\s+val acc\s+params\s+time/);
    expect(out).toMatch(/\n {2}baseline\s+completed\s+\d\.\d{4}/);
    expect(out).toMatch(/\n {2}no skip edges\s+completed\s+\d\.\d{4}/);
    expect(out).toContain('Recorded 2 runs in');
    const loaded = loadGraphFile(await readFile(file, 'utf8'));
    if (!loaded.ok) throw new Error(loaded.error.message);
    const runs = loaded.file.runs ?? [];
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.variant?.name)).toEqual(['baseline', 'no skip edges']);
    expect(runs[0]!.variant!.experimentId).toBe(runs[1]!.variant!.experimentId);
    expect(runs[0]!.graphHash).toBe(graphHash(loaded.file.graph));
    expect(runs[1]!.graphHash).not.toBe(runs[0]!.graphHash);
    expect(runs[1]!.variant!.changes).toContain('b1_add: removed skip edge from stem_relu');
  });

  it('refuses toggles that do not apply and bad flags with exit 2', async () => {
    const noNorms = await run('experiment', spirals, '--vary', 'norm');
    expect(noNorms.code).toBe(2);
    expect(noNorms.err).toContain('no norms: the graph has no BatchNorm or LayerNorm');
    const unknown = await run('experiment', spirals, '--vary', 'wider');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("--vary: unknown toggle 'wider'");
    const badLr = await run('experiment', spirals, '--lr', '0.1,abc');
    expect(badLr.code).toBe(2);
    const nothing = await run('experiment', spirals);
    expect(nothing.code).toBe(2);
    expect(nothing.err).toContain('nothing to vary');
    const block = await run('experiment', resnet, '--vary', 'depth:nope:3');
    expect(block.err).toContain("the graph has no block 'nope'; blocks: block1 (Residual block), block2 (Residual block (downsample))");
  });
});
