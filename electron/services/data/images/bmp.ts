/**
 * A minimal BMP decoder (libvips, behind sharp, has no BMP loader): uncompressed (BI_RGB) 24- and 32-bit images,
 * 1/4/8-bit palettes, and 16/32-bit BI_BITFIELDS with the usual masks; bottom-up or top-down rows. RLE-compressed
 * BMPs are refused with a message saying so.
 */

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

export interface DecodedBmp {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  /** RGB(A), top row first. */
  readonly data: Buffer;
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

export function decodeBmp(bytes: Uint8Array): DecodedBmp {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isBmp(bytes)) throw new Error('not a BMP file');
  const need = (n: number) => {
    if (n > bytes.length) throw new Error(`truncated BMP: needs ${n} bytes, has ${bytes.length}`);
  };
  need(30);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new Error(`BMP header of ${headerSize} bytes (OS/2 bitmap) is not supported`);
  need(14 + headerSize);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bpp = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height <= 0 || width > 65535 || height > 65535) throw new Error(`BMP size ${width}×${rawHeight} is invalid`);
  if (compression !== 0 && compression !== 3) throw new Error(`BMP compression ${compression} (RLE) is not supported: save it as PNG`);
  let masks: [number, number, number, number] | undefined;
  if (compression === 3) {
    need(54 + 12);
    masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true), headerSize >= 56 ? view.getUint32(66, true) : 0];
  } else if (bpp === 16) {
    masks = [0x7c00, 0x03e0, 0x001f, 0];
  }
  const palette: number[][] = [];
  if (bpp <= 8) {
    const colours = view.getUint32(46, true) || 1 << bpp;
    const start = 14 + headerSize;
    need(start + colours * 4);
    for (let i = 0; i < colours; i++) palette.push([bytes[start + i * 4 + 2]!, bytes[start + i * 4 + 1]!, bytes[start + i * 4]!]);
  } else if (bpp !== 16 && bpp !== 24 && bpp !== 32) {
    throw new Error(`BMP with ${bpp} bits per pixel is not supported`);
  }
  const alpha = bpp === 32 && (masks ? masks[3] !== 0 : false);
  const channels = alpha ? 4 : 3;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  need(dataOffset + stride * height);
  const out = Buffer.alloc(width * height * channels);
  const fields = masks?.map(maskShift);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = (bytes[row + (bit >> 3)]! >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const colour = palette[index] ?? [0, 0, 0];
        out[o] = colour[0]!;
        out[o + 1] = colour[1]!;
        out[o + 2] = colour[2]!;
      } else if (fields) {
        const value = bpp === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true);
        for (let c = 0; c < channels; c++) {
          const { shift, max } = fields[c]!;
          out[o + c] = max === 0 ? 255 : Math.round((((value >>> shift) & max) * 255) / max);
        }
      } else {
        const p = row + x * (bpp / 8);
        out[o] = bytes[p + 2]!;
        out[o + 1] = bytes[p + 1]!;
        out[o + 2] = bytes[p]!;
      }
    }
  }
  return { width, height, channels, data: out };
}
