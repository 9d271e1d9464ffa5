import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertRealPathInside,
  listWorkspaceFiles,
  resolveWorkspacePath,
  safeFileName,
  toPagePath,
  toPageText,
  type WorkspaceFolders,
} from './workspaceFolders';

let dir: string;
let folders: WorkspaceFolders;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-folders-'));
  folders = { workspace: path.join(dir, 'ws'), examples: path.join(dir, 'ex') };
  mkdirSync(folders.workspace);
  mkdirSync(folders.examples);
  writeFileSync(path.join(folders.workspace, 'a.nbrick'), '{}');
  writeFileSync(path.join(folders.workspace, 'notes.txt'), '');
  writeFileSync(path.join(folders.examples, 'xor.nbrick'), '{}');
  writeFileSync(path.join(dir, 'outside.nbrick'), '{}');
  symlinkSync(path.join(dir, 'outside.nbrick'), path.join(folders.workspace, 'link.nbrick'));
  // Workspace files list newest first: fix the times so the order does not depend on how fast the files were written.
  utimesSync(path.join(folders.workspace, 'a.nbrick'), new Date('2026-01-02'), new Date('2026-01-02'));
  utimesSync(path.join(dir, 'outside.nbrick'), new Date('2026-01-01'), new Date('2026-01-01'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveWorkspacePath', () => {
  it('maps workspace/ and examples/ paths, templates read-only', () => {
    expect(resolveWorkspacePath(folders, 'workspace/a.nbrick')).toEqual({
      absolute: path.join(folders.workspace, 'a.nbrick'),
      readOnly: false,
      display: 'workspace/a.nbrick',
    });
    expect(resolveWorkspacePath(folders, 'examples/xor.nbrick').readOnly).toBe(true);
  });

  it('refuses other roots, dot segments, absolute paths and other extensions, naming the path', () => {
    for (const bad of ['/etc/passwd.nbrick', 'home/a.nbrick', 'workspace/../x.nbrick', 'workspace/./a.nbrick', 'workspace//a.nbrick', 'workspace/notes.txt', 'workspace\\..\\x.nbrick']) {
      expect(() => resolveWorkspacePath(folders, bad), bad).toThrow(/^Path ".*" refused: /);
    }
  });

  it('refuses a symlink that leads out of the workspace', async () => {
    await expect(assertRealPathInside(folders, resolveWorkspacePath(folders, 'workspace/link.nbrick'))).rejects.toThrow('Path "workspace/link.nbrick" refused: it is a link to a place outside the workspace');
    await expect(assertRealPathInside(folders, resolveWorkspacePath(folders, 'workspace/a.nbrick'))).resolves.toBeUndefined();
  });
});

describe('listing and names', () => {
  it('lists .nbrick files: workspace first, then templates', async () => {
    const entries = await listWorkspaceFiles(folders);
    expect(entries.map((e) => [e.path, e.readOnly])).toEqual([
      ['workspace/a.nbrick', false],
      ['workspace/link.nbrick', false],
      ['examples/xor.nbrick', true],
    ]);
    expect(toPagePath(folders, path.join(folders.examples, 'xor.nbrick'))).toBe('examples/xor.nbrick');
    expect(toPagePath(folders, path.join(dir, 'outside.nbrick'))).toBeUndefined();
  });

  it('makes safe file names', () => {
    expect(safeFileName('My net')).toBe('My net.nbrick');
    expect(safeFileName('../../etc/passwd')).toBe('etc-passwd.nbrick');
    expect(safeFileName('spirals.nbrick')).toBe('spirals.nbrick');
    expect(safeFileName('')).toBe('untitled.nbrick');
    expect(safeFileName(undefined)).toBe('untitled.nbrick');
  });

  it('keeps Unicode names and replaces only what Windows, macOS or Linux forbid', () => {
    expect(safeFileName('Привет')).toBe('Привет.nbrick');
    expect(safeFileName('日本語')).toBe('日本語.nbrick');
    expect(safeFileName('Ünïcödé 🙂 net')).toBe('Ünïcödé 🙂 net.nbrick');
    // NFD (as macOS hands out names) and NFC give the same file name.
    expect(safeFileName('Cafe\u0301')).toBe('Caf\u00e9.nbrick');
    expect(safeFileName('a<b>c:d"e|f?g*h\\i/j\u0001k')).toBe('a-b-c-d-e-f-g-h-i-j-k.nbrick');
    expect(safeFileName('trailing dots... ')).toBe('trailing dots.nbrick');
    expect(safeFileName('.hidden')).toBe('hidden.nbrick');
    for (const reserved of ['CON', 'con', 'Nul', 'PRN', 'AUX', 'COM1', 'lpt9', 'con.backup']) {
      expect(safeFileName(reserved), reserved).toBe(`${reserved}_.nbrick`);
    }
    expect(safeFileName('CONSOLE')).toBe('CONSOLE.nbrick');
    // Not shortened: a name too long for the disk is refused with a message when saving, never silently cut.
    expect(safeFileName('x'.repeat(200))).toBe(`${'x'.repeat(200)}.nbrick`);
  });
});

describe('toPageText', () => {
  const folders = { workspace: '/srv/lab/ws', examples: '/srv/lab/ws/templates' };

  it('writes paths inside the folders as page paths, leaving other places alone', () => {
    expect(toPageText(folders, 'cannot read /srv/lab/ws/a.nbrick-runs/run-1/weights.bin (cut short)')).toBe(
      'cannot read workspace/a.nbrick-runs/run-1/weights.bin (cut short)',
    );
    expect(toPageText(folders, '"/srv/lab/ws/templates/xor.nbrick" and /srv/lab/ws')).toBe('"examples/xor.nbrick" and workspace');
    expect(toPageText(folders, 'see /srv/lab/ws2/b.nbrick and /etc/passwd')).toBe('see /srv/lab/ws2/b.nbrick and /etc/passwd');
  });
});
