import { describe, expect, it } from 'vitest';
import { imageBytes } from './planeCanvas';

describe('imageBytes', () => {
  it('draws a digit as ink on paper and a photo as it is, grey or RGB (HWC)', () => {
    // 2×1 pixels.
    expect(Array.from(imageBytes([1, 0], 2, 1, 1, true))).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(Array.from(imageBytes([1, 0], 2, 1, 1, false))).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
    expect(Array.from(imageBytes([1, 0, 0, 0, 0.5, 1], 2, 1, 3, false))).toEqual([255, 0, 0, 255, 0, 128, 255, 255]);
    // Out-of-range values are clamped.
    expect(Array.from(imageBytes([2, -1], 2, 1, 1, false))).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
  });
});
