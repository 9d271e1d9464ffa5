/**
 * Writes the committed image fixtures (electron/services/data/fixtures/images/), for CLI tests, e2e and trying the app:
 *   shapes/   3 classes (circle, square, triangle) × 12 grayscale 16×16 PNGs, learnable (a shape at a random place/size)
 *   nasty/    2 classes with every awkward case: RGB PNG, JPEG, WebP, RGBA PNG, a 1×1 image, gray PNG, BMP, a nested
 *             folder, a corrupt PNG, a truncated JPEG, a text file named .png, an ignored readme
 *   listed/   the same kind of images listed by labels.csv (path,label; quotes, CRLF, a missing file)
 *
 *   node --import tsx electron/services/data/images/testing/writeImageFixtures.ts
 * Deterministic: the same bytes every time (sharp's PNG/JPEG/WebP encoders are).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corruptPng, encode, encodeBmp24, put, rawPattern, truncatedJpeg } from './imageFixtures';

const SHAPES = ['circle', 'square', 'triangle'] as const;

/** A 16×16 gray image of `shape` (white on black) centred at (cx, cy) with radius r. */
export function drawShape(shape: (typeof SHAPES)[number], cx: number, cy: number, r: number, size = 16): Buffer {
  const img = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const inside =
        shape === 'circle'
          ? dx * dx + dy * dy <= r * r
          : shape === 'square'
            ? Math.abs(dx) <= r * 0.8 && Math.abs(dy) <= r * 0.8
            : dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= ((dy + r) / (1.8 * r)) * r;
      img[y * size + x] = inside ? 255 : 0;
    }
  }
  return img;
}

export async function writeImageFixtures(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  let s = 7;
  const next = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (const shape of SHAPES) {
    for (let i = 0; i < 12; i++) {
      const r = 3 + next() * 3;
      const cx = r + next() * (16 - 2 * r);
      const cy = r + next() * (16 - 2 * r);
      await put(root, `shapes/${shape}/${String(i + 1).padStart(2, '0')}.png`, await encode('png', drawShape(shape, cx, cy, r), 16, 16, 1));
    }
  }
  const rgb = (seed: number) => rawPattern(12, 10, 3, seed);
  await put(root, 'nasty/cat/rgb.png', await encode('png', rgb(1), 12, 10, 3));
  await put(root, 'nasty/cat/photo.jpg', await encode('jpeg', rgb(2), 12, 10, 3));
  await put(root, 'nasty/cat/modern.webp', await encode('webp', rgb(3), 12, 10, 3));
  await put(root, 'nasty/cat/alpha.png', await encode('png', rawPattern(12, 10, 4, 4), 12, 10, 4));
  await put(root, 'nasty/cat/indoor/nested.png', await encode('png', rgb(5), 12, 10, 3));
  await put(root, 'nasty/cat/corrupt.png', await corruptPng());
  await put(root, 'nasty/dog/gray.png', await encode('png', rawPattern(12, 10, 1, 6), 12, 10, 1));
  await put(root, 'nasty/dog/tiny-1x1.png', await encode('png', Buffer.from([128]), 1, 1, 1));
  await put(root, 'nasty/dog/old.bmp', encodeBmp24(rgb(7), 12, 10));
  await put(root, 'nasty/dog/truncated.jpg', await truncatedJpeg());
  await put(root, 'nasty/dog/notes.png', 'these are notes, not a PNG\n');
  await put(root, 'nasty/dog/README.txt', 'not an image: ignored\n');
  for (const [i, label] of ['ant', 'ant', 'ant', 'bee', 'bee', 'bee'].entries()) {
    await put(root, `listed/pictures/${label} ${i + 1}.png`, await encode('png', rawPattern(8, 8, 3, i * 40), 8, 8, 3));
  }
  await put(
    root,
    'listed/labels.csv',
    'path,label\r\n"pictures/ant 1.png",ant\r\n"pictures/ant 2.png",ant\r\n"pictures/ant 3.png",ant\r\n' +
      '"pictures/bee 4.png",bee\r\n"pictures/bee 5.png",bee\r\n"pictures/bee 6.png",bee\r\npictures/lost.png,bee\r\n',
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeImageFixtures(fileURLToPath(new URL('../../fixtures/images', import.meta.url)));
}
