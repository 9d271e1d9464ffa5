/**
 * A writer (and, for tests, a reader) of the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte
 * little-endian header length N, N bytes of JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, … }`
 * (padded with spaces to a multiple of 8 so the data is aligned), then the raw little-endian tensor bytes. Only
 * float32 ('F32') is written: that is all our models hold. No dependency: the format is this small.
 */

export interface NamedTensor {
  readonly name: string;
  /** PyTorch layout; [] for a scalar. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`safetensors: '${t.name}' has ${t.data.length} values but its shape [${t.shape.join(', ')}] needs ${count}`);
    }
    if (t.name in header) throw new Error(`safetensors: two tensors are named '${t.name}'`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  while ((8 + encoder.encode(json).length) % 8 !== 0) json += ' ';
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
  }
  return out;
}

/** Reads what {@link encodeSafetensors} writes (F32 only); throws naming what is wrong. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: NamedTensor[]; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error('safetensors: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (8 + length > bytes.length) throw new Error(`safetensors: header of ${length} bytes runs past the end of the file`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
  const base = 8 + length;
  const tensors: NamedTensor[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== 'F32') throw new Error(`safetensors: '${name}' is ${dtype}; only F32 is read`);
    const data = new Float32Array((offsets[1] - offsets[0]) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(base + offsets[0] + i * 4, true);
    tensors.push({ name, shape, data });
  }
  return { tensors, metadata };
}
