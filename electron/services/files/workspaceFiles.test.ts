import * as fs from 'node:fs/promises';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanStaleTempFiles, cleanTempFilesAtStartup, TEMP_FILE_PATTERN } from './tempFiles';
import { confinedFolder, realPathOf } from './workspaceFiles';
import { realFs, writeFileAtomicAt, type AtomicWriteFs } from './writeGraphFileAtomic';

let dir: string;
let root: string;
let outside: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-workspace-files-'));
  root = path.join(dir, 'root');
  outside = path.join(dir, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Records every path opened, so a test can see the temp names or that nothing was opened at all. */
function recordingFs(): AtomicWriteFs & { opened: string[] } {
  const opened: string[] = [];
  return { ...realFs, opened, open: (async (file: string, ...rest: unknown[]) => {
    opened.push(file);
    return (fs.open as (...args: unknown[]) => Promise<fs.FileHandle>)(file, ...rest);
  }) as typeof fs.open };
}

describe('realPathOf', () => {
  it('follows links in the file and its parents, dangling ones and missing parts included', async () => {
    symlinkSync(outside, path.join(root, 'dir'));
    symlinkSync('../outside/later.nbrick', path.join(root, 'dangling.nbrick'));
    symlinkSync('dangling.nbrick', path.join(root, 'chain.nbrick'));
    const real = (p: string) => realPathOf(p).then((r) => ({ ...r, real: path.relative(dir, r.real) }));
    expect(await real(path.join(root, 'dir/new/deeper.nbrick'))).toEqual({ real: 'outside/new/deeper.nbrick', exists: false });
    expect(await real(path.join(root, 'chain.nbrick'))).toEqual({ real: 'outside/later.nbrick', exists: false });
    expect(await real(path.join(root, 'dir'))).toEqual({ real: 'outside', exists: true });
  });

  it('refuses a loop of links', async () => {
    symlinkSync('b.nbrick', path.join(root, 'a.nbrick'));
    symlinkSync('a.nbrick', path.join(root, 'b.nbrick'));
    await expect(realPathOf(path.join(root, 'a.nbrick'))).rejects.toMatchObject({ code: 'ELOOP' });
  });
});

describe('confined writes', () => {
  it('refuses a path that is not inside the folder even before links are looked at', async () => {
    const folder = confinedFolder(root, 'the workspace');
    await expect(folder.write(path.join(dir, 'x.nbrick'), 'x', { existing: 'replace' })).rejects.toThrow(/refused: it is not inside the workspace/);
  });

  it('refuses when the checked folder is swapped for a link while the data is being written', async () => {
    const folder = confinedFolder(root, 'the workspace');
    mkdirSync(path.join(root, 'sub'));
    const io = recordingFs();
    const swapping: AtomicWriteFs = {
      ...io,
      open: (async (...args: Parameters<typeof fs.open>) => {
        const handle = await io.open(...args);
        if (String(args[0]).includes('.nbrick-')) {
          renameSync(path.join(root, 'sub'), path.join(root, 'moved'));
          symlinkSync(outside, path.join(root, 'sub'));
        }
        return handle;
      }) as typeof fs.open,
    };
    await expect(folder.write(path.join(root, 'sub/a.nbrick'), 'DATA', { existing: 'replace', label: 'workspace/sub/a.nbrick', io: swapping })).rejects.toThrow(
      'Path "workspace/sub/a.nbrick" refused: it is a link to a place outside the workspace',
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('with existing: refuse, never replaces a file that appears after the check (link(2) is atomic)', async () => {
    const target = path.join(root, 'a.nbrick');
    const racing = () => {
      writeFileSync(target, 'CREATED MEANWHILE');
      return Promise.resolve();
    };
    await expect(writeFileAtomicAt(target, 'MINE', { existing: 'refuse', label: 'workspace/a.nbrick', beforeCommit: racing })).rejects.toThrow(
      /^"workspace\/a\.nbrick" already exists/,
    );
    expect(readFileSync(target, 'utf8')).toBe('CREATED MEANWHILE');
    expect(readdirSync(root)).toEqual(['a.nbrick']);
    await writeFileAtomicAt(path.join(root, 'b.nbrick'), 'NEW', { existing: 'refuse' });
    expect(readFileSync(path.join(root, 'b.nbrick'), 'utf8')).toBe('NEW');
    expect(readdirSync(root).sort()).toEqual(['a.nbrick', 'b.nbrick']);
  });

  it('uses one short temp name whatever the target is called, and checks name length before touching the disk', async () => {
    const io = recordingFs();
    const folder = confinedFolder(root);
    const name = `${'ü'.repeat(124)}.nbrick`; // 255 bytes: the longest name there can be
    await folder.write(path.join(root, name), 'x', { existing: 'replace', io });
    const temporary = path.basename(io.opened[0]!);
    expect(temporary).toMatch(TEMP_FILE_PATTERN);
    expect(Buffer.byteLength(temporary)).toBe(24);
    expect(readdirSync(root)).toEqual([name]);

    const tooLong = `${'ü'.repeat(125)}.nbrick`;
    io.opened.length = 0;
    await expect(folder.write(path.join(root, 'new', tooLong), 'x', { existing: 'replace', io, label: 'too long' })).rejects.toThrow(
      '"too long" cannot be saved: the file name is 257 bytes long, and file names are limited to 255 bytes (UTF-8). Choose a shorter name.',
    );
    expect(io.opened).toEqual([]);
    expect(existsSync(path.join(root, 'new'))).toBe(false);
  });
});

describe('stale temp files', () => {
  const old = new Date(Date.now() - 5 * 60_000);
  const temp = (folder: string, hex = 'abcdef012345') => {
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `.nbrick-${hex}.tmp`);
    writeFileSync(file, 'partial');
    utimesSync(file, old, old);
    return file;
  };

  it('removes only old files of our own pattern, never through links, and leaves everything else', async () => {
    const stale = [temp(root), temp(path.join(root, 'exports/net-run-1')), temp(path.join(root, '.neural-bricks'), '0123456789ab')];
    const fresh = path.join(root, '.nbrick-fedcba987654.tmp');
    writeFileSync(fresh, 'being written right now');
    const foreign = path.join(root, '.a.nbrick.0123456789ab.tmp');
    writeFileSync(foreign, 'not our pattern');
    utimesSync(foreign, old, old);
    const precious = temp(outside, '111111111111');
    symlinkSync(precious, path.join(root, '.nbrick-222222222222.tmp'));
    symlinkSync(outside, path.join(root, 'linked-folder'));
    const tooDeep = temp(path.join(root, 'a/b/c/d/e'));

    const result = await cleanStaleTempFiles(root, { maxDepth: 3 });
    expect([...result.removed].sort()).toEqual([...stale].sort());
    expect(result.bytes).toBe(3 * 'partial'.length);
    for (const kept of [fresh, foreign, precious, tooDeep]) expect(existsSync(kept), kept).toBe(true);
    expect(lstatSync(path.join(root, '.nbrick-222222222222.tmp')).isSymbolicLink()).toBe(true);
  });

  it('start-up cleanup visits deep and shallow folders, logs what it removed, and never throws', async () => {
    temp(path.join(root, 'sub'));
    temp(outside);
    temp(path.join(outside, 'nested'));
    const lines: string[] = [];
    const count = await cleanTempFilesAtStartup({ deep: [root, path.join(dir, 'missing')], shallow: [outside] }, (line) => lines.push(line));
    expect(count).toBe(2);
    expect(lines).toEqual(['Removed 2 temporary file(s) left by interrupted saves (0 KB).']);
    expect(readdirSync(path.join(outside, 'nested'))).toHaveLength(1);
  });
});
