import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/runCli';

const images = path.resolve(import.meta.dirname, '../../services/data/fixtures/images');
const empty = mkdtempSync(path.join(tmpdir(), 'nb-cli-images-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('bricks data inspect FOLDER', () => {
  it('a clean folder: classes, counts, proposed Input, exit 0', async () => {
    const r = await runCli('data', 'inspect', path.join(images, 'shapes'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('image folder (one sub-folder per class), 36 readable images of 36 files');
    expect(r.out).toMatch(/triangle\s+12/);
    expect(r.out).toContain('proposed Input: 16×16×1');
    const json = JSON.parse((await runCli('data', 'inspect', path.join(images, 'shapes'), '--json')).out);
    expect(json).toMatchObject({ kind: 'imageFolder', classes: [{ name: 'circle', count: 12 }, { name: 'square', count: 12 }, { name: 'triangle', count: 12 }], problems: [] });
    expect(json.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('unreadable files: listed by path with the reason, exit 1', async () => {
    const r = await runCli('data', 'inspect', path.join(images, 'nasty'), '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.problems.map((p: { path: string }) => p.path)).toEqual(['cat/corrupt.png', 'dog/notes.png', 'dog/truncated.jpg']);
    const text = await runCli('data', 'inspect', path.join(images, 'nasty'));
    expect(text.out).toContain('3 unreadable files');
    expect(text.out).toContain('dog/truncated.jpg: truncated JPEG');
  });

  it('a folder with a labels CSV inside is read through it', async () => {
    const json = JSON.parse((await runCli('data', 'inspect', path.join(images, 'listed'), '--json')).out);
    expect(json).toMatchObject({ listing: 'csv', labelsFile: 'labels.csv', images: 6 });
  });

  it('an empty folder: exit 2 naming it', async () => {
    const r = await runCli('data', 'inspect', empty);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${empty} is empty: put the images of each class in a sub-folder`);
  });
});
