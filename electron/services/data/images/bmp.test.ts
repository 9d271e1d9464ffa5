import { describe, expect, it } from 'vitest';
import { decodeBmp, isBmp } from './bmp';
import { encodeBmp24, rawPattern } from './testing/imageFixtures';

/** A 1-, 4- or 8-bit palette BMP (top-down when `topDown`). */
function paletteBmp(bpp: 1 | 4 | 8, width: number, height: number, indices: number[], palette: [number, number, number][], topDown = false, compression = 0): Buffer {
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const offset = 54 + palette.length * 4;
  const out = Buffer.alloc(offset + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(topDown ? -height : height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bpp, 28);
  out.writeUInt32LE(compression, 30);
  out.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => out.set([b, g, r, 0], 54 + i * 4));
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const bit = x * bpp;
      out[row + (bit >> 3)]! |= indices[y * width + x]! << (8 - bpp - (bit & 7));
    }
  }
  return out;
}

describe('decodeBmp', () => {
  it('24-bit bottom-up with row padding', () => {
    const rgb = rawPattern(3, 2, 3);
    const bmp = decodeBmp(encodeBmp24(rgb, 3, 2));
    expect(bmp).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect(bmp.data).toEqual(rgb);
  });

  it('1-, 4- and 8-bit palettes, top-down and bottom-up', () => {
    const palette: [number, number, number][] = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    const indices = [0, 1, 2, 3, 3, 2, 1, 0, 1, 1];
    const expected = Buffer.from(indices.flatMap((i) => palette[i]!));
    for (const bpp of [4, 8] as const) {
      for (const topDown of [false, true]) expect(decodeBmp(paletteBmp(bpp, 5, 2, indices, palette, topDown)).data).toEqual(expected);
    }
    const mono = decodeBmp(paletteBmp(1, 9, 1, [1, 0, 1, 1, 0, 0, 0, 1, 1], [[0, 0, 0], [255, 255, 255]]));
    expect(Array.from(mono.data.filter((_, i) => i % 3 === 0))).toEqual([255, 0, 255, 255, 0, 0, 0, 255, 255]);
  });

  it('refuses RLE and truncated files with a reason', () => {
    expect(() => decodeBmp(paletteBmp(8, 2, 2, [0, 0, 0, 0], [[0, 0, 0]], false, 1))).toThrow(/compression 1 \(RLE\) is not supported/);
    const full = encodeBmp24(rawPattern(4, 4, 3), 4, 4);
    expect(() => decodeBmp(full.subarray(0, full.length - 5))).toThrow(/truncated BMP/);
    expect(isBmp(Buffer.from('BMx'))).toBe(false);
  });
});
