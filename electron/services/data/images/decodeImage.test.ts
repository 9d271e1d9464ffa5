import { describe, expect, it } from 'vitest';
import { describeDecodeError } from './decodeImage';

const png = (withEnd: boolean) => {
  const head = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(40).fill(7)];
  return Uint8Array.from([...head, ...(withEnd ? [...Buffer.from('IEND', 'latin1'), 0xae, 0x42, 0x60, 0x82] : [])]);
};
const jpeg = (withEnd: boolean) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array(40).fill(3), ...(withEnd ? [0xff, 0xd9] : [])]);

describe('describeDecodeError', () => {
  it('a PNG with its end marker is corrupt, even when another file’s JPEG error shares libvips’ error buffer', () => {
    // Seen when two files decode at once: the truncated JPEG's message arrived in front of the PNG's.
    const error = new Error('VipsJpeg: premature end of JPEG image\nvipspng: libpng read error');
    expect(describeDecodeError(png(true), error)).toBe('corrupt PNG (vipspng: libpng read error)');
  });

  it('a file without its end marker is truncated, whatever the message', () => {
    expect(describeDecodeError(png(false), new Error('vipspng: libpng read error'))).toBe('truncated PNG (the file ends before the image does)');
    expect(describeDecodeError(jpeg(false), new Error('something else'))).toBe('truncated JPEG (the file ends before the image does)');
  });

  it('a JPEG with its end marker is corrupt, not truncated, even if the message says premature end', () => {
    expect(describeDecodeError(jpeg(true), new Error('VipsJpeg: premature end of JPEG image'))).toBe('corrupt JPEG (VipsJpeg: premature end of JPEG image)');
  });

  it('formats without an end marker take "truncated" from the message; unknown bytes and empty files say so', () => {
    const webp = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 1, 2, 3]);
    expect(describeDecodeError(webp, new Error('webpload: unexpected end of data'))).toBe('truncated WebP (webpload: unexpected end of data)');
    expect(describeDecodeError(Uint8Array.from([1, 2, 3]), new Error('x'))).toBe('not an image (unrecognised file contents)');
    expect(describeDecodeError(new Uint8Array(0), new Error('x'))).toBe('empty file (0 bytes)');
  });

  it('leaves out libvips’ “treated as error” wording, which says nothing about the file', () => {
    expect(describeDecodeError(png(true), new Error('Warning treated as error due to failOn setting'))).toBe('corrupt PNG');
  });
});
