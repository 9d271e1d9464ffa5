import { rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectImageFolder } from './inspectImageFolder';
import { ImageFolderChangedError, UnreadableImagesError, fillBatch, loadImageFolder, splitByClass, toLoadedDataset } from './loadImageFolder';
import { addBrokenFiles, encode, encodeBmp24, makeMixedFolder, put, rawPattern, tempDir } from './testing/imageFixtures';
import type { ImageFolderLoader } from '../loadUserData';
import { loadImageFolderForTraining } from './imageFolderUserData';
import type { ImageFolderLoadSpec } from './types';

// Compile-time: the training adapter is what loadUserData's ImageFolderLoader must be.
export const asImageFolderLoader: ImageFolderLoader = (folder, spec, options) => loadImageFolderForTraining(folder, spec, options);

const dirs: string[] = [];
async function folder(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const split = { train: 0.6, val: 0.2, test: 0.2, seed: 3 };
const spec = (patch: Partial<ImageFolderLoadSpec> = {}): ImageFolderLoadSpec => ({ height: 8, width: 10, channels: 3, split, ...patch });

describe('loadImageFolder', () => {
  it('decodes every format to H×W×C uint8 rows with Int32 labels, gray repeated into RGB, hash equal to inspect', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    const data = await loadImageFolder(root, spec());
    expect(data.count).toBe(10);
    expect(data.classNames).toEqual(['cat', 'dog']);
    expect(data.pixels).toBeInstanceOf(Uint8Array);
    expect(data.pixels.length).toBe(10 * 8 * 10 * 3);
    expect(Array.from(data.labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(data.paths).toEqual(['cat/a.png', 'cat/b.jpg', 'cat/c.webp', 'cat/e.png', 'cat/f.gif', 'cat/indoor/d.png', 'dog/a.png', 'dog/c.tif', 'dog/d.png', 'dog/e.bmp']);
    expect(data.contentHash).toBe((await inspectImageFolder(root, { thumbnailsPerClass: 0 })).contentHash);
    const row = (i: number) => data.pixels.subarray(i * 240, (i + 1) * 240);
    // A grayscale PNG loaded as RGB: every pixel has R = G = B.
    const gray = row(data.paths.indexOf('dog/a.png'));
    for (let p = 0; p < 80; p++) expect(new Set([gray[p * 3], gray[p * 3 + 1], gray[p * 3 + 2]]).size).toBe(1);
    // The 1×1 image (value 200) fills the whole 8×10.
    expect(new Set(row(data.paths.indexOf('dog/d.png')))).toEqual(new Set([200]));
    // The RGB PNG equals sharp's own fill-resize of the same pattern (lossless source, same kernel).
    const expected = await sharp(rawPattern(20, 16, 3, 1), { raw: { width: 20, height: 16, channels: 3 } }).resize(10, 8, { fit: 'fill' }).raw().toBuffer();
    expect(Buffer.from(row(0))).toEqual(expected);
    // The BMP decodes like the gray PNG of the same pattern would (pure-JS BMP path → sharp resize).
    const bmp = row(data.paths.indexOf('dog/e.bmp'));
    const bmpExpected = await sharp(Buffer.from(Array.from(rawPattern(20, 16, 1, 9)).flatMap((v) => [v, v, v])), { raw: { width: 20, height: 16, channels: 3 } })
      .resize(10, 8, { fit: 'fill' })
      .raw()
      .toBuffer();
    expect(Buffer.from(bmp)).toEqual(bmpExpected);
  });

  it('grayscale: one channel per pixel, colour converted to luminance', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    const data = await loadImageFolder(root, spec({ channels: 1, height: 4, width: 4 }));
    expect(data.pixels.length).toBe(10 * 16);
    expect(data.channels).toBe(1);
    const one = data.pixels.subarray(data.paths.indexOf('dog/d.png') * 16, (data.paths.indexOf('dog/d.png') + 1) * 16);
    expect(new Set(one)).toEqual(new Set([200]));
  });

  it("fit 'cover' crops the centre: a left-half-black, right-half-white 4×2 image becomes a half/half 2×2", async () => {
    const root = await folder();
    const img = Buffer.alloc(8 * 2 * 3);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 3; c++) img[(y * 8 + x) * 3 + c] = x < 4 ? 0 : 255;
    const png = await encode('png', img, 8, 2, 3);
    for (const f of ['a/1.png', 'a/2.png', 'b/1.png', 'b/2.png']) await put(root, f, png);
    const cover = await loadImageFolder(root, spec({ height: 2, width: 2, fit: 'cover', split: { train: 0.5, val: 0, test: 0.5, seed: 1 } }));
    // Centre crop of 8×2 to 2×2 keeps columns 3..4: one black, one white.
    expect(Array.from(cover.pixels.subarray(0, 12))).toEqual([0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]);
  });

  it('unreadable files fail the load listing every one, unless skipping is allowed (then counted)', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    await addBrokenFiles(root);
    const failure = await loadImageFolder(root, spec()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnreadableImagesError);
    const error = failure as UnreadableImagesError;
    expect(error.files.map((f) => f.path)).toEqual(['cat/broken.png', 'cat/empty.jpg', 'dog/cut.jpg', 'dog/notes.png']);
    expect(error.message).toContain(`4 files in ${root} cannot be read as images`);
    expect(error.message).toMatch(/dog\/cut\.jpg: truncated JPEG/);
    const data = await loadImageFolder(root, spec(), undefined, undefined, { skipUnreadable: true });
    expect(data.count).toBe(10);
    expect(data.skipped).toHaveLength(4);
    expect(data.paths).not.toContain('cat/broken.png');
    // Rows were compacted: the row of dog/a.png is that image, not a hole left by a skipped file.
    const clean = await folder();
    await makeMixedFolder(clean);
    const reference = await loadImageFolder(clean, spec());
    expect(Buffer.from(data.pixels)).toEqual(Buffer.from(reference.pixels));
    expect(data.labels).toEqual(reference.labels);
  });

  it('a class left with one image after skipping is an error naming the class and the folder', async () => {
    const root = await folder();
    const png = await encode('png', rawPattern(4, 4, 3), 4, 4, 3);
    await put(root, 'a/1.png', png);
    await put(root, 'a/2.png', png);
    await put(root, 'b/1.png', png);
    await put(root, 'b/2.png', 'broken');
    await expect(loadImageFolder(root, spec(), undefined, undefined, { skipUnreadable: true })).rejects.toThrow(
      `Class 'b' in ${root} has only 1 readable image (1 unreadable file not counted)`,
    );
  });

  it('checks the recorded hash and class names', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    await expect(loadImageFolder(root, spec(), undefined, undefined, { expectedHash: 'f'.repeat(64) })).rejects.toThrow(ImageFolderChangedError);
    await expect(loadImageFolder(root, spec({ classNames: ['cat'] }))).rejects.toThrow(/has label 'dog', which is not one of the recorded classes \(cat\)/);
    await expect(loadImageFolder(root, spec({ classNames: ['cat', 'dog', 'eel'] }))).rejects.toThrow(/Class 'eel' in .* has no readable image/);
    const reordered = await loadImageFolder(root, spec({ classNames: ['dog', 'cat'] }));
    expect(reordered.labels[0]).toBe(1);
  });

  it('reads a CSV listing through labelsFile', async () => {
    const root = await folder();
    await put(root, 'x/1.bmp', encodeBmp24(rawPattern(3, 2, 3), 3, 2));
    await put(root, 'x/2.png', await encode('png', rawPattern(3, 2, 3), 3, 2, 3));
    await put(root, 'x/3.png', await encode('png', rawPattern(3, 2, 3, 9), 3, 2, 3));
    await put(root, 'x/4.png', await encode('png', rawPattern(3, 2, 3, 5), 3, 2, 3));
    await put(root, 'meta/labels.csv', 'path,label\n../x/1.bmp,b\n../x/2.png,a\n../x/3.png,a\n../x/4.png,b\n');
    const data = await loadImageFolder(root, spec({ labelsFile: 'meta/labels.csv', height: 2, width: 3 }));
    expect(data.listing).toBe('csv');
    expect(data.classNames).toEqual(['a', 'b']);
    expect(Array.from(data.labels)).toEqual([1, 0, 0, 1]);
    expect(Buffer.from(data.pixels.subarray(0, 18))).toEqual(rawPattern(3, 2, 3));
  });

  it('progress goes to files done / total; an abort stops it', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    const seen: number[] = [];
    await loadImageFolder(root, spec(), (p) => seen.push(p.done));
    expect(seen.at(-1)).toBe(10);
    const controller = new AbortController();
    controller.abort();
    await expect(loadImageFolder(root, spec(), undefined, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('splitByClass', () => {
  it('is stratified, fixed by the seed, and every row lands in exactly one split', () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : 1));
    const a = splitByClass(labels, 2, { train: 0.7, val: 0.1, test: 0.2, seed: 5 });
    const b = splitByClass(labels, 2, { train: 0.7, val: 0.1, test: 0.2, seed: 5 });
    const c = splitByClass(labels, 2, { train: 0.7, val: 0.1, test: 0.2, seed: 6 });
    expect(a).toEqual(b);
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
    expect([a.train.length, a.val.length, a.test.length]).toEqual([70, 10, 20]);
    expect(Array.from(a.test).filter((i) => labels[i] === 1)).toHaveLength(6); // 20 % of 30
    const all = [...a.train, ...a.val, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('keeps at least one training row per class', () => {
    const s = splitByClass(Int32Array.from([0, 0, 1, 1]), 2, { train: 0.5, val: 0.25, test: 0.25, seed: 1 });
    expect(Array.from(s.train, (i) => [0, 0, 1, 1][i])).toEqual(expect.arrayContaining([0, 1]));
  });
});

describe('fillBatch and toLoadedDataset', () => {
  it('floats in [0, 1] per batch; the trainer shape with the recorded validation split', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    const data = await loadImageFolder(root, spec({ split: { train: 0.5, val: 0.25, test: 0.25, seed: 2 } }));
    const x = fillBatch(data, [1, 0], 0, 2);
    expect(x[0]).toBeCloseTo(data.pixels[240]! / 255, 7);
    expect(x[240]).toBeCloseTo(data.pixels[0]! / 255, 7);
    const loaded = toLoadedDataset(data, 'pets');
    expect(loaded.info).toMatchObject({ id: 'pets', kind: 'imageFolder', inputShape: [8, 10, 3], inputKind: 'image', classes: 2, classNames: ['cat', 'dog'] });
    const { train, val, test } = data.split;
    expect([loaded.train.count, loaded.val!.count, loaded.test.count]).toEqual([train.length, val.length, test.length]);
    expect(Array.from(loaded.val!.labels)).toEqual(Array.from(val, (r) => data.labels[r]));
    const lastRow = val[val.length - 1]!;
    expect(loaded.val!.x[(val.length - 1) * 240 + 5]).toBeCloseTo(data.pixels[lastRow * 240 + 5]! / 255, 7);
    expect(loaded.train.x.length).toBe(train.length * 240);
    expect(toLoadedDataset(data).info.id).toBe(path.basename(root));
    expect(path.isAbsolute(loaded.info.source)).toBe(true);
  });
});

describe('loadImageFolderForTraining (the ImageFolderLoader of loadUserData)', () => {
  it('loads per the spec, records hash, images per split and skipped files; refuses changed data unless allowed', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    await addBrokenFiles(root);
    const inspection = await inspectImageFolder(root, { thumbnailsPerClass: 0 });
    const spec = {
      kind: 'imageFolder' as const,
      path: root,
      hash: inspection.contentHash,
      task: 'classification' as const,
      height: 6,
      width: 6,
      channels: 1 as const,
      classNames: ['cat', 'dog'],
      augmentation: { flip: false, shift: 0, rotate: 0 },
      split: { train: 0.5, val: 0.25, test: 0.25, seed: 4 },
    };
    await expect(loadImageFolderForTraining(root, spec)).rejects.toThrow(UnreadableImagesError);
    const fractions: number[] = [];
    const data = await loadImageFolderForTraining(root, spec, { skipUnreadable: true, onProgress: (p) => p.fraction !== undefined && fractions.push(p.fraction) });
    expect(fractions.at(-1)).toBe(1);
    expect(data.spec).toMatchObject({ hash: inspection.contentHash, skipped: 4, images: { train: data.train.count, val: data.val!.count, test: data.test.count } });
    expect(data.train.count + data.val!.count + data.test.count).toBe(10);
    expect(data.shape).toEqual({ name: path.basename(root), kind: 'imageFolder', inputShape: [6, 6, 1], task: 'classification', classNames: ['cat', 'dog'] });
    expect(data.skippedFiles.map((f) => f.path)).toContain('dog/cut.jpg');
    expect(data.changed).toBe(false);
    await put(root, 'cat/new.png', await encode('png', rawPattern(4, 4, 3), 4, 4, 3));
    await expect(loadImageFolderForTraining(root, spec, { skipUnreadable: true })).rejects.toThrow(/changed since the file recorded them/);
    const changed = await loadImageFolderForTraining(root, spec, { skipUnreadable: true, allowChanged: true });
    expect(changed.changed).toBe(true);
    expect(changed.spec.hash).not.toBe(inspection.contentHash);
    expect(changed.augmentTrainBatch).toBeUndefined();
  });

  it('augmentTrainBatch: the spec\'s augmentation per (seed, epoch, batch), on float batches', async () => {
    const root = await folder();
    await makeMixedFolder(root);
    const inspection = await inspectImageFolder(root, { thumbnailsPerClass: 0 });
    const spec = {
      kind: 'imageFolder' as const,
      path: root,
      hash: inspection.contentHash,
      task: 'classification' as const,
      height: 8,
      width: 8,
      channels: 3 as const,
      classNames: ['cat', 'dog'],
      augmentation: { flip: true, shift: 0.25, rotate: 0 },
      split: { train: 0.6, val: 0.2, test: 0.2, seed: 4 },
    };
    const data = await loadImageFolderForTraining(root, spec);
    const x = data.train.x.subarray(0, 2 * 192);
    const a = data.augmentTrainBatch!(x, 2, 1, 1);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a).toEqual(data.augmentTrainBatch!(x, 2, 1, 1));
    const differs = [1, 2, 3, 4, 5].some((epoch) => !Buffer.from(data.augmentTrainBatch!(x, 2, epoch, 1).buffer).equals(Buffer.from(x.slice().buffer)));
    expect(differs).toBe(true);
    expect(data.train.x.subarray(0, 2 * 192)).toEqual(x);
  });
});
