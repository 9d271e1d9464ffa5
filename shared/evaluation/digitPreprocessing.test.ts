import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { centerOfMass, MNIST_SIZE, preprocessDigit } from './digitPreprocessing';

/** A `width × height` canvas with the given rectangles inked (value 1). */
function canvas(width: number, height: number, rects: readonly [x: number, y: number, w: number, h: number][]): Float32Array {
  const pixels = new Float32Array(width * height);
  for (const [x0, y0, w, h] of rects) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) pixels[y * width + x] = 1;
  }
  return pixels;
}

/** Half-open bounds of the non-zero pixels of a 28×28 image. */
function inkBounds(image: Float32Array): { width: number; height: number } {
  let [left, top, right, bottom] = [MNIST_SIZE, MNIST_SIZE, 0, 0];
  image.forEach((v, i) => {
    if (v <= 0) return;
    const [x, y] = [i % MNIST_SIZE, Math.floor(i / MNIST_SIZE)];
    [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x + 1), Math.max(bottom, y + 1)];
  });
  return { width: right - left, height: bottom - top };
}

function expectMnistStyle(image: Float32Array): void {
  expect(image).toHaveLength(MNIST_SIZE * MNIST_SIZE);
  const center = centerOfMass(image, MNIST_SIZE, MNIST_SIZE);
  expect(Math.abs(center.x - 14)).toBeLessThanOrEqual(0.5);
  expect(Math.abs(center.y - 14)).toBeLessThanOrEqual(0.5);
  const bounds = inkBounds(image);
  expect(Math.max(bounds.width, bounds.height)).toBe(20);
  expect(Math.min(...image)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...image)).toBe(1);
}

describe('preprocessDigit', () => {
  it('gives all zeros for an empty drawing', () => {
    expect(Array.from(preprocessDigit(new Float32Array(200 * 100), 200, 100))).toEqual(new Array(784).fill(0));
  });

  it('centres an off-centre drawing by its centre of mass and fits it in 20 × 20', () => {
    // A "7" in the top-left corner of a 300 × 200 pad: a bar on top and a stem down the right.
    const image = preprocessDigit(canvas(300, 200, [[10, 10, 60, 12], [58, 10, 12, 90]]), 300, 200);
    expectMnistStyle(image);
    const bounds = inkBounds(image);
    expect(bounds).toEqual({ width: Math.round((60 * 20) / 90), height: 20 });
  });

  it('keeps the aspect ratio of a tall, thin stroke', () => {
    const image = preprocessDigit(canvas(280, 280, [[200, 30, 20, 200]]), 280, 280);
    expectMnistStyle(image);
    expect(inkBounds(image)).toEqual({ width: 2, height: 20 });
  });

  it('anti-aliases by area averaging: a stroke edge that covers half a pixel becomes grey', () => {
    // 40 × 40 box → 20 × 20: each output pixel averages 2 × 2 source pixels. A 3-pixel bar covers 1.5 output pixels.
    const image = preprocessDigit(canvas(40, 40, [[0, 0, 40, 3], [0, 0, 1, 40], [39, 0, 1, 40]]), 40, 40);
    const values = new Set(image);
    expect(values.has(0.5)).toBe(true);
    expect(values.has(1)).toBe(true);
  });

  it('enlarges a small drawing to fill the 20 × 20 box with sharp edges', () => {
    const image = preprocessDigit(canvas(10, 10, [[2, 2, 4, 4]]), 10, 10);
    expectMnistStyle(image);
    expect(image.filter((v) => v === 1)).toHaveLength(400);
    expect(image.filter((v) => v > 0)).toHaveLength(400);
  });

  it('stretches faint strokes to full intensity unless asked not to', () => {
    const faint = canvas(50, 50, [[10, 10, 20, 20]]).map((v) => v * 0.25);
    expect(Math.max(...preprocessDigit(faint, 50, 50))).toBe(1);
    expect(Math.max(...preprocessDigit(faint, 50, 50, { stretchContrast: false }))).toBe(0.25);
  });

  it('refuses pixels that do not match the size', () => {
    expect(() => preprocessDigit(new Float32Array(10), 3, 3)).toThrow(RangeError);
    expect(() => preprocessDigit(new Float32Array(0), 0, 0)).toThrow(RangeError);
  });

  /** The first `count` MNIST digits of class `digit` from the bundled `mnist` package, 28×28 in [0, 1]. */
  function mnistDigits(digit: number, count: number): Float32Array[] {
    const file = createRequire(import.meta.url).resolve(`mnist/src/digits/${digit}.json`);
    const all = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    return Array.from({ length: count }, (_, i) => Float32Array.from(all.slice(i * 784, (i + 1) * 784)));
  }

  it('leaves MNIST digits as they are, because they were made this way', () => {
    for (let digit = 0; digit <= 9; digit++) {
      for (const image of mnistDigits(digit, 5)) {
        const center = centerOfMass(image, MNIST_SIZE, MNIST_SIZE);
        expect(center.x).toBeGreaterThanOrEqual(13.5);
        expect(center.x).toBeLessThan(14.5);
        expect(center.y).toBeGreaterThanOrEqual(13.5);
        expect(center.y).toBeLessThan(14.5);
        expect(maxDifference(preprocessDigit(image, MNIST_SIZE, MNIST_SIZE, { stretchContrast: false }), image)).toBeLessThan(1e-6);
        // Some digits peak just below 1 (0.996), which the contrast stretch lifts by that one grey level.
        expect(maxDifference(preprocessDigit(image, MNIST_SIZE, MNIST_SIZE), image)).toBeLessThanOrEqual(0.005);
      }
    }
  });

  it('gives back an MNIST digit drawn ten times larger somewhere else on a pad', () => {
    for (const digit of [3, 7]) {
      for (const image of mnistDigits(digit, 5)) {
        // Nearest-neighbour upscale to 280 × 280, placed at (40, 10) on a 400 × 300 pad.
        const pad = new Float32Array(400 * 300);
        for (let y = 0; y < 280; y++) {
          for (let x = 0; x < 280; x++) pad[(y + 10) * 400 + x + 40] = image[Math.floor(y / 10) * 28 + Math.floor(x / 10)]!;
        }
        expect(maxDifference(preprocessDigit(pad, 400, 300, { stretchContrast: false }), image)).toBeLessThan(1e-6);
      }
    }
  });
});

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);
}
