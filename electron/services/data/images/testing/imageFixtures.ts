/**
 * Small real image files for the image-folder tests, made with sharp in a temp folder: PNG (RGB, gray, RGBA), JPEG,
 * WebP, GIF, TIFF, BMP, a 1×1 image, nested class folders, and the nasty ones: a PNG with a corrupt data chunk, a
 * truncated JPEG, a text file named .png, an empty file.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** A w×h image of `channels` whose pixel (x, y, c) is (x * 16 + y * 4 + c * 64 + seed) mod 256. */
export function rawPattern(width: number, height: number, channels: number, seed = 0): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = (x * 16 + y * 4 + c * 64 + seed) & 255;
  return data;
}

export function encode(format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff', raw: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<Buffer> {
  let image = sharp(raw, { raw: { width, height, channels } });
  if (channels === 1) image = image.toColourspace('b-w');
  if (format === 'png') return image.png().toBuffer();
  if (format === 'jpeg') return image.jpeg({ quality: 95 }).toBuffer();
  if (format === 'webp') return image.webp({ lossless: true }).toBuffer();
  if (format === 'gif') return image.gif().toBuffer();
  return image.tiff().toBuffer();
}

/** An uncompressed bottom-up 24-bit BMP of RGB pixels. */
export function encodeBmp24(rgb: Buffer, width: number, height: number): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(stride * height, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      out[row + x * 3] = rgb[p + 2]!;
      out[row + x * 3 + 1] = rgb[p + 1]!;
      out[row + x * 3 + 2] = rgb[p]!;
    }
  }
  return out;
}

/** A PNG whose compressed data is damaged half-way (header intact: only a full decode finds it). */
export async function corruptPng(): Promise<Buffer> {
  const png = await sharp(rawPattern(40, 40, 3), { raw: { width: 40, height: 40, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  const bad = Buffer.from(png);
  const mid = Math.floor(bad.length / 2);
  for (let i = mid; i < mid + 64; i++) bad[i] = bad[i]! ^ 0xff;
  return bad;
}

/** A JPEG cut at 60 % of its bytes (the header reads fine). */
export async function truncatedJpeg(): Promise<Buffer> {
  const jpeg = await sharp(rawPattern(40, 30, 3), { raw: { width: 40, height: 30, channels: 3 } }).jpeg().toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
}

export async function tempDir(prefix = 'nb-images-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function put(root: string, rel: string, bytes: Buffer | string): Promise<string> {
  const file = path.join(root, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

/**
 * A clean two-class folder: `cat` in colour (PNG, JPEG, WebP, GIF, a nested sub-folder, an RGBA PNG), `dog` mostly
 * gray (gray PNG, gray TIFF, a 24-bit BMP, a 1×1 gray PNG), plus a text file (ignored) and a hidden file. Sizes: 16×20
 * (h×w) except the 1×1.
 */
export async function makeMixedFolder(root: string): Promise<void> {
  const rgb = (seed: number) => rawPattern(20, 16, 3, seed);
  const gray = (seed: number) => rawPattern(20, 16, 1, seed);
  await put(root, 'cat/a.png', await encode('png', rgb(1), 20, 16, 3));
  await put(root, 'cat/b.jpg', await encode('jpeg', rgb(2), 20, 16, 3));
  await put(root, 'cat/c.webp', await encode('webp', rgb(3), 20, 16, 3));
  await put(root, 'cat/indoor/d.png', await encode('png', rgb(4), 20, 16, 3));
  await put(root, 'cat/e.png', await encode('png', rawPattern(20, 16, 4, 5), 20, 16, 4));
  await put(root, 'dog/a.png', await encode('png', gray(6), 20, 16, 1));
  await put(root, 'cat/f.gif', await encode('gif', rgb(7), 20, 16, 3));
  await put(root, 'dog/c.tif', await encode('tiff', gray(8), 20, 16, 1));
  await put(root, 'dog/d.png', await encode('png', Buffer.from([200]), 1, 1, 1));
  await put(root, 'dog/e.bmp', encodeBmp24(Buffer.from(Array.from(gray(9)).flatMap((v) => [v, v, v])), 20, 16));
  await put(root, 'dog/readme.txt', 'not an image, ignored');
  await put(root, '.DS_Store', 'hidden');
}

/** The nasty files, each in its own class folder next to good ones. */
export async function addBrokenFiles(root: string): Promise<void> {
  await put(root, 'cat/broken.png', await corruptPng());
  await put(root, 'dog/cut.jpg', await truncatedJpeg());
  await put(root, 'dog/notes.png', 'this is text, not a PNG');
  await put(root, 'cat/empty.jpg', Buffer.alloc(0));
}
