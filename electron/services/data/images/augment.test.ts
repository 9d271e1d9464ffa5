import { describe, expect, it } from 'vitest';
import { IDENTITY_TRANSFORM, augmentBatch, augmentationRandom, drawTransform, transformImage, type ImageShape } from './augment';

/** A 4×5 (h×w) two-channel image with distinct values: (y * 5 + x) * 2 + c. */
const shape: ImageShape = { height: 4, width: 5, channels: 2 };
const image = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
const at = (img: ArrayLike<number>, x: number, y: number, c: number, s: ImageShape = shape) => img[(y * s.width + x) * s.channels + c];

function apply(t: Parameters<typeof transformImage>[5], src: Uint8Array | Float32Array = image): Uint8Array | Float32Array {
  const out = src instanceof Uint8Array ? new Uint8Array(src.length) : new Float32Array(src.length);
  transformImage(src, 0, out, 0, shape, t);
  return out;
}

describe('transformImage', () => {
  it('identity copies', () => {
    expect(apply(IDENTITY_TRANSFORM)).toEqual(image);
  });

  it('flip mirrors left-right, and twice is the identity', () => {
    const once = apply({ ...IDENTITY_TRANSFORM, flip: true });
    for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) for (let c = 0; c < 2; c++) expect(at(once, x, y, c)).toBe(at(image, 4 - x, y, c));
    const twice = new Uint8Array(40);
    transformImage(once, 0, twice, 0, shape, { ...IDENTITY_TRANSFORM, flip: true });
    expect(twice).toEqual(image);
  });

  it('shift moves content right/down by whole pixels, filling with 0', () => {
    const moved = apply({ ...IDENTITY_TRANSFORM, dx: 2, dy: -1 });
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 5; x++) {
        const sx = x - 2;
        const sy = y + 1;
        const expected = sx < 0 || sy > 3 ? 0 : at(image, sx, sy, 1);
        expect(at(moved, x, y, 1)).toBe(expected);
      }
    }
  });

  it('a quarter turn of a square image is exact; small rotations keep the centre and stay in range', () => {
    const sq: ImageShape = { height: 3, width: 3, channels: 1 };
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = new Uint8Array(9);
    transformImage(src, 0, out, 0, sq, { ...IDENTITY_TRANSFORM, angle: Math.PI / 2 });
    // Clockwise on screen (y down): the left column becomes the top row.
    expect(Array.from(out)).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    const f = Float32Array.from({ length: 49 }, (_, i) => (i % 7) / 6);
    const rotated = new Float32Array(49);
    transformImage(f, 0, rotated, 0, { height: 7, width: 7, channels: 1 }, { ...IDENTITY_TRANSFORM, angle: (10 * Math.PI) / 180 });
    expect(rotated[24]).toBeCloseTo(f[24]!, 6);
    expect(rotated).not.toEqual(f);
    for (const v of rotated) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('writes at offsets (one image of a batch) without touching the rest', () => {
    const src = new Uint8Array(80);
    src.set(image, 40);
    const dst = new Uint8Array(80).fill(7);
    transformImage(src, 40, dst, 0, shape, { ...IDENTITY_TRANSFORM, flip: true });
    expect(Array.from(dst.subarray(40))).toEqual(new Array(40).fill(7));
    expect(at(dst, 0, 0, 0)).toBe(at(image, 4, 0, 0));
  });
});

describe('augmentBatch', () => {
  const batch = new Uint8Array(40 * 16);
  for (let i = 0; i < 16; i++) batch.set(image, i * 40);
  const options = { flip: true, shift: 0.2, rotate: 10 };

  it('is pure and seeded: same seed and epoch → same batch; another epoch → another batch', () => {
    const copy = batch.slice();
    const a = augmentBatch(batch, 16, shape, options, augmentationRandom(1, 1));
    const b = augmentBatch(batch, 16, shape, options, augmentationRandom(1, 1));
    const c = augmentBatch(batch, 16, shape, options, augmentationRandom(1, 2));
    expect(batch).toEqual(copy);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(batch);
  });

  it('keeps Float32 batches Float32, and with everything off is an exact copy', () => {
    const floats = Float32Array.from(batch, (v) => v / 255);
    const out = augmentBatch(floats, 16, shape, options, augmentationRandom(3, 1));
    expect(out).toBeInstanceOf(Float32Array);
    expect(augmentBatch(floats, 16, shape, { flip: false, shift: 0, rotate: 0 }, augmentationRandom(3, 1))).toEqual(floats);
  });

  it('flip-only flips about half the images, each exactly mirrored or untouched', () => {
    const n = 200;
    const many = new Uint8Array(40 * n);
    for (let i = 0; i < n; i++) many.set(image, i * 40);
    const out = augmentBatch(many, n, shape, { flip: true, shift: 0, rotate: 0 }, augmentationRandom(9, 1));
    const mirrored = apply({ ...IDENTITY_TRANSFORM, flip: true });
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const img = out.subarray(i * 40, (i + 1) * 40);
      if (Buffer.from(img).equals(Buffer.from(mirrored))) flipped++;
      else expect(img).toEqual(image);
    }
    expect(flipped).toBeGreaterThan(70);
    expect(flipped).toBeLessThan(130);
  });

  it('draws shifts within ± shift × side and angles within ± rotate degrees', () => {
    const random = augmentationRandom(4, 1);
    const big: ImageShape = { height: 20, width: 30, channels: 1 };
    for (let i = 0; i < 500; i++) {
      const t = drawTransform({ flip: false, shift: 0.1, rotate: 15 }, big, random);
      expect(Math.abs(t.dx)).toBeLessThanOrEqual(3);
      expect(Math.abs(t.dy)).toBeLessThanOrEqual(2);
      expect(Number.isInteger(t.dx) && Number.isInteger(t.dy)).toBe(true);
      expect(Math.abs(t.angle)).toBeLessThanOrEqual((15 * Math.PI) / 180);
    }
  });

  it('refuses a batch shorter than count images', () => {
    expect(() => augmentBatch(new Uint8Array(10), 1, shape, options, augmentationRandom(1, 1))).toThrow(/holds 10 values, 1 images of 4×5×2 need 40/);
  });
});
