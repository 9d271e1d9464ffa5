import { describe, expect, it } from 'vitest';
import { describeMachine, widestVectorIsa } from './machine';

const flags = (list: string) => `processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: ${list}\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: ${list}\n`;

describe('widestVectorIsa', () => {
  it('picks the widest extension the flags list, whatever their order', () => {
    expect(widestVectorIsa(flags('fpu sse2 sse4_2 avx avx2 fma avx512f avx512bw avx512vl'))).toEqual({ isa: 'avx512f', bits: 512 });
    expect(widestVectorIsa(flags('avx2 fpu sse2 avx sse4_2 fma'))).toEqual({ isa: 'avx2', bits: 256 });
    expect(widestVectorIsa(flags('fpu sse2 sse4_2 avx'))).toEqual({ isa: 'avx', bits: 256 });
    expect(widestVectorIsa(flags('fpu sse2'))).toEqual({ isa: 'sse2', bits: 128 });
  });

  it('does not take a longer flag for the one it contains (avx512_bf16 alone is not avx512f)', () => {
    expect(widestVectorIsa(flags('sse2 avx avx2 avx512_bf16 avx_vnni'))).toEqual({ isa: 'avx2', bits: 256 });
  });

  it('says null where there is no x86 flags line (arm64 lists "Features")', () => {
    expect(widestVectorIsa('processor\t: 0\nFeatures\t: fp asimd evtstrm aes\n')).toBeNull();
    expect(widestVectorIsa('')).toBeNull();
  });
});

describe('describeMachine', () => {
  it('reports this machine and the flags given', () => {
    const info = describeMachine(flags('sse2 avx avx2'));
    expect(info).toMatchObject({ widestVectorIsa: 'avx2', nativeVectorBits: 256, wasmVectorBits: 128 });
    expect(info.cores).toBeGreaterThan(0);
    expect(info.cpu.length).toBeGreaterThan(0);
    expect(describeMachine('')).toMatchObject({ widestVectorIsa: null, nativeVectorBits: null });
  });
});
