import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonicalJson';
import { graphHash } from './graphHash';
import { loadGraphFile } from './loadGraphFile';
import { sha256Hex, utf8Bytes } from './sha256';

const v1Graph = () => {
  const loaded = loadGraphFile(readFileSync(new URL('./fixtures/v1.nbrick', import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.file.graph;
};

describe('sha256Hex', () => {
  it('gives the NIST test vectors', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sha256Hex(text(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on every length around the block boundaries and on random data', () => {
    for (let n = 0; n < 200; n++) {
      const data = randomBytes(n);
      expect(sha256Hex(data), `length ${n}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
    const big = randomBytes(1_000_003);
    expect(sha256Hex(big)).toBe(createHash('sha256').update(big).digest('hex'));
  });
});

describe('utf8Bytes', () => {
  it('encodes like TextEncoder, lone surrogates included', () => {
    for (const text of ['', 'abc', 'é', '€ 28×28', '😀 emoji', 'x\ud800y', '\udfff', 'z\u07ff\u0800\uffff']) {
      expect(Array.from(utf8Bytes(text)), JSON.stringify(text)).toEqual(Array.from(new TextEncoder().encode(text)));
    }
  });
});

describe('graphHash', () => {
  it('is sha256 of the canonical JSON of the graph document', () => {
    const graph = v1Graph();
    expect(graphHash(graph)).toBe(`sha256:${createHash('sha256').update(canonicalJson(graph)).digest('hex')}`);
  });

  it('is the same for the same graph whatever the key order', () => {
    const graph = v1Graph();
    const reordered = JSON.parse(JSON.stringify({ groups: graph.groups, edges: graph.edges, nodes: graph.nodes, metadata: graph.metadata }));
    reordered.nodes = reordered.nodes.map((n: Record<string, unknown>) => Object.fromEntries(Object.entries(n).reverse()));
    expect(graphHash(reordered)).toBe(graphHash(graph));
    expect(graphHash(v1Graph())).toBe(graphHash(graph));
  });

  it('changes with a param, and with a move (it covers the whole document)', () => {
    const graph = v1Graph();
    const base = graphHash(graph);
    const changed = structuredClone(graph) as any;
    changed.nodes[4].params.units = 11;
    expect(graphHash(changed)).not.toBe(base);
    const moved = structuredClone(graph) as any;
    moved.nodes[0].position.x += 1;
    expect(graphHash(moved)).not.toBe(base);
  });
});
