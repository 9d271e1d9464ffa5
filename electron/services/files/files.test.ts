import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraphFile } from '../../../shared/format/graphFileSchema';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { readGraphFile } from './readGraphFile';
import { writeGraphFileAtomic, type AtomicWriteFs } from './writeGraphFileAtomic';
import { createRecentFilesStore } from './recentFiles';

const fixtureV0 = new URL('../../../shared/format/fixtures/v0.nbrick', import.meta.url);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nbrick-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = createGraphFile({
  metadata: { name: 'sample' },
  nodes: [{ id: 'input1', type: 'Input', params: { kind: 'vector', size: 2 }, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
});

describe('readGraphFile', () => {
  it('reads and migrates a file, reporting the version it came from', async () => {
    const result = await readGraphFile(fixtureV0.pathname);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.migratedFrom).toBe(0);
  });

  it('names the file path in every error', async () => {
    const missing = path.join(dir, 'missing.nbrick');
    const r1 = await readGraphFile(missing);
    expect(!r1.ok && r1.error).toMatchObject({ code: 'io-error', errno: 'ENOENT' });
    expect(!r1.ok && r1.error.message).toBe(`${missing}: no such file`);

    const notGraph = path.join(dir, 'notes.txt');
    await writeFile(notGraph, 'hello');
    const r2 = await readGraphFile(notGraph);
    expect(!r2.ok && r2.error.code).toBe('not-a-graph-file');
    expect(!r2.ok && r2.error.message.startsWith(`${notGraph}: `)).toBe(true);

    const r3 = await readGraphFile(dir);
    expect(!r3.ok && r3.error.code).toBe('io-error');

    // A FIFO would block a plain read forever; it is refused before opening.
    const fifo = path.join(dir, 'pipe.nbrick');
    execFileSync('mkfifo', [fifo]);
    const r4 = await readGraphFile(fifo);
    expect(!r4.ok && r4.error.message).toBe(`${fifo}: is not a regular file`);
  });

  it('refuses a file over the size limit before reading it whole', async () => {
    const big = path.join(dir, 'big.nbrick');
    await writeFile(big, serializeGraphFile(sample));
    const r = await readGraphFile(big, { maxBytes: 50 });
    expect(!r.ok && r.error.code).toBe('too-large');
    expect(!r.ok && r.error.message).toContain(big);
  });
});

describe('writeGraphFileAtomic', () => {
  it('writes canonical text that reads back equal', async () => {
    const target = path.join(dir, 'a.nbrick');
    await writeGraphFileAtomic(target, sample);
    expect(await readFile(target, 'utf8')).toBe(serializeGraphFile(sample));
    const back = await readGraphFile(target);
    expect(back.ok && back.file).toEqual(sample);
    expect(await readdir(dir)).toEqual(['a.nbrick']);
  });

  it('keeps the old file intact and leaves no temp file when writing fails midway', async () => {
    const target = path.join(dir, 'a.nbrick');
    await writeFile(target, 'OLD CONTENT');
    const failingWrite: AtomicWriteFs = {
      rename: fs.rename,
      link: fs.link,
      rm: fs.rm,
      open: (async (...args: Parameters<typeof fs.open>) => {
        const handle = await fs.open(...args);
        // Write part of the data, then fail like a full disk would.
        handle.writeFile = async () => {
          await handle.write('{"format": "neural-bri');
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        };
        return handle;
      }) as typeof fs.open,
    };
    await expect(writeGraphFileAtomic(target, sample, failingWrite)).rejects.toThrow(/^".*a\.nbrick" cannot be saved: ENOSPC/);
    expect(await readFile(target, 'utf8')).toBe('OLD CONTENT');
    expect(await readdir(dir)).toEqual(['a.nbrick']);
  });

  it('saving through a symlink updates the linked file and keeps the link', async () => {
    const real = path.join(dir, 'real.nbrick');
    const link = path.join(dir, 'link.nbrick');
    await writeFile(real, 'OLD');
    await symlink(real, link);
    await writeGraphFileAtomic(link, sample);
    expect(await readFile(real, 'utf8')).toBe(serializeGraphFile(sample));
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('keeps the old file when the rename fails', async () => {
    const target = path.join(dir, 'a.nbrick');
    await writeFile(target, 'OLD CONTENT');
    const failingRename: AtomicWriteFs = { open: fs.open, rm: fs.rm, link: fs.link, rename: async () => Promise.reject(new Error('EXDEV')) };
    await expect(writeGraphFileAtomic(target, sample, failingRename)).rejects.toThrow(/EXDEV/);
    expect(await readFile(target, 'utf8')).toBe('OLD CONTENT');
    expect(await readdir(dir)).toEqual(['a.nbrick']);
  });
});

describe('recent files', () => {
  it('keeps most recent first, without duplicates, up to max, and survives a corrupt store', async () => {
    const configDir = path.join(dir, 'config');
    const store = createRecentFilesStore(configDir, { max: 3 });
    expect(await store.list()).toEqual([]);
    await store.add('/a.nbrick');
    await store.add('/b.nbrick');
    await store.add('/a.nbrick');
    await store.add('/c.nbrick');
    expect(await store.add('/d.nbrick')).toEqual(['/d.nbrick', '/c.nbrick', '/a.nbrick']);
    expect(await createRecentFilesStore(configDir, { max: 3 }).list()).toEqual(['/d.nbrick', '/c.nbrick', '/a.nbrick']);
    expect(await store.remove('/c.nbrick')).toEqual(['/d.nbrick', '/a.nbrick']);
    await writeFile(path.join(configDir, 'recent-files.json'), '{not json');
    expect(await store.list()).toEqual([]);
    await store.clear();
    expect(await store.list()).toEqual([]);
  });
});
