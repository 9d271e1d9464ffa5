/**
 * Decoding with sharp (libvips; prebuilt binaries for each platform ship as npm optional packages, so it works offline
 * with no compiler): PNG, JPEG, WebP, GIF (first frame) and TIFF. libvips has no BMP loader, so uncompressed BMPs
 * (24/32-bit, and 1/4/8-bit palettes) are decoded by the few lines in bmp.ts and handed to sharp as raw pixels.
 *
 * Every decode is a full decode (not just the header), so a truncated JPEG or a PNG with a corrupt data chunk is caught
 * when the folder is scanned, not half-way through training.
 */
import sharp, { type Sharp } from 'sharp';
import { decodeBmp, isBmp } from './bmp';
import type { ImageChannelKind, ImageFit } from './types';

/** What the first bytes say the file is (for messages: "corrupt PNG", "truncated JPEG"). */
export function sniffFormat(bytes: Uint8Array): string | undefined {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'PNG';
  if (b(0) === 0xff && b(1) === 0xd8) return 'JPEG';
  if (b(0) === 0x52 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x46 && b(8) === 0x57 && b(9) === 0x45) return 'WebP';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46) return 'GIF';
  if ((b(0) === 0x49 && b(1) === 0x49 && b(2) === 0x2a) || (b(0) === 0x4d && b(1) === 0x4d && b(3) === 0x2a)) return 'TIFF';
  if (isBmp(bytes)) return 'BMP';
  return undefined;
}

/** Whether the bytes lack the format's end marker (JPEG EOI, PNG IEND, GIF trailer): the file was cut short. */
function endsEarly(bytes: Uint8Array, format: string): boolean {
  const n = bytes.length;
  if (format === 'JPEG') {
    // Some writers pad after EOI: look for FF D9 in the last bytes.
    for (let i = n - 2; i >= Math.max(0, n - 64); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return false;
    return true;
  }
  if (format === 'PNG') return Buffer.from(bytes.subarray(Math.max(0, n - 64))).indexOf('IEND', 0, 'latin1') < 0;
  if (format === 'GIF') return bytes[n - 1] !== 0x3b;
  return false;
}

/** Formats whose end marker endsEarly checks: whether such a file was cut short is read from its bytes. */
const END_MARKED = new Set(['JPEG', 'PNG', 'GIF']);
/** Words naming each format in libvips' messages (its loaders: VipsJpeg / jpegload, vipspng / pngload, gifload, …). */
const FORMAT_WORDS: Record<string, RegExp> = { PNG: /png/i, JPEG: /jpe?g/i, WebP: /webp/i, GIF: /gif/i, TIFF: /tiff?/i, BMP: /bmp/i };

/**
 * The lines of a decoder message about this file's format. libvips keeps one error buffer per thread, so when
 * several files decode at once a PNG's error can arrive with another file's "VipsJpeg: premature end of JPEG image"
 * in front of it: lines naming another format are dropped.
 */
function ownLines(message: string, format: string): string {
  const others = Object.entries(FORMAT_WORDS).filter(([f]) => f !== format).map(([, re]) => re);
  const own = FORMAT_WORDS[format];
  return message
    .split(/\n+/)
    .filter((line) => (own?.test(line) ?? false) || !others.some((re) => re.test(line)))
    .join(' ');
}

/** A decoder's error in words a person can act on, naming the format the bytes claim to be. */
export function describeDecodeError(bytes: Uint8Array, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  if (bytes.length === 0) return 'empty file (0 bytes)';
  const format = sniffFormat(bytes);
  if (!format) return 'not an image (unrecognised file contents)';
  const message = ownLines(raw, format);
  // libvips' "Warning treated as error due to failOn setting" says nothing about the file: leave it out.
  const detail = /treated as error/i.test(message) ? '' : message.replace(/\s+/g, ' ').trim().replace(/:$/, '');
  // The decoder's wording for a cut file varies with timing (libvips keeps one error buffer): say it plainly.
  if (endsEarly(bytes, format)) return `truncated ${format} (the file ends before the image does)`;
  // Formats with an end marker that is present were not cut short, whatever the message says; the others only have it.
  if (!END_MARKED.has(format) && /premature end|truncated|unexpected end|end of (file|stream)|short read|not enough data/i.test(message)) {
    return `truncated ${format}${detail ? ` (${detail})` : ''}`;
  }
  return `corrupt ${format}${detail ? ` (${detail})` : ''}`;
}

export interface DecodedHeader {
  readonly width: number;
  readonly height: number;
  readonly channels: ImageChannelKind;
  /** sharp's name: png, jpeg, webp, gif, tiff; or bmp. */
  readonly format: string;
}

/** A sharp pipeline for the bytes (BMP through the raw decoder), auto-oriented by EXIF, first frame only. */
function open(bytes: Buffer): { image: Sharp; format?: string } {
  if (isBmp(bytes)) {
    const bmp = decodeBmp(bytes);
    return { image: sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } }), format: 'bmp' };
  }
  return { image: sharp(bytes, { autoOrient: true, pages: 1 }) };
}

function channelKind(channels: number, space: string | undefined, hasAlpha: boolean | undefined): ImageChannelKind {
  if (channels <= 2 || space === 'b-w' || space === 'grey16') return 'gray';
  return channels >= 4 || hasAlpha ? 'rgba' : 'rgb';
}

/** Files up to this size are probed with one full decode to raw pixels; bigger ones read the header first. */
const SMALL_FILE = 512 * 1024;

const SHARP_FORMAT: Record<string, string> = { PNG: 'png', JPEG: 'jpeg', WebP: 'webp', GIF: 'gif', TIFF: 'tiff', BMP: 'bmp' };

/**
 * Decodes the whole image (so corruption anywhere is found) and returns its header, plus a PNG thumbnail at most
 * `thumbnail` px on its longest side when asked. Small files (the common case: thousands of small images) take one
 * decode; big photos read the header, then decode once more shrunk on load.
 */
export async function probeImage(bytes: Buffer, thumbnail?: number): Promise<{ header: DecodedHeader; thumbnail?: { png: Buffer; width: number; height: number } }> {
  const opened = open(bytes);
  const sniffed = sniffFormat(bytes);
  let header: DecodedHeader;
  let source: Sharp;
  if (bytes.length <= SMALL_FILE) {
    // The header (cheap) for the stored colour layout: raw output would convert gray to sRGB.
    const meta = await opened.image.metadata();
    const { data, info } = await opened.image.raw().toBuffer({ resolveWithObject: true });
    const kind = channelKind(meta.channels ?? info.channels, meta.space, meta.hasAlpha);
    header = { width: info.width, height: info.height, channels: kind, format: opened.format ?? meta.format ?? (sniffed ? SHARP_FORMAT[sniffed]! : 'unknown') };
    if (thumbnail === undefined || thumbnail <= 0) return { header };
    source = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  } else {
    const meta = await opened.image.metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) throw new Error('no image size in the header');
    header = { width, height, channels: channelKind(meta.channels ?? 3, meta.space, meta.hasAlpha), format: opened.format ?? meta.format ?? 'unknown' };
    if (thumbnail === undefined || thumbnail <= 0) {
      // A full decode to a tiny image: shrink-on-load still reads every compressed byte, so truncation shows.
      await opened.image.clone().resize(4, 4, { fit: 'fill' }).raw().toBuffer();
      return { header };
    }
    source = opened.image.clone();
  }
  const { data, info } = await source
    .resize(thumbnail, thumbnail, { fit: 'inside', kernel: Math.max(header.width, header.height) < thumbnail ? 'nearest' : 'lanczos3' })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { header, thumbnail: { png: data, width: info.width, height: info.height } };
}

/**
 * Decodes and resizes to height × width with `channels` (1: luminance; 3: sRGB, gray repeated), alpha flattened onto
 * black, into `out` at `offset` (HWC, 0–255). `fit` 'fill' stretches; 'cover' crops the centre to the aspect first.
 */
export async function decodeInto(
  bytes: Buffer,
  height: number,
  width: number,
  channels: 1 | 3,
  fit: ImageFit,
  out: Uint8Array,
  offset: number,
): Promise<void> {
  const opened = open(bytes);
  let image = opened.image.flatten({ background: '#000000' }).resize(width, height, { fit, position: 'centre' });
  image = channels === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb');
  const { data, info } = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height) throw new Error(`decoder returned ${info.width}×${info.height}, expected ${width}×${height}`);
  const size = width * height * channels;
  if (info.channels === channels) out.set(data.subarray(0, size), offset);
  else if (info.channels > channels) {
    // e.g. an alpha channel that survived: keep the first `channels` of each pixel.
    for (let p = 0, n = width * height; p < n; p++) for (let c = 0; c < channels; c++) out[offset + p * channels + c] = data[p * info.channels + c]!;
  } else {
    for (let p = 0, n = width * height; p < n; p++) for (let c = 0; c < channels; c++) out[offset + p * channels + c] = data[p * info.channels]!;
  }
}
