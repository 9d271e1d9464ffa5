import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { framedFileHeader } from '../../../shared/contracts/dataImport';
import { createDataImporter, DataImportError, IMPORT_TEMP_PREFIX, sweepAbandonedImports } from './importData';
import { inspectData } from './userDataApi';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const penguins = path.join(import.meta.dirname, '../../../examples/data/penguins.csv');

async function* bytesOf(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

/** Every path under `dir`, relative, sorted (hidden ones included: a leftover temporary folder must show). */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

let root: string;
let workspace: string;
let outside: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'nb-import-'));
  workspace = path.join(root, 'workspace');
  outside = path.join(root, 'outside');
  mkdirSync(workspace);
  mkdirSync(outside);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('importing data into workspace/data', () => {
  it('an uploaded table lands in workspace/data under its name, a second one under a numbered name', async () => {
    const importer = createDataImporter({ workspace });
    const first = await importer.begin('table', 'fish.csv');
    await first.addFile('fish.csv', bytesOf('a,b\n', '1,2\n'));
    const result = await first.commit();
    expect(result).toEqual({ kind: 'table', absolute: path.join(workspace, 'data', 'fish.csv'), name: 'fish.csv', files: 1, bytes: 8 });
    expect(readFileSync(result.absolute, 'utf8')).toBe('a,b\n1,2\n');

    const second = await importer.begin('table', 'fish.csv');
    await second.addFile('fish.csv', bytesOf('x\n'));
    expect((await second.commit()).name).toBe('fish-2.csv');
    // Nothing else: the temporary folders are gone.
    expect(tree(path.join(workspace, 'data'))).toEqual(['fish-2.csv', 'fish.csv']);
  });

  it('refuses names and paths that would leave the folder or hide in it, and leaves nothing behind', async () => {
    const importer = createDataImporter({ workspace });
    for (const name of ['..', '.', '../evil.csv', 'a/b.csv', 'a\\b.csv', '/etc/passwd.csv', '.hidden.csv', 'C:evil.csv']) {
      await expect(importer.begin('table', name), name).rejects.toThrow(DataImportError);
    }
    await expect(importer.begin('table', 'notes.exe')).rejects.toThrow(/not a table file: the name must end with \.csv, \.tsv, \.txt/);
    for (const bad of ['../escape.png', 'cat/../../escape.png', '/tmp/abs.png', 'C:/abs.png', 'cat\\x.png', 'cat/./x.png', 'cat//x.png', '.git/config', `${'d/'.repeat(17)}x.png`]) {
      const session = await importer.begin('imageFolder', 'photos');
      await expect(session.addFile(bad, bytesOf('x')), bad).rejects.toThrow(/Refused .*Nothing was imported/);
      // A refused file ends the import: nothing may be added or committed after it.
      await expect(session.addFile('cat/ok.png', bytesOf('x'))).rejects.toThrow(/is over/);
    }
    expect(tree(path.join(workspace, 'data'))).toEqual([]);
    expect(tree(outside)).toEqual([]);
    expect(existsSync(path.join(root, 'escape.png'))).toBe(false);
  });

  it('several files in one framed body, whatever the chunk boundaries; a malformed or cut body leaves nothing', async () => {
    const importer = createDataImporter({ workspace });
    const files: [string, string][] = [
      ['cat/a.png', 'alpha'],
      ['cat/indoor/b.png', ''],
      ['dög/c.png', 'x\ny 12 z\n'],
    ];
    const body = Buffer.concat(files.flatMap(([p, text]) => [Buffer.from(framedFileHeader(p, Buffer.byteLength(text))), Buffer.from(text)]));
    // One byte at a time: headers and files cut everywhere.
    async function* bytewise(bytes: Uint8Array): AsyncIterable<Uint8Array> {
      for (let i = 0; i < bytes.byteLength; i++) yield bytes.subarray(i, i + 1);
    }
    const session = await importer.begin('imageFolder', 'pets');
    await session.addFramed(bytewise(body));
    await session.addFramed(bytesOf(`3 dog/d.png\nabc`));
    expect(session.files).toBe(4);
    const result = await session.commit();
    expect(tree(result.absolute)).toEqual(['cat', 'cat/a.png', 'cat/indoor', 'cat/indoor/b.png', 'dog', 'dog/d.png', 'dög', 'dög/c.png']);
    expect(readFileSync(path.join(result.absolute, 'dög/c.png'), 'utf8')).toBe('x\ny 12 z\n');
    expect(readFileSync(path.join(result.absolute, 'cat/indoor/b.png'), 'utf8')).toBe('');

    for (const [bad, reason] of [
      ['5 cat/a.png\nabc', /ended in the middle of 'cat\/a\.png'/],
      ['cat/a.png\nabc', /malformed/],
      ['1 ../../escape.png\nx', /Refused '\.\.\/\.\.\/escape\.png'/],
      ['1 cat/a.png', /ended in the middle of a file header/],
    ] as const) {
      const broken = await importer.begin('imageFolder', 'broken');
      await expect(broken.addFramed(bytesOf('1 cat/ok.png\nk', bad)), bad).rejects.toThrow(reason);
      await expect(broken.commit()).rejects.toThrow(/is over/);
    }
    expect(readdirSync(path.join(workspace, 'data'))).toEqual(['pets']);
    expect(existsSync(path.join(root, 'escape.png'))).toBe(false);
  });

  it('a table import holds exactly its one file', async () => {
    const importer = createDataImporter({ workspace });
    const wrongName = await importer.begin('table', 'fish.csv');
    await expect(wrongName.addFile('other.csv', bytesOf('a\n'))).rejects.toThrow(/holds one file, 'fish.csv'/);
    const twice = await importer.begin('table', 'fish.csv');
    await twice.addFile('fish.csv', bytesOf('a\n'));
    await expect(twice.addFile('fish.csv', bytesOf('a\n'))).rejects.toThrow(/sent twice/);
    expect(tree(path.join(workspace, 'data'))).toEqual([]);
  });

  it('stops at the size limit (declared or as the bytes come) and at the file limit, removing what was written', async () => {
    const importer = createDataImporter({ workspace, limits: { maxBytes: 100, maxFiles: 2 } });
    const streamed = await importer.begin('imageFolder', 'photos');
    await streamed.addFile('cat/a.png', bytesOf('x'.repeat(60)));
    await expect(streamed.addFile('dog/b.png', bytesOf('y'.repeat(30), 'y'.repeat(30)))).rejects.toThrow(/'photos' is over the limit for one import \(0\.0 MB\)\. Nothing was imported\./);
    expect(tree(path.join(workspace, 'data'))).toEqual([]);

    const declared = await importer.begin('table', 'big.csv');
    await expect(declared.addFile('big.csv', bytesOf('a'), 101)).rejects.toThrow(/over the limit/);

    const many = await importer.begin('imageFolder', 'photos');
    await many.addFile('cat/1.png', bytesOf('1'));
    await many.addFile('cat/2.png', bytesOf('2'));
    await expect(many.addFile('cat/3.png', bytesOf('3'))).rejects.toThrow(/more than 2 files, the limit for one import/);
    expect(tree(path.join(workspace, 'data'))).toEqual([]);

    // A folder on disk over the limit is refused before anything is copied.
    const big = path.join(outside, 'big');
    mkdirSync(path.join(big, 'cat'), { recursive: true });
    writeFileSync(path.join(big, 'cat', 'a.png'), 'z'.repeat(101));
    await expect(importer.importFromDisk(big)).rejects.toThrow(/big is 0\.0 MB; the limit for one import is 0\.0 MB/);
    expect(tree(path.join(workspace, 'data'))).toEqual([]);
  });

  it('cancel leaves nothing: an upload aborted half-way and a disk copy cancelled between files', async () => {
    const importer = createDataImporter({ workspace });
    const session = await importer.begin('imageFolder', 'photos');
    await session.addFile('cat/a.png', bytesOf('a'));
    await session.abort();
    await expect(session.commit()).rejects.toThrow(/is over/);
    expect(tree(path.join(workspace, 'data'))).toEqual([]);

    const abort = new AbortController();
    let progressCalls = 0;
    const copy = importer.importFromDisk(path.join(fixtures, 'images', 'shapes'), {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.fraction !== undefined && ++progressCalls === 3) abort.abort();
      },
    });
    await expect(copy).rejects.toMatchObject({ name: 'AbortError' });
    expect(progressCalls).toBe(3);
    expect(tree(path.join(workspace, 'data'))).toEqual([]);
  });

  it('copies an image folder with nested class folders as it is, then inspects it like the original', async () => {
    const importer = createDataImporter({ workspace });
    const fractions: number[] = [];
    const source = path.join(fixtures, 'images', 'nasty');
    const result = await importer.importFromDisk(source, { onProgress: (p) => p.fraction !== undefined && fractions.push(p.fraction) });
    expect(result.name).toBe('nasty');
    expect(result.absolute).toBe(path.join(workspace, 'data', 'nasty'));
    expect(tree(result.absolute)).toEqual(tree(source));
    expect(tree(result.absolute)).toContain('cat/indoor/nested.png');
    expect(readFileSync(path.join(result.absolute, 'cat/indoor/nested.png'))).toEqual(readFileSync(path.join(source, 'cat/indoor/nested.png')));
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));

    const copied = await inspectData(result.absolute, { thumbnailsPerClass: 0 });
    const original = await inspectData(source, { thumbnailsPerClass: 0 });
    if (copied.kind !== 'imageFolder' || original.kind !== 'imageFolder') throw new Error('expected image folders');
    expect(copied.contentHash).toBe(original.contentHash);
    expect(copied.classes.map((c) => [c.name, c.count])).toEqual(original.classes.map((c) => [c.name, c.count]));
  });

  it('a table from the disk keeps its bytes (and its hash)', async () => {
    const importer = createDataImporter({ workspace });
    const result = await importer.importFromDisk(penguins);
    expect(result.absolute).toBe(path.join(workspace, 'data', 'penguins.csv'));
    expect(readFileSync(result.absolute)).toEqual(readFileSync(penguins));
  });

  it('refuses a source folder with a link out of it, and a workspace/data that is a link out of the workspace', async () => {
    const importer = createDataImporter({ workspace });
    const source = path.join(outside, 'photos');
    mkdirSync(path.join(source, 'cat'), { recursive: true });
    writeFileSync(path.join(source, 'cat', 'a.png'), 'a');
    writeFileSync(path.join(root, 'secret.txt'), 'secret');
    symlinkSync(path.join(root, 'secret.txt'), path.join(source, 'cat', 'b.png'));
    await expect(importer.importFromDisk(source)).rejects.toThrow(/'cat\/b\.png' is a link to a place outside the folder/);
    rmSync(path.join(source, 'cat', 'b.png'));
    // A link to a file inside the folder is copied as the file it leads to.
    symlinkSync(path.join(source, 'cat', 'a.png'), path.join(source, 'cat', 'c.png'));
    const result = await importer.importFromDisk(source);
    expect(readFileSync(path.join(result.absolute, 'cat', 'c.png'), 'utf8')).toBe('a');

    const elsewhere = mkdtempSync(path.join(root, 'ws2-'));
    const linked = path.join(root, 'linked-ws');
    mkdirSync(linked);
    symlinkSync(elsewhere, path.join(linked, 'data'));
    await expect(createDataImporter({ workspace: linked }).begin('table', 'fish.csv')).rejects.toThrow(/link to a place outside the workspace/);
    expect(tree(elsewhere)).toEqual([]);
  });

  it('sweeps temporary folders an interrupted import left', async () => {
    const importer = createDataImporter({ workspace });
    const session = await importer.begin('imageFolder', 'photos');
    await session.addFile('cat/a.png', bytesOf('a'));
    expect(tree(path.join(workspace, 'data')).some((p) => p.startsWith(IMPORT_TEMP_PREFIX))).toBe(true);
    writeFileSync(path.join(workspace, 'data', 'keep.csv'), 'a\n');
    expect(await sweepAbandonedImports(workspace)).toBe(1);
    expect(tree(path.join(workspace, 'data'))).toEqual(['keep.csv']);

    // A new importer sweeps, on its first import, only what was left untouched for an hour.
    const recent = await importer.begin('imageFolder', 'photos');
    await recent.addFile('cat/a.png', bytesOf('a'));
    mkdirSync(path.join(workspace, 'data', `${IMPORT_TEMP_PREFIX}old`));
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(path.join(workspace, 'data', `${IMPORT_TEMP_PREFIX}old`), hoursAgo, hoursAgo);
    const next = await createDataImporter({ workspace }).begin('table', 'b.csv');
    const left = readdirSync(path.join(workspace, 'data')).filter((n) => n.startsWith(IMPORT_TEMP_PREFIX));
    expect(left).toHaveLength(2); // the recent import's and the new one's
    expect(left).not.toContain(`${IMPORT_TEMP_PREFIX}old`);
    await recent.abort();
    await next.abort();
    expect(readdirSync(path.join(workspace, 'data'))).toEqual(['keep.csv']);
  });
});
