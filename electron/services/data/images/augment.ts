/**
 * Per-epoch augmentation of training images (shared/data/dataSpec.ts Augmentation): a left-right flip with chance 1/2,
 * a shift by up to `shift` of the width/height, a rotation by up to `rotate` degrees either way. Pure functions on a
 * batch of HWC images (Uint8 0–255 or Float32), drawing from a seeded random so an epoch's augmentation is the same on
 * every run with the same seed. Pixels that come from outside the image are 0; sampling is bilinear (exact for flips
 * and whole-pixel shifts).
 */
import { createSeededRandom, type SeededRandom } from '../../datasets/seededRandom';

export interface AugmentationOptions {
  readonly flip: boolean;
  /** Largest shift as a share of the width (x) and height (y), 0–0.25. */
  readonly shift: number;
  /** Largest rotation in degrees, either way. */
  readonly rotate: number;
}

export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** One image's transform: mirror, then rotate about the centre by `angle` radians (clockwise on screen), then move. */
export interface ImageTransform {
  readonly flip: boolean;
  readonly dx: number;
  readonly dy: number;
  readonly angle: number;
}

export const IDENTITY_TRANSFORM: ImageTransform = Object.freeze({ flip: false, dx: 0, dy: 0, angle: 0 });

/** The random for epoch `epoch` (1-based) of a run seeded with `seed`: independent of batch size and order of calls. */
export function augmentationRandom(seed: number, epoch: number): SeededRandom {
  return createSeededRandom(`augment:${seed}:${epoch}`);
}

/** Draws one transform. Shifts are whole pixels (round(u · shift · side)). */
export function drawTransform(options: AugmentationOptions, shape: ImageShape, random: SeededRandom): ImageTransform {
  const flip = options.flip ? random.next() < 0.5 : false;
  const dx = options.shift > 0 ? Math.round((2 * random.next() - 1) * options.shift * shape.width) : 0;
  const dy = options.shift > 0 ? Math.round((2 * random.next() - 1) * options.shift * shape.height) : 0;
  const angle = options.rotate > 0 ? (2 * random.next() - 1) * options.rotate * (Math.PI / 180) : 0;
  return { flip, dx: dx === 0 ? 0 : dx, dy: dy === 0 ? 0 : dy, angle };
}

type Pixels = Uint8Array | Float32Array;

/** Writes `t` applied to the image at `src[srcOffset…]` into `dst[dstOffset…]`. */
export function transformImage(src: Pixels, srcOffset: number, dst: Pixels, dstOffset: number, shape: ImageShape, t: ImageTransform): void {
  const { height: h, width: w, channels: c } = shape;
  const size = h * w * c;
  const round = dst instanceof Uint8Array;
  if (!t.flip && t.dx === 0 && t.dy === 0 && t.angle === 0) {
    for (let j = 0; j < size; j++) dst[dstOffset + j] = src[srcOffset + j]!;
    return;
  }
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(t.angle);
  const sin = Math.sin(t.angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse map: undo the move, the rotation, the mirror.
      const ux = x - t.dx - cx;
      const uy = y - t.dy - cy;
      let sx = cos * ux + sin * uy + cx;
      const sy = -sin * ux + cos * uy + cy;
      if (t.flip) sx = w - 1 - sx;
      // Snap values within float noise of a whole pixel, so flips, shifts and quarter turns are exact.
      const rx = Math.round(sx);
      const ry = Math.round(sy);
      const fx = Math.abs(sx - rx) < 1e-6 ? rx : sx;
      const fy = Math.abs(sy - ry) < 1e-6 ? ry : sy;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const ax = fx - x0;
      const ay = fy - y0;
      const out = dstOffset + (y * w + x) * c;
      for (let ch = 0; ch < c; ch++) {
        const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= w || yy >= h ? 0 : src[srcOffset + (yy * w + xx) * c + ch]!);
        let v = at(x0, y0) * (1 - ax) * (1 - ay);
        if (ax > 0) v += at(x0 + 1, y0) * ax * (1 - ay);
        if (ay > 0) v += at(x0, y0 + 1) * (1 - ax) * ay;
        if (ax > 0 && ay > 0) v += at(x0 + 1, y0 + 1) * ax * ay;
        dst[out + ch] = round ? Math.min(255, Math.max(0, Math.round(v))) : v;
      }
    }
  }
}

/**
 * A new batch of `count` images with a fresh random transform each (the input is not changed). Returns the same array
 * type as given. With every option off it returns an exact copy.
 */
export function augmentBatch<T extends Pixels>(batch: T, count: number, shape: ImageShape, options: AugmentationOptions, random: SeededRandom): T {
  const size = shape.height * shape.width * shape.channels;
  if (batch.length < count * size) throw new Error(`Batch holds ${batch.length} values, ${count} images of ${shape.height}×${shape.width}×${shape.channels} need ${count * size}`);
  const out = (batch instanceof Uint8Array ? new Uint8Array(count * size) : new Float32Array(count * size)) as T;
  for (let i = 0; i < count; i++) transformImage(batch, i * size, out, i * size, shape, drawTransform(options, shape, random));
  return out;
}
