import { mkdtemp, mkdir, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confinedFolder } from '../files/workspaceFiles';
import {
  checkpointDirFor,
  checkpointsFolderFor,
  copyCheckpoint,
  deleteCheckpoint,
  listCheckpointFolders,
  pendingCheckpointDir,
  readCheckpoint,
  writeCheckpoint,
} from './checkpointStore';

const RUN = 'run-2026-12-06T03-20-00-000Z-42-1';
const HASH = `sha256:${'ab'.repeat(32)}`;
const files = (seed = 1) => [
  { name: 'model.json', bytes: new TextEncoder().encode(`{"modelTopology":{"seed":${seed}},"weightsManifest":[]}\n`) },
  { name: 'weights.bin', bytes: Uint8Array.from({ length: 4000 }, (_, i) => (i * seed) % 251) },
];

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'nb-ckpt-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('checkpoint locations', () => {
  it('sit beside the file and in the pending store', () => {
    expect(checkpointsFolderFor('/w/mynet.nbrick')).toBe('/w/mynet.nbrick-runs');
    expect(checkpointDirFor('/w/mynet.nbrick', RUN)).toBe(`/w/mynet.nbrick-runs/${RUN}`);
    expect(pendingCheckpointDir('/w/.neural-bricks', RUN)).toBe(`/w/.neural-bricks/checkpoints/${RUN}`);
  });

  it('refuse run ids that are not plain folder names', () => {
    for (const bad of ['..', '.', 'a/b', 'a\\b', '.hidden', 'run.1', '']) {
      expect(() => checkpointDirFor('/w/a.nbrick', bad)).toThrow(/cannot name a checkpoint folder/);
    }
  });
});

describe('writeCheckpoint / readCheckpoint', () => {
  it('round-trips the files with their sizes and hashes, leaving no temp folder', async () => {
    const dir = checkpointDirFor(path.join(root, 'net.nbrick'), RUN);
    const meta = await writeCheckpoint(dir, { runId: RUN, graphHash: HASH, files: files() });
    expect(meta.files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
    const read = await readCheckpoint(dir, RUN);
    expect(read.status).toBe('ok');
    if (read.status !== 'ok') return;
    expect(read.meta).toEqual(meta);
    expect(read.files.map((f) => [f.name, Buffer.from(f.bytes).toString('hex')])).toEqual(files().map((f) => [f.name, Buffer.from(f.bytes).toString('hex')]));
    expect((await readdir(path.dirname(dir))).sort()).toEqual([RUN]);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'model.json', 'weights.bin']);
  });

  it('replaces an existing checkpoint whole', async () => {
    const dir = checkpointDirFor(path.join(root, 'net.nbrick'), RUN);
    await writeCheckpoint(dir, { runId: RUN, graphHash: HASH, files: files(1) });
    await writeFile(path.join(dir, 'stray.txt'), 'old');
    await writeCheckpoint(dir, { runId: RUN, graphHash: HASH, files: files(3) });
    const read = await readCheckpoint(dir, RUN);
    expect(read.status === 'ok' && read.files[1]!.bytes[1]).toBe(3);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'model.json', 'weights.bin']);
  });

  it('refuses a model without weights.bin and a folder not named after the run', async () => {
    const dir = checkpointDirFor(path.join(root, 'net.nbrick'), RUN);
    await expect(writeCheckpoint(dir, { runId: RUN, graphHash: HASH, files: files().slice(0, 1) })).rejects.toThrow(/no weights\.bin/);
    await expect(writeCheckpoint(path.join(root, 'x-runs', 'other'), { runId: RUN, graphHash: HASH, files: files() })).rejects.toThrow(/not named after its run/);
  });

  it('says missing for no folder, damaged (never throws) for every kind of broken checkpoint', async () => {
    const file = path.join(root, 'net.nbrick');
    expect(await readCheckpoint(checkpointDirFor(file, RUN), RUN)).toMatchObject({ status: 'missing', reason: expect.stringContaining('no checkpoint folder') });

    const fresh = async () => {
      const dir = checkpointDirFor(file, RUN);
      await writeCheckpoint(dir, { runId: RUN, graphHash: HASH, files: files() });
      return dir;
    };
    const expectDamaged = async (dir: string, reason: RegExp, runId = RUN) => {
      const read = await readCheckpoint(dir, runId);
      expect(read.status).toBe('damaged');
      expect(read.status !== 'ok' && read.reason).toMatch(reason);
      expect(read.status !== 'ok' && read.reason).toContain(dir);
    };

    let dir = await fresh();
    await truncate(path.join(dir, 'weights.bin'), 100);
    await expectDamaged(dir, /weights\.bin has 100 bytes, 4000 expected/);

    dir = await fresh();
    const weights = await readFile(path.join(dir, 'weights.bin'));
    weights[17] = weights[17]! ^ 1;
    await writeFile(path.join(dir, 'weights.bin'), weights);
    await expectDamaged(dir, /weights\.bin does not match its recorded sha256/);

    dir = await fresh();
    await writeFile(path.join(dir, 'checkpoint.json'), '{"format": "neural-bricks/checkpoint", ');
    await expectDamaged(dir, /checkpoint\.json is not valid JSON/);

    dir = await fresh();
    await writeFile(path.join(dir, 'checkpoint.json'), '{"format": "something-else"}');
    await expectDamaged(dir, /checkpoint\.json is not a checkpoint description/);

    dir = await fresh();
    await expectDamaged(dir, /belongs to run run-2026-12-06T03-20-00-000Z-42-1, not run-other/, 'run-other');

    dir = await fresh();
    await rm(path.join(dir, 'model.json'));
    await expectDamaged(dir, /model\.json: missing/);

    dir = await fresh();
    await rm(path.join(dir, 'checkpoint.json'));
    await expectDamaged(dir, /checkpoint\.json: missing/);

    dir = await fresh();
    await rm(path.join(dir, 'weights.bin'));
    await symlink(path.join(root, 'elsewhere.bin'), path.join(dir, 'weights.bin'));
    await expectDamaged(dir, /weights\.bin: is a link/);
  });

  it('refuses a -runs folder that is a link to a place outside the graph\'s folder, for reading, writing and deleting', async () => {
    const workspace = path.join(root, 'workspace');
    const outside = path.join(root, 'outside');
    await mkdir(workspace);
    await mkdir(outside);
    const file = path.join(workspace, 'net.nbrick');
    const elsewhere = checkpointDirFor(path.join(outside, 'net.nbrick'), RUN);
    await writeCheckpoint(elsewhere, { runId: RUN, graphHash: HASH, files: files() });
    await symlink(path.dirname(elsewhere), checkpointsFolderFor(file));

    const read = await readCheckpoint(checkpointDirFor(file, RUN), RUN);
    expect(read).toMatchObject({ status: 'damaged', reason: expect.stringMatching(/link to a place outside/) });
    await expect(writeCheckpoint(checkpointDirFor(file, 'run-new'), { runId: 'run-new', graphHash: HASH, files: files() })).rejects.toThrow(/link to a place outside/);
    await expect(deleteCheckpoint(checkpointsFolderFor(file), RUN)).rejects.toThrow(/link to a place outside/);
    // The web host's boundary (its workspace) refuses it just as well.
    const boundary = confinedFolder(workspace, 'the workspace');
    expect((await readCheckpoint(checkpointDirFor(file, RUN), RUN, { boundary })).status).toBe('damaged');
    expect((await readdir(path.dirname(elsewhere))).sort()).toEqual([RUN]);
    expect((await readCheckpoint(elsewhere, RUN)).status).toBe('ok');
  });
});

describe('copyCheckpoint / deleteCheckpoint / listCheckpointFolders', () => {
  it('copies a verified checkpoint keeping its meta, and copies nothing from a damaged one', async () => {
    const from = pendingCheckpointDir(path.join(root, 'state'), RUN);
    const meta = await writeCheckpoint(from, { runId: RUN, graphHash: HASH, files: files(), createdAt: '2026-01-02T03:04:05.000Z' });
    const to = checkpointDirFor(path.join(root, 'net.nbrick'), RUN);
    expect((await copyCheckpoint(from, to, RUN)).status).toBe('ok');
    const copied = await readCheckpoint(to, RUN);
    expect(copied.status === 'ok' && copied.meta).toEqual(meta);

    await truncate(path.join(from, 'weights.bin'), 1);
    const other = checkpointDirFor(path.join(root, 'other.nbrick'), RUN);
    expect((await copyCheckpoint(from, other, RUN)).status).toBe('damaged');
    await expect(stat(other)).rejects.toThrow();
  });

  it('deletes only real run folders, and lists only those', async () => {
    const file = path.join(root, 'net.nbrick');
    const folder = checkpointsFolderFor(file);
    await writeCheckpoint(checkpointDirFor(file, 'run-a'), { runId: 'run-a', graphHash: HASH, files: files() });
    await writeCheckpoint(checkpointDirFor(file, 'run-b'), { runId: 'run-b', graphHash: HASH, files: files() });
    await mkdir(path.join(root, 'precious'));
    await writeFile(path.join(root, 'precious', 'keep.txt'), 'keep');
    await symlink(path.join(root, 'precious'), path.join(folder, 'run-link'));
    await writeFile(path.join(folder, 'notes.txt'), 'mine');
    expect(await listCheckpointFolders(folder)).toEqual(['run-a', 'run-b']);

    expect(await deleteCheckpoint(folder, 'run-a')).toBe(true);
    expect(await deleteCheckpoint(folder, 'run-a')).toBe(false);
    await expect(deleteCheckpoint(folder, 'run-link')).rejects.toThrow(/not a checkpoint folder/);
    await expect(deleteCheckpoint(folder, '..')).rejects.toThrow(/cannot name a checkpoint folder/);
    expect(await readFile(path.join(root, 'precious', 'keep.txt'), 'utf8')).toBe('keep');
    expect((await readdir(folder)).sort()).toEqual(['notes.txt', 'run-b', 'run-link']);
  });
});
