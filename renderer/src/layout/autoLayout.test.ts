import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import { layoutPositions } from './autoLayout';
import { buildDeepChain } from '../../../shared/inference/buildGraph';
import { MAX_NODES } from '../../../shared/format/loadGraphFile';

const NODE = { width: 190, height: 76 };
/** The canvas pane at 1366×768 once the palette, inspector, toolbar and summary bar take their share. */
const PANE = { width: 826, height: 696 };
const examples = new URL('../../../examples/', import.meta.url);

describe('layoutPositions on the example graphs', () => {
  for (const name of readdirSync(examples).filter((f) => f.endsWith('.nbrick'))) {
    it(`${name}: wraps into a shape that fits a small laptop's canvas at a readable zoom, without overlaps`, async () => {
      const loaded = loadGraphFile(readFileSync(new URL(name, examples), 'utf8'));
      if (!loaded.ok) throw new Error(loaded.error.message);
      const doc = loaded.file.graph;
      const positions = await layoutPositions(doc, () => NODE);
      expect(positions.size).toBe(doc.nodes.length);
      const boxes = [...positions.values()];
      const width = Math.max(...boxes.map((p) => p.x)) + NODE.width - Math.min(...boxes.map((p) => p.x));
      const height = Math.max(...boxes.map((p) => p.y)) + NODE.height - Math.min(...boxes.map((p) => p.y));
      // Fit-view zoom with 15% padding; below ~0.45 layer text is too small to read.
      const zoom = Math.min(PANE.width / (width * 1.15), PANE.height / (height * 1.15));
      expect(zoom, `${width}×${height}`).toBeGreaterThanOrEqual(0.45);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i]!, boxes[j]!];
          const overlap = Math.abs(a.x - b.x) < NODE.width && Math.abs(a.y - b.y) < NODE.height;
          expect(overlap, `${JSON.stringify(a)} and ${JSON.stringify(b)}`).toBe(false);
        }
      }
    });
  }
});

describe('layoutPositions on a graph as deep as the loader allows', () => {
  it(`places every node of a ${MAX_NODES}-node chain`, async () => {
    const doc = buildDeepChain(MAX_NODES);
    const positions = await layoutPositions(doc, () => NODE);
    expect(positions.size).toBe(MAX_NODES);
    for (const p of positions.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  }, 120_000);
});
