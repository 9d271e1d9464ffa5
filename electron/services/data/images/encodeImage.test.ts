import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeImageRequestSchema } from '../../../../shared/contracts/tryImage';
import { loadUserData } from '../loadUserData';
import { proposeImageFolderSpec } from './proposeImageFolderSpec';
import { inspectImageFolder } from './inspectImageFolder';
import { encodeImageForModel, ImageEncodeError } from './encodeImage';

const SHAPES = path.resolve(__dirname, '../fixtures/images/shapes');

describe('encodeImageForModel ("Try it" on an image-folder run)', () => {
  it('makes the input the folder loader made for training: every fixture image is one of the loaded samples', async () => {
    const inspection = await inspectImageFolder(SHAPES, { thumbnailsPerClass: 0 });
    const spec = { ...proposeImageFolderSpec(inspection), path: SHAPES };
    const loaded = await loadUserData(spec);
    const [height, width, channels] = loaded.shape.inputShape as [number, number, 1 | 3];
    const size = height * width * channels;
    const samples = [loaded.train, loaded.val, loaded.test].flatMap((split) =>
      !split ? [] :
      Array.from({ length: split.count }, (_, i) => Array.from(split.x.subarray(i * size, (i + 1) * size))),
    );
    const klass = spec.classNames[0]!;
    const files = readdirSync(path.join(SHAPES, klass)).slice(0, 3);
    for (const file of files) {
      const { values, shape } = await encodeImageForModel(readFileSync(path.join(SHAPES, klass, file)), height, width, channels);
      expect(shape).toEqual([height, width, channels]);
      const same = samples.some((s) => s.every((v, j) => Math.abs(v - values[j]!) < 1e-6));
      expect(same, `${klass}/${file} encodes as one of the loader's samples`).toBe(true);
    }
  });

  it('resizes any size, flattens alpha onto black and converts grey/RGB as asked', async () => {
    const png = await sharp({ create: { width: 90, height: 40, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const rgb = await encodeImageForModel(png, 8, 6, 3);
    expect(rgb.values).toHaveLength(8 * 6 * 3);
    // Half-transparent red on black: about (0.5, 0, 0) everywhere.
    expect(rgb.values[0]).toBeCloseTo(0.5, 1);
    expect(rgb.values[1]).toBe(0);
    const grey = await encodeImageForModel(png, 4, 4, 1);
    expect(grey.values).toHaveLength(16);
    expect(grey.values[0]!).toBeGreaterThan(0.05);
    expect(grey.values[0]!).toBeLessThan(0.5);
  });

  it('refuses bytes that are not an image, or a cut file, saying so', async () => {
    await expect(encodeImageForModel(Buffer.from('hello, not a picture'), 8, 8, 1)).rejects.toThrow(ImageEncodeError);
    await expect(encodeImageForModel(Buffer.from('hello, not a picture'), 8, 8, 1)).rejects.toThrow(/not an image/);
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#336699' } }).png().toBuffer();
    await expect(encodeImageForModel(png.subarray(0, png.length - 20), 8, 8, 3)).rejects.toThrow(/truncated PNG/);
  });

  it('the request is bounded: sizes, channels and values per predict', () => {
    const ok = { image: 'AAAA', height: 32, width: 32, channels: 3 };
    expect(encodeImageRequestSchema.safeParse(ok).success).toBe(true);
    expect(encodeImageRequestSchema.safeParse({ ...ok, channels: 2 }).success).toBe(false);
    expect(encodeImageRequestSchema.safeParse({ ...ok, height: 0 }).success).toBe(false);
    expect(encodeImageRequestSchema.safeParse({ ...ok, height: 1024, width: 1024 }).success).toBe(false);
    expect(encodeImageRequestSchema.safeParse({ ...ok, image: '' }).success).toBe(false);
  });
});
