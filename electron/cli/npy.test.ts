import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from './npy';

/** A .npy file byte by byte as numpy 1.x writes it: magic, version, little-endian header length, dict padded to 64. */
function handMade(descr: string, shapeText: string, payload: number[], major = 1): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const prefix = major === 1 ? 10 : 12;
  header += ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const lengthBytes = major === 1 ? [header.length & 0xff, header.length >> 8] : [header.length & 0xff, (header.length >> 8) & 0xff, 0, 0];
  return Uint8Array.from([0x93, ...'NUMPY'.split('').map((c) => c.charCodeAt(0)), major, 0, ...lengthBytes, ...header.split('').map((c) => c.charCodeAt(0)), ...payload]);
}

describe('.npy', () => {
  it('writes the exact bytes numpy.save writes for a float32 2×3 array', () => {
    const bytes = writeNpy({ shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + (bytes[8]! | (bytes[9]! << 8))));
    // numpy 1.26: np.save(f, np.arange(1, 7, dtype='<f4').reshape(2, 3)) writes a 128-byte preamble (118-byte header).
    expect(header).toBe(`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }${' '.repeat(58)}\n`);
    expect(header).toHaveLength(118);
    // 1.0f little-endian is 00 00 80 3f.
    expect([...bytes.subarray(10 + header.length, 10 + header.length + 4)]).toEqual([0, 0, 0x80, 0x3f]);
    expect(bytes.length).toBe(128 + 6 * 4);
  });

  it('round-trips shapes of every rank, including one-element tuples and empty arrays', () => {
    for (const shape of [[5], [2, 3], [1, 28, 28, 1], [0, 2], []]) {
      const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 1);
      expect(readNpy(writeNpy({ shape, data }))).toEqual({ shape, data });
    }
    expect(new TextDecoder().decode(writeNpy({ shape: [5], data: new Float32Array(5) }).subarray(10, 70))).toContain("'shape': (5,)");
  });

  it('reads hand-made files of other dtypes, big-endian ones and version 2.0 headers as float32', () => {
    expect(readNpy(handMade('<f8', '(2,)', [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0]))).toEqual({ shape: [2], data: Float32Array.from([1, -2]) });
    expect(readNpy(handMade('>f4', '(1,)', [0x3f, 0x80, 0, 0]))).toEqual({ shape: [1], data: Float32Array.from([1]) });
    expect(readNpy(handMade('|u1', '(2, 2)', [0, 255, 7, 128]))).toEqual({ shape: [2, 2], data: Float32Array.from([0, 255, 7, 128]) });
    expect(readNpy(handMade('<i8', '(1,)', [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toEqual({ shape: [1], data: Float32Array.from([-2]) });
    expect(readNpy(handMade('|b1', '(3,)', [1, 0, 1]))).toEqual({ shape: [3], data: Float32Array.from([1, 0, 1]) });
    expect(readNpy(handMade('<f2', '(1,)', [0x00, 0x3c]))).toEqual({ shape: [1], data: Float32Array.from([1]) });
    expect(readNpy(handMade('<f4', '(1,)', [0, 0, 0x80, 0x3f], 2))).toEqual({ shape: [1], data: Float32Array.from([1]) });
  });

  it('refuses what it cannot read, saying why', () => {
    expect(() => readNpy(new TextEncoder().encode('{"shape": [1]}'))).toThrow('not a .npy file');
    expect(() => readNpy(handMade('<c8', '(1,)', new Array(8).fill(0)))).toThrow("unsupported .npy dtype '<c8'");
    expect(() => readNpy(handMade('<f4', '(2, 2)', [0, 0, 0x80, 0x3f]))).toThrow('.npy data is truncated: shape (2, 2) needs 16 bytes, the file has 4');
    const fortran = handMade('<f4', '(1,)', [0, 0, 0x80, 0x3f]);
    const text = new TextDecoder('latin1').decode(fortran).replace("'fortran_order': False", "'fortran_order': True ");
    expect(() => readNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)))).toThrow('Fortran order');
  });
});
