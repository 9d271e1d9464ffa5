/**
 * NumPy's `.npy` format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html), enough for model
 * inputs and outputs: read versions 1.0–3.0 of any numeric little- or big-endian dtype (as float32, the models'
 * type), write version 1.0 float32 little-endian C-order — what `numpy.load` reads back as `dtype('<f4')`.
 */

export interface NpyArray {
  readonly shape: number[];
  /** Row-major (C order) values. */
  readonly data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Bytes per element and a reader, per dtype kind and size. */
type Reader = (view: DataView, offset: number, little: boolean) => number;
const READERS: Record<string, { size: number; read: Reader }> = {
  f2: { size: 2, read: (v, o, l) => float16(v.getUint16(o, l)) },
  f4: { size: 4, read: (v, o, l) => v.getFloat32(o, l) },
  f8: { size: 8, read: (v, o, l) => v.getFloat64(o, l) },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
  b1: { size: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
  i2: { size: 2, read: (v, o, l) => v.getInt16(o, l) },
  u2: { size: 2, read: (v, o, l) => v.getUint16(o, l) },
  i4: { size: 4, read: (v, o, l) => v.getInt32(o, l) },
  u4: { size: 4, read: (v, o, l) => v.getUint32(o, l) },
  i8: { size: 8, read: (v, o, l) => Number(v.getBigInt64(o, l)) },
  u8: { size: 8, read: (v, o, l) => Number(v.getBigUint64(o, l)) },
};

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Parses the header dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }`. */
function parseHeader(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`not a .npy header (expected descr, fortran_order and shape): ${text.trim().slice(0, 120)}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad .npy shape (${shapeText})`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

/** Reads a `.npy` file's bytes; throws an Error saying what is wrong (bad magic, unsupported dtype, short data). */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error('truncated .npy header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`unsupported .npy version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new Error('truncated .npy header');
  const header = parseHeader(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart)));
  const match = /^([<>|=])([fiub])(\d+)$/.exec(header.descr);
  const reader = match ? READERS[`${match[2]}${match[3]}`] : undefined;
  if (!match || !reader) throw new Error(`unsupported .npy dtype '${header.descr}' (numbers only: float, int, uint, bool)`);
  if (header.fortranOrder) throw new Error(".npy data in Fortran order is not supported: save it with numpy.ascontiguousarray (C order)");
  const little = match[1] !== '>';
  const count = header.shape.reduce((a, b) => a * b, 1);
  const needed = count * reader.size;
  if (bytes.length - dataStart < needed) {
    throw new Error(`.npy data is truncated: shape (${header.shape.join(', ')}) needs ${needed} bytes, the file has ${bytes.length - dataStart}`);
  }
  const data = new Float32Array(count);
  if (header.descr === '<f4' && (bytes.byteOffset + dataStart) % 4 === 0) {
    data.set(new Float32Array(bytes.buffer, bytes.byteOffset + dataStart, count));
  } else {
    for (let i = 0; i < count; i++) data[i] = reader.read(view, dataStart + i * reader.size, little);
  }
  return { shape: header.shape, data };
}

/** A `.npy` v1.0 file of float32 little-endian values in C order, its header padded so the data starts on 64 bytes. */
export function writeNpy(array: NpyArray): Uint8Array {
  const { shape, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape (${shape.join(', ')}) holds ${count} values, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // As numpy ≥ 1.24 does: room for the first axis to grow to 21 digits in place (np.lib.format.GROWTH_AXIS_MAX_DIGITS).
  if (shape.length > 0) header += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  const unpadded = 10 + header.length + 1;
  // numpy pads with 64 - (length % 64) spaces: a full 64 when the length is already a multiple.
  header += ' '.repeat(64 - (unpadded % 64)) + '\n';
  if (header.length > 0xffff) throw new RangeError('shape too long for a .npy v1.0 header');
  const out = new Uint8Array(10 + header.length + count * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const dataStart = 10 + header.length;
  for (let i = 0; i < count; i++) view.setFloat32(dataStart + i * 4, data[i]!, true);
  return out;
}
