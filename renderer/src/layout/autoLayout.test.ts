/**
 * Layout quality over every example file — the templates of the New dialog are these files, so this is also every
 * template: the positions saved in the file (what opens) and what Auto layout computes, in both directions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphFile, MAX_NODES } from '../../../shared/format/loadGraphFile';
import type { GraphDocument } from '../../../shared/document/model';
import { buildDeepChain } from '../../../shared/inference/buildGraph';
import { getLayerSpec } from '../../../shared/catalog/registry';
import { findSkipEdges } from '../canvas/skipEdges';
import { FALLBACK_NODE_SIZE, layoutPositions, mainPathEdges, type LayoutDirection } from './autoLayout';
import { drawnGraph, layoutQuality } from './layoutQuality';
import { MIN_OPEN_ZOOM, openViewport } from './openViewport';

/** What a layer measures in Chromium (172×65, see scripts/layout-examples.ts), rounded up. */
const NODE = FALLBACK_NODE_SIZE;
/** The canvas pane of a 1280×800 window with the default side panels (measured by e2e/layout.spec.ts). */
const PANE = { width: 740, height: 728 };
const examples = new URL('../../../examples/', import.meta.url);
const names = readdirSync(examples).filter((f) => f.endsWith('.nbrick')).sort();

/** Crossings allowed per example; the branchy ones need a few where branches merge into Concatenate / Add. */
const MAX_CROSSINGS: Record<string, number> = { 'resnet-mini.nbrick': 0 };
const DEFAULT_MAX_CROSSINGS = 2;

function load(name: string): GraphDocument {
  const loaded = loadGraphFile(readFileSync(new URL(name, examples), 'utf8'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.file.graph;
}

const skipsOf = (doc: GraphDocument) => findSkipEdges(doc, (type) => (getLayerSpec(type)?.inputs.max ?? 1) > 1);

function measure(doc: GraphDocument, positions: ReadonlyMap<string, { x: number; y: number }>, direction: LayoutDirection) {
  const drawn = drawnGraph(doc, positions, () => NODE, skipsOf(doc), direction);
  const quality = layoutQuality(doc, drawn);
  return { drawn, quality, zoom: openViewport(quality.bounds, PANE, direction).zoom };
}

describe('the example files as saved (what a template opens as)', () => {
  for (const name of names) {
    it(`${name}: no overlaps, no edge through a layer, few crossings, readable at open`, () => {
      const doc = load(name);
      const { quality, zoom } = measure(doc, new Map(), 'DOWN');
      console.info(`${name}: zoom at open ${zoom.toFixed(2)}, crossings ${quality.crossings}, ${quality.bounds.width}×${quality.bounds.height}`);
      expect(quality.overlaps).toEqual([]);
      expect(quality.edgesThroughNodes).toEqual([]);
      expect(quality.crossings).toBeLessThanOrEqual(MAX_CROSSINGS[name] ?? DEFAULT_MAX_CROSSINGS);
      expect(zoom).toBeGreaterThanOrEqual(MIN_OPEN_ZOOM);
      // Saved laid out top to bottom: every edge but skips goes down.
      const skips = skipsOf(doc);
      const y = new Map(doc.nodes.map((n) => [n.id, n.position.y]));
      for (const e of doc.edges) if (!skips.has(e.id)) expect(y.get(e.target)!, e.id).toBeGreaterThan(y.get(e.source)!);
    });
  }
});

describe('layoutPositions on the example graphs', () => {
  for (const direction of ['DOWN', 'RIGHT'] as const) {
    for (const name of names) {
      it(`${name} ${direction}: no overlaps, no edge through a layer, few crossings`, async () => {
        const doc = load(name);
        const positions = await layoutPositions(doc, () => NODE, { x: 0, y: 0 }, direction);
        expect(positions.size).toBe(doc.nodes.length);
        const { quality } = measure(doc, positions, direction);
        expect(quality.overlaps).toEqual([]);
        expect(quality.edgesThroughNodes).toEqual([]);
        expect(quality.crossings).toBeLessThanOrEqual(MAX_CROSSINGS[name] ?? DEFAULT_MAX_CROSSINGS);
      });
    }
  }

  it('keeps the main path of ResNet-mini in one straight line, with each skip beside its branch', async () => {
    const doc = load('resnet-mini.nbrick');
    for (const direction of ['DOWN', 'RIGHT'] as const) {
      const positions = await layoutPositions(doc, () => NODE, { x: 0, y: 0 }, direction);
      const main = mainPathEdges(doc.nodes.map((n) => n.id), doc.edges);
      const onPath = new Set(doc.edges.filter((e) => main.has(e.id)).flatMap((e) => [e.source, e.target]));
      expect(onPath.size).toBeGreaterThan(doc.nodes.length / 2);
      const across = new Set([...onPath].map((id) => (direction === 'DOWN' ? positions.get(id)!.x : positions.get(id)!.y)));
      expect([...across], direction).toHaveLength(1);
      for (const skip of skipsOf(doc)) expect(main.has(skip)).toBe(false);
    }
  });

  it('lays an 8-layer chain out as one straight column, not wrapped', async () => {
    const doc = buildDeepChain(8);
    const positions = await layoutPositions(doc, () => NODE);
    expect(new Set([...positions.values()].map((p) => p.x)).size).toBe(1);
    const ys = doc.nodes.map((n) => positions.get(n.id)!.y);
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThan(ys[i - 1]!);
  });
});

describe('layoutPositions on a graph as deep as the loader allows', () => {
  it(`places every node of a ${MAX_NODES}-node chain`, async () => {
    const doc = buildDeepChain(MAX_NODES);
    const positions = await layoutPositions(doc, () => NODE);
    expect(positions.size).toBe(MAX_NODES);
    for (const p of positions.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  }, 120_000);
});
