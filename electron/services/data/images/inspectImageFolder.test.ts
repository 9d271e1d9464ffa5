import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFolderHash, type HashImageFolder } from '../../../../shared/data/dataSpec';
import { hashImageFolder, inspectImageFolder, inspectImageFolderForCli, proposeInput } from './inspectImageFolder';
import { ImageFolderError } from './listImageFolder';
import { addBrokenFiles, encode, makeMixedFolder, put, rawPattern, tempDir } from './testing/imageFixtures';
import type { ImageFolderProgress } from './types';

// Compile-time: hashImageFolder is the scanner shared/data/dataSpec.ts describes.
export const asHashImageFolder: HashImageFolder = hashImageFolder;

const dirs: string[] = [];
async function folder(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('inspectImageFolder: one sub-folder per class', () => {
  let root: string;
  beforeAll(async () => {
    root = await folder();
    await makeMixedFolder(root);
  });

  it('counts classes (nested folders included), tallies sizes, channels and formats, proposes an input', async () => {
    const r = await inspectImageFolder(root);
    expect(r.kind).toBe('imageFolder');
    expect(r.listing).toBe('folders');
    expect(r.path).toBe(root);
    expect(r.classes.map((c) => [c.name, c.count])).toEqual([
      ['cat', 6],
      ['dog', 4],
    ]);
    expect(r.files).toBe(10);
    expect(r.images).toBe(10);
    expect(r.problems).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.ignored).toEqual(['dog/readme.txt']);
    expect(r.sizes[0]).toEqual({ height: 16, width: 20, count: 9 });
    expect(r.sizes[1]).toEqual({ height: 1, width: 1, count: 1 });
    expect(r.minSize).toEqual({ height: 1, width: 1 });
    expect(r.maxSize).toEqual({ height: 16, width: 20 });
    expect(r.formats).toEqual({ png: 5, jpeg: 1, webp: 1, gif: 1, tiff: 1, bmp: 1 });
    // Gray PNG, gray TIFF, the gray 1×1; RGB: cat PNG×2, JPEG, WebP, BMP; RGBA: cat/e.png and the GIF (palette + alpha).
    expect(r.channels.gray).toBe(3);
    expect(r.channels.gray + r.channels.rgb + r.channels.rgba).toBe(10);
    expect(r.channels.rgba).toBeGreaterThanOrEqual(1);
    expect(r.proposedInput).toMatchObject({ height: 16, width: 20, channels: 3 });
    expect(r.proposedInput.reason).toMatch(/most common size, 16×20 \(9 of 10 images\)/);
  });

  it('makes PNG thumbnails per class, in listing order, at most the size asked', async () => {
    const r = await inspectImageFolder(root, { thumbnailsPerClass: 2, thumbnailSize: 10 });
    const cat = r.classes.find((c) => c.name === 'cat')!;
    expect(cat.thumbnails.map((t) => t.path)).toEqual(['cat/a.png', 'cat/b.jpg']);
    for (const t of cat.thumbnails) {
      expect(t.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
      expect(Math.max(t.width, t.height)).toBe(10);
      const png = Buffer.from(t.dataUrl.slice('data:image/png;base64,'.length), 'base64');
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    expect(r.classes[1]!.thumbnails).toHaveLength(2);
  });

  it('hashes the documented lines (path, size, sha256 of every file read), the same from hashImageFolder', async () => {
    const r = await inspectImageFolder(root, { thumbnailsPerClass: 0 });
    const rels = ['cat/a.png', 'cat/b.jpg', 'cat/c.webp', 'cat/e.png', 'cat/f.gif', 'cat/indoor/d.png', 'dog/a.png', 'dog/c.tif', 'dog/d.png', 'dog/e.bmp'];
    const digests = await Promise.all(
      rels.map(async (rel) => {
        const bytes = await readFile(path.join(root, rel));
        return { relativePath: rel, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }),
    );
    expect(r.contentHash).toBe(imageFolderHash(digests));
    expect(await hashImageFolder(root)).toBe(r.contentHash);
  });

  it('a changed byte changes the hash', async () => {
    const dir = await folder();
    await makeMixedFolder(dir);
    const before = await hashImageFolder(dir);
    await put(dir, 'dog/d.png', await encode('png', Buffer.from([201]), 1, 1, 1));
    expect(await hashImageFolder(dir)).not.toBe(before);
  });

  it('reports progress up to files done / total with an ETA, and cancels through the signal', async () => {
    const events: ImageFolderProgress[] = [];
    await inspectImageFolder(root, {}, (p) => events.push(p));
    expect(events.at(-1)).toMatchObject({ phase: 'reading', done: 10, total: 10 });
    expect(events[0]).toMatchObject({ phase: 'listing', total: 0 });
    expect(events.find((e) => e.phase === 'reading')).toMatchObject({ done: 0, total: 10 });
    const controller = new AbortController();
    const aborted = inspectImageFolder(root, {}, (p) => {
      if (p.phase === 'reading' && p.done >= 1) controller.abort();
    }, controller.signal);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('lists unreadable files by path with the reason, without failing the inspection', async () => {
    const dir = await folder();
    await makeMixedFolder(dir);
    await addBrokenFiles(dir);
    const r = await inspectImageFolder(dir, { thumbnailsPerClass: 0 });
    expect(r.images).toBe(10);
    expect(r.files).toBe(14);
    const reasons = Object.fromEntries(r.problems.map((p) => [p.path, p.reason]));
    expect(Object.keys(reasons)).toEqual(['cat/broken.png', 'cat/empty.jpg', 'dog/cut.jpg', 'dog/notes.png']);
    expect(reasons['cat/broken.png']).toMatch(/^corrupt PNG/);
    expect(reasons['dog/cut.jpg']).toMatch(/^truncated JPEG \(the file ends before the image does/);
    expect(reasons['dog/notes.png']).toBe('not an image (unrecognised file contents)');
    expect(reasons['cat/empty.jpg']).toBe('empty file (0 bytes)');
    expect(r.classes.map((c) => c.count)).toEqual([6, 4]);
  });
});

describe('inspectImageFolder: CSV of path,label', () => {
  it('reads labels from a CSV (header, quotes, CRLF, paths relative to the CSV), and notes missing files', async () => {
    const dir = await folder();
    const img = (seed: number) => encode('png', rawPattern(8, 8, 3, seed), 8, 8, 3);
    await put(dir, 'imgs/one.png', await img(1));
    await put(dir, 'imgs/two, with comma.png', await img(2));
    await put(dir, 'imgs/three.png', await img(3));
    await put(dir, 'imgs/four.png', await img(4));
    const csv = '\uFEFFfile,label\r\nimgs/one.png,ant\r\n"imgs/two, with comma.png",ant\r\n\r\nimgs/three.png,bee\r\nimgs/four.png,bee\r\nimgs/gone.png,bee\r\n';
    await put(dir, 'labels.csv', csv);
    const r = await inspectImageFolder(path.join(dir, 'labels.csv'));
    expect(r.listing).toBe('csv');
    expect(r.path).toBe(dir);
    expect(r.labelsFile).toBe('labels.csv');
    expect(r.classes.map((c) => [c.name, c.count])).toEqual([
      ['ant', 2],
      ['bee', 2],
    ]);
    expect(r.problems).toEqual([{ path: 'imgs/gone.png', reason: 'file not found (listed on row 6 of labels.csv)' }]);
    expect(r.proposedInput).toMatchObject({ height: 8, width: 8, channels: 3 });
    // The folder itself (no sub-folders, one CSV) is read through the CSV; the CSV is part of the hash.
    const viaFolder = await inspectImageFolder(dir);
    expect(viaFolder.contentHash).toBe(r.contentHash);
    await writeFile(path.join(dir, 'labels.csv'), csv.replace('imgs/four.png,bee', 'imgs/four.png,ant'));
    const relabelled = await inspectImageFolder(dir);
    expect(relabelled.contentHash).not.toBe(r.contentHash);
    expect(relabelled.classes.map((c) => c.count)).toEqual([3, 1]);
    expect(relabelled.errors).toEqual([expect.stringMatching(/Class 'bee' in .* has only 1 readable image/)]);
  });

  it('reads Windows separators; refuses a file listed with two labels, naming both rows', async () => {
    const dir = await folder();
    const png = await encode('png', rawPattern(4, 4, 3), 4, 4, 3);
    await put(dir, 'sub/a.png', png);
    await put(dir, 'sub/b.png', png);
    await put(dir, 'ok.csv', 'sub\\a.png,x\nsub/b.png,y\nsub/a.png,x\n');
    const r = await inspectImageFolder(path.join(dir, 'ok.csv'));
    expect(r.classes.map((c) => [c.name, c.count])).toEqual([
      ['x', 1],
      ['y', 1],
    ]);
    await put(dir, 'clash.csv', 'path,label\nsub/a.png,x\nsub/b.png,y\nsub/a.png,y\n');
    await expect(inspectImageFolder(path.join(dir, 'clash.csv'))).rejects.toThrow(/clash\.csv rows 2 and 4: 'sub\/a\.png' is listed with two labels \('x' and 'y'\)/);
  });

  it('refuses a CSV with an empty label, naming the row', async () => {
    const dir = await folder();
    await put(dir, 'a.png', await encode('png', rawPattern(4, 4, 3), 4, 4, 3));
    await put(dir, 'list.csv', 'path,label\na.png,\n');
    await expect(inspectImageFolder(path.join(dir, 'list.csv'))).rejects.toThrow(/list\.csv row 2: the label cell of 'a\.png' is empty/);
  });
});

describe('inspectImageFolder: errors name the path', () => {
  it('a folder that does not exist, an empty folder, images without class folders', async () => {
    const dir = await folder();
    await expect(inspectImageFolder(path.join(dir, 'nope'))).rejects.toThrow(new RegExp(`${path.join(dir, 'nope').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} does not exist`));
    await expect(inspectImageFolder(dir)).rejects.toThrow(/is empty: put the images of each class in a sub-folder/);
    await put(dir, 'a.png', await encode('png', rawPattern(4, 4, 3), 4, 4, 3));
    await expect(inspectImageFolder(dir)).rejects.toThrow(ImageFolderError);
    await expect(inspectImageFolder(dir)).rejects.toThrow(/has no class sub-folders \(1 image directly inside it\)/);
  });

  it('one wrapping folder: says which folder to choose', async () => {
    const dir = await folder();
    await put(dir, 'train/readme.md', 'x');
    await expect(inspectImageFolder(dir)).rejects.toThrow(/one sub-folder, 'train'/);
  });

  it('a class with one image, and a single class, are errors in the result', async () => {
    const dir = await folder();
    const png = await encode('png', rawPattern(4, 4, 3), 4, 4, 3);
    await put(dir, 'a/1.png', png);
    await put(dir, 'a/2.png', png);
    await put(dir, 'b/1.png', png);
    const r = await inspectImageFolder(dir);
    expect(r.errors).toEqual([`Class 'b' in ${dir} has only 1 readable image: each class needs at least 2 (one to train on, one to check)`]);
    const single = await folder();
    await put(single, 'a/1.png', png);
    await put(single, 'a/2.png', png);
    expect((await inspectImageFolder(single)).errors).toEqual([`${single} has only one class ('a') with readable images: classification needs at least 2`]);
  });
});

describe('proposeInput', () => {
  const s = (height: number, width: number, count = 5) => ({ height, width, count });
  it('keeps small sizes, scales big ones down to 32 on the longer side, lifts tiny ones to at least 8', () => {
    expect(proposeInput([s(28, 28)], true, 5)).toMatchObject({ height: 28, width: 28, channels: 1 });
    expect(proposeInput([s(64, 64)], false, 5)).toMatchObject({ height: 64, width: 64, channels: 3 });
    expect(proposeInput([s(224, 224)], false, 5)).toMatchObject({ height: 32, width: 32 });
    expect(proposeInput([s(480, 640)], false, 5)).toMatchObject({ height: 24, width: 32 });
    expect(proposeInput([s(1, 1)], true, 5)).toMatchObject({ height: 8, width: 8 });
    expect(proposeInput([], false, 0)).toMatchObject({ height: 32, width: 32, channels: 3 });
  });
});

describe('inspectImageFolderForCli', () => {
  it('returns the JSON shape: kind, classes with counts, sizes, proposed input, problems', async () => {
    const dir = await folder();
    await makeMixedFolder(dir);
    await addBrokenFiles(dir);
    const json = await inspectImageFolderForCli(dir);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json).toMatchObject({
      kind: 'imageFolder',
      classes: [
        { name: 'cat', count: 6 },
        { name: 'dog', count: 4 },
      ],
      proposedInput: { height: 16, width: 20, channels: 3 },
      errors: [],
    });
    expect(json.problems.map((p) => p.path)).toEqual(['cat/broken.png', 'cat/empty.jpg', 'dog/cut.jpg', 'dog/notes.png']);
    expect(JSON.stringify(json)).not.toContain('base64');
  });
});

describe('proposeImageFolderSpec and describeImageInspection', () => {
  it('a fresh spec that parses, from the inspection; the text report names classes, input, problems', async () => {
    const { proposeImageFolderSpec, describeImageInspection } = await import('./proposeImageFolderSpec');
    const { imageFolderDataSpecSchema } = await import('../../../../shared/data/dataSpec');
    const dir = await folder();
    await makeMixedFolder(dir);
    await addBrokenFiles(dir);
    const json = await inspectImageFolderForCli(dir);
    const spec = proposeImageFolderSpec({ ...json, contentHash: json.hash }, 9);
    expect(imageFolderDataSpecSchema.parse(spec)).toEqual(spec);
    expect(spec).toMatchObject({ height: 16, width: 20, channels: 3, classNames: ['cat', 'dog'], split: { seed: 9 }, augmentation: { flip: false } });
    const text = describeImageInspection(json).join('\n');
    expect(text).toContain('10 readable images of 14 files');
    expect(text).toMatch(/cat\s+6\n/);
    expect(text).toContain('proposed Input: 16×20×3');
    expect(text).toContain('4 unreadable files');
    expect(text).toMatch(/dog\/cut\.jpg: truncated JPEG/);
  });
});

describe('committed fixtures (electron/services/data/fixtures/images, written by testing/writeImageFixtures.ts)', () => {
  const fixture = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'images', name);

  it('shapes: 3 grayscale classes of 12, proposed 16×16×1', async () => {
    const r = await inspectImageFolderForCli(fixture('shapes'));
    expect(r.classes).toEqual([
      { name: 'circle', count: 12 },
      { name: 'square', count: 12 },
      { name: 'triangle', count: 12 },
    ]);
    expect(r.proposedInput).toMatchObject({ height: 16, width: 16, channels: 1 });
    expect(r.problems).toEqual([]);
  });

  it('nasty: the corrupt PNG, the truncated JPEG and the text file are problems; the rest reads', async () => {
    const r = await inspectImageFolderForCli(fixture('nasty'));
    expect(r.problems).toEqual([
      { path: 'cat/corrupt.png', reason: expect.stringMatching(/^corrupt PNG/) },
      { path: 'dog/notes.png', reason: 'not an image (unrecognised file contents)' },
      { path: 'dog/truncated.jpg', reason: 'truncated JPEG (the file ends before the image does)' },
    ]);
    expect(r.classes).toEqual([
      { name: 'cat', count: 5 },
      { name: 'dog', count: 3 },
    ]);
    expect(r.formats).toEqual({ png: 5, jpeg: 1, webp: 1, bmp: 1 });
  });

  it('proposeImageFolderSpecForPath: the spec for bricks train --data FOLDER records the given path', async () => {
    const { proposeImageFolderSpecForPath } = await import('./proposeImageFolderSpec');
    const { spec, inspection } = await proposeImageFolderSpecForPath(fixture('shapes'), 'data/shapes', 5);
    expect(spec).toMatchObject({ kind: 'imageFolder', path: 'data/shapes', height: 16, width: 16, channels: 1, classNames: ['circle', 'square', 'triangle'] });
    expect(spec.hash).toBe(inspection.contentHash);
    expect(spec.split.seed).toBe(5);
  });

  it('listed: labels.csv with quoted paths and CRLF, a missing file named with its row', async () => {
    const r = await inspectImageFolderForCli(fixture('listed'));
    expect(r).toMatchObject({ listing: 'csv', labelsFile: 'labels.csv', images: 6 });
    expect(r.problems).toEqual([{ path: 'pictures/lost.png', reason: 'file not found (listed on row 8 of labels.csv)' }]);
  });
});
