import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_FORMAT_VERSION } from '../../shared/format/graphFileSchema';
import { COMMANDS, main } from './main';
import type { CliIo } from './command';

const repo = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repo, 'shared/format/fixtures');
const v1 = path.join(fixtures, 'v1.nbrick');
/** The fixture of the current format version (canonical as it is). */
const current = path.join(fixtures, `v${CURRENT_FORMAT_VERSION}.nbrick`);

async function runWith(commands: typeof COMMANDS, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const code = await main(argv, io, commands);
  return { code, out, err };
}
const run = (...argv: string[]) => runWith(COMMANDS, argv);

let dir: string;
const tmp = (name: string) => path.join(dir, name);
function editedV1(edit: (f: any) => void): string {
  const json = JSON.parse(readFileSync(current, 'utf8'));
  edit(json);
  return JSON.stringify(json);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-cli-'));
  await writeFile(tmp('notes.txt'), 'not a graph');
  await writeFile(tmp('other.json'), '{"hello": "world"}');
  await writeFile(tmp('cycle.nbrick'), editedV1((f) => {
    f.graph.nodes[4].params.units = -3;
    f.graph.edges.push({ id: 'e9', source: 'dense1', target: 'conv1', targetPort: 1 });
  }));
  await writeFile(tmp('dangling.nbrick'), editedV1((f) => (f.graph.edges[2].source = 'ghost')));
  await writeFile(tmp('changed.nbrick'), editedV1((f) => {
    f.graph.nodes[4].params.units = 64;
    f.graph.nodes[0].position.x = 5;
  }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bricks validate', () => {
  it('prints a per-node table with shapes, params and FLOPs, and exits 0 for a valid graph', async () => {
    const { code, out, err } = await run('validate', v1);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('"Small MNIST CNN"');
    expect(out).toMatch(/conv1\s+Conv2D\s+28×28×8\s+80\s/);
    expect(out).toMatch(/dense1\s+Dense\s+32\s+50.2K/);
    expect(out).toMatch(/total\s+50.6K/);
    expect(out).toContain('OK');
  });

  it('validates every example and fixture without errors', async () => {
    const examplesDir = path.join(repo, 'examples');
    const examples = existsSync(examplesDir) ? readdirSync(examplesDir).filter((f) => f.endsWith('.nbrick')).map((f) => path.join(examplesDir, f)) : [];
    const files = [...examples, path.join(fixtures, 'v0.nbrick'), v1];
    const { code, out, err } = await run('validate', ...files);
    expect(err).toBe('');
    expect(out.match(/^ {2}OK/gm)?.length).toBe(files.length);
    expect(code).toBe(0);
  });

  it('exits 1 on an invalid graph and names node, port and param', async () => {
    const { code, out } = await run('validate', tmp('cycle.nbrick'));
    expect(code).toBe(1);
    expect(out).toMatch(/error\s+node dense1, param units: .*\[invalid-param\]/);
    // Inputs are numbered from 1 in the location as in the message (the edge has targetPort 1 in the file).
    expect(out).toMatch(/node conv1, input 2, edge e9: .*goes to input 2/);
    expect(out).toContain('[cycle]');
    expect(out).toMatch(/FAILED: \d+ errors/);
  });

  it('exits 1 on a structurally invalid file and prints the JSON path', async () => {
    const { code, err } = await run('validate', tmp('dangling.nbrick'));
    expect(code).toBe(1);
    expect(err).toContain('graph.edges[2].source');
    expect(err).toContain('ghost');
  });

  it('exits 2 for a file that is not a graph file, or is missing', async () => {
    for (const name of ['notes.txt', 'other.json', 'missing.nbrick']) {
      const { code, err, out } = await run('validate', tmp(name));
      expect(code, name).toBe(2);
      expect(err).toContain(tmp(name));
      expect(out).toBe('');
    }
  });

  it('uses the worst exit code over several files', async () => {
    expect((await run('validate', v1, tmp('cycle.nbrick'))).code).toBe(1);
    expect((await run('validate', tmp('notes.txt'), v1, tmp('cycle.nbrick'))).code).toBe(2);
  });

  it('--json prints only one JSON document with per-node data', async () => {
    const { code, out, err } = await run('validate', '--json', v1, tmp('cycle.nbrick'), tmp('notes.txt'));
    expect(code).toBe(2);
    expect(err).toBe('');
    const report = JSON.parse(out);
    expect(report.files).toHaveLength(3);
    const [good, bad, notGraph] = report.files;
    expect(good.ok).toBe(true);
    expect(good.nodes.find((n: any) => n.id === 'conv1')).toMatchObject({ type: 'Conv2D', output: [28, 28, 8], params: 80 });
    expect(good.totals.params).toBe(50618);
    expect(bad.ok).toBe(false);
    expect(bad.issues.some((i: any) => i.nodeId === 'dense1' && i.param === 'units')).toBe(true);
    expect(notGraph).toMatchObject({ ok: false, exitCode: 2, error: { code: 'not-a-graph-file' } });
  });
});

describe('bricks info', () => {
  it('summarises sizes, cost, training and runs', async () => {
    const { code, out } = await run('info', v1);
    expect(code).toBe(0);
    expect(out).toContain('Small MNIST CNN');
    expect(out).toMatch(/nodes\s+7/);
    expect(out).toMatch(/parameters\s+50.6K \(50,618/);
    expect(out).toMatch(/compute\s+227 KFLOPs/);
    expect(out).toMatch(/activations\s+40.1 KB per sample, 2.51 MB per batch of 64/);
    expect(out).toContain('dataset mnist, optimizer adam');
    expect(out).toMatch(/completed\s+wasm\s+mnist\s+3\s+0.2000\s+94.0%/);
  });

  it('--json parses; errors exit 2', async () => {
    const { out } = await run('info', '--json', v1);
    const info = JSON.parse(out);
    expect(info.counts).toEqual({ nodes: 7, edges: 6, groups: 1 });
    expect(info.training.batchSize).toBe(64);
    expect(info.runs).toHaveLength(1);
    expect((await run('info', tmp('notes.txt'))).code).toBe(2);
  });
});

describe('bricks diff', () => {
  it('exits 0 for identical graphs and 1 with a change list otherwise', async () => {
    expect(await run('diff', current, current)).toMatchObject({ code: 0, out: 'no differences\n' });
    const { code, out } = await run('diff', current, tmp('changed.nbrick'));
    expect(code).toBe(1);
    expect(out).toContain('~ dense1.units: 32 → 64');
    expect(out).toContain('~ input1 moved');
    const ignoring = await run('diff', '--ignore-moves', '--json', current, tmp('changed.nbrick'));
    expect(JSON.parse(ignoring.out).changes).toEqual([{ kind: 'param-changed', nodeId: 'dense1', param: 'units', from: 32, to: 64 }]);
    expect((await run('diff', current, tmp('notes.txt'))).code).toBe(2);
  });
});

describe('bricks format', () => {
  it('--check reports non-canonical and old files; without it rewrites them to canonical current-version text', async () => {
    const v0Copy = tmp('old.nbrick');
    await writeFile(v0Copy, readFileSync(path.join(fixtures, 'v0.nbrick'), 'utf8'));
    const check = await run('format', '--check', current, v0Copy, tmp('changed.nbrick'));
    expect(check.code).toBe(1);
    expect(check.out).toContain(`${current}: already canonical`);
    expect(check.out).toContain(`${v0Copy}: would be rewritten (format version 0)`);
    expect(check.out).toContain('changed.nbrick: would be rewritten (not canonical)');
    expect(readFileSync(v0Copy, 'utf8')).toContain('"layers"');

    const rewrite = await run('format', v0Copy);
    expect(rewrite.code).toBe(0);
    const text = readFileSync(v0Copy, 'utf8');
    expect(JSON.parse(text).formatVersion).toBe(CURRENT_FORMAT_VERSION);
    expect((await run('format', '--check', v0Copy)).code).toBe(0);
    expect((await run('format', tmp('notes.txt'))).code).toBe(2);
  });
});

describe('bricks', () => {
  it('--help documents every command and mentions train', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    for (const word of ['validate', 'info', 'diff', 'format', 'bricks train', 'Exit codes']) expect(out).toContain(word);
  });

  it('no arguments prints help and exits 2; unknown commands exit 2', async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: bricks');
    expect(none.err).toContain('Exit codes');
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'frobnicate'");
  });

  it('a command whose module fails to load does not break the others', async () => {
    const commands = [...COMMANDS, { name: 'broken', load: async () => Promise.reject(new Error('Cannot find module tfjs_binding.node')) }];
    expect((await runWith(commands, ['validate', v1])).code).toBe(0);
    expect((await runWith(commands, ['--help'])).out).toMatch(/broken\s+\(unavailable: Cannot find module/);
    const broken = await runWith(commands, ['broken', 'x.nbrick']);
    expect(broken.code).toBe(70);
    expect(broken.err).toContain('bricks broken: this command could not be loaded: Cannot find module tfjs_binding.node');
  });
});
