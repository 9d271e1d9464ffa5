/**
 * Canvas benchmark (not a test): a generated 500-node graph opened in Chromium through the web host.
 *
 *   node --import tsx bench/canvas.ts [--nodes 500] [--drag-ms 2000] [--overlay]
 *
 * Measures, in the page:
 * - openMs: replaceFile → two animation frames later (graph analysed, mapped and painted);
 * - drag: a node dragged for `--drag-ms` with the mouse; frame times from requestAnimationFrame timestamps
 *   (median, p95, max) — every frame re-derives flow nodes from the document and commits a move; `drag.trace` gives the
 *   same drag's frame times from a Chromium performance trace (gaps between the compositor's DrawFrame events, as the
 *   DevTools Performance panel counts frames; see bench/frameTrace.ts);
 * - paramEditMs: a Dense `units` edit through the store → the downstream edge label showing the new shape
 *   (re-inference + re-render), median of 10.
 * With `--overlay` the same measures run a second time with the inside view on (gradient flow: every layer coloured,
 * with a sparkline; edges scaled) over a run carrying synthetic telemetry for every layer: `overlayOn` beside the plain
 * numbers, plus `telemetryUpdateMs`: a newer run's telemetry → the nodes showing its values (median of 3). That time
 * includes everything else a new run record sets off (run history, the Insight panel, autosave of a file that grows by
 * a 500-layer telemetry record each time), so it is an upper bound for one live telemetry update.
 * Output: one JSON object on stdout.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import type { GraphDocument, GraphEdge, GraphNode } from '../shared/document/model';
import type { RunSummary } from '../shared/format/runSummary';
import type { RunTelemetry } from '../shared/contracts/telemetry';
import { FRAME_TRACE_CATEGORIES, frameTimesFromTrace, summarizeMs } from './frameTrace';
import { CHROMIUM_ARGS, chromiumExecutable } from '../e2e/systemChromium';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** A residual MLP: Input → [Dense → Dropout → Dense → Add(skip)] × k → Output, laid out in rows. */
export function generateGraph(target: number): GraphDocument {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const perRow = 12;
  const place = (i: number) => ({ x: (i % perRow) * 240, y: Math.floor(i / perRow) * 140 });
  const add = (type: string, params: GraphNode['params']) => {
    const id = `n${nodes.length}`;
    nodes.push({ id, type, params, position: place(nodes.length) });
    return id;
  };
  const link = (source: string, target: string) => edges.push({ id: `e${edges.length}`, source, target, targetPort: 0 });
  let last = add('Input', { kind: 'vector', size: 64 });
  while (nodes.length + 5 <= target) {
    const a = add('Dense', { units: 64, activation: 'relu' });
    const d = add('Dropout', { rate: 0.1 });
    const b = add('Dense', { units: 64, activation: 'linear' });
    const sum = add('Add', {});
    link(last, a);
    link(a, d);
    link(d, b);
    link(b, sum);
    link(last, sum);
    last = sum;
  }
  while (nodes.length < target - 1) {
    const x = add('Activation', { activation: 'relu' });
    link(last, x);
    last = x;
  }
  const out = add('Output', { task: 'classification', units: 10 });
  link(last, out);
  return { metadata: { name: `bench ${target}` }, nodes, edges, groups: [] };
}

/** Telemetry points per layer in the synthetic run (a long run's recorded maximum). */
const TELEMETRY_POINTS = 256;

/** A finished run whose telemetry has every signal a Dense layer gets, for every Dense node, shifted by `phase`. */
export function syntheticRun(graph: GraphDocument, phase = 0): RunSummary {
  const steps = Array.from({ length: TELEMETRY_POINTS }, (_, k) => 1 + k * 4);
  const nodes: RunTelemetry['nodes'] = {};
  graph.nodes.forEach((n, i) => {
    if (n.type !== 'Dense' && n.type !== 'Output') return;
    const wave = (k: number, f: number) => 1 + 0.3 * Math.sin((k + phase + i) / f);
    nodes[n.id] = {
      gradNorm: steps.map((_, k) => 10 ** (-4 + (3 * i) / graph.nodes.length) * wave(k, 7)),
      weightNorm: steps.map((_, k) => 4 * wave(k, 50)),
      updateRatio: steps.map((_, k) => 1e-3 * wave(k, 11)),
      activationMean: steps.map((_, k) => 0.3 * wave(k, 13)),
      activationStd: steps.map((_, k) => 0.8 * wave(k, 17)),
      deadFraction: steps.map((_, k) => 0.1 * wave(k, 19)),
    };
  });
  const config = { dataset: 'xor', optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 1, validationSplit: 0.2, shuffle: true, seed: 42 } as const;
  return {
    id: `bench-${phase}`,
    startedAt: '2026-12-01T10:00:00.000Z',
    status: 'completed',
    backend: 'cpu',
    config,
    epochs: [],
    final: { loss: 0.5 },
    samplesPerSec: 1,
    wallTimeMs: 1,
    telemetry: { batchesPerEpoch: 64, steps, nodes },
  };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function startHost(rendererDir: string, workspace: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'electron/host/main.ts'), '--port', '0', '--workspace', workspace, '--no-open', '--renderer', rendererDir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`web host exited (${code}):\n${output}`)));
  });
  return { child, url };
}

async function measure(page: Page, graph: GraphDocument, dragMs: number, overlay = false) {
  const openMs = await page.evaluate(
    async ({ g, runs }) => {
      const nb = (window as unknown as { __neuralBricks: { documentStore: { getState(): { replaceFile(f: unknown): void } } } }).__neuralBricks;
      const t0 = performance.now();
      nb.documentStore.getState().replaceFile({ graph: g, runs });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - t0;
    },
    { g: graph, runs: overlay ? [syntheticRun(graph)] : [] },
  );
  await page.getByTestId('overlay-switch').selectOption(overlay ? 'gradients' : 'off');
  await page.waitForTimeout(1000); // let the fit-view settle
  if (overlay && (await page.locator('.layer-node.has-overlay').count()) === 0) throw new Error('the overlay coloured no node');
  // Zoom in (about the centre) until nodes are drawn at roughly their real size, as when someone works on them.
  for (let k = 0; k < 20; k++) {
    const width = await page.evaluate(() => document.querySelector('.react-flow__node')?.getBoundingClientRect().width ?? 0);
    if (width > 150) break;
    await page.locator('.react-flow__controls-zoomin').click();
    await page.waitForTimeout(120);
  }
  await page.waitForTimeout(300);

  if (process.env.NB_BENCH_SHOT) await page.screenshot({ path: process.env.NB_BENCH_SHOT });
  // The first Dense of a block (n1, n5, n9, …) nearest the centre of the view; its outgoing edge is e(5j+1).
  const block = await page.evaluate(() => {
    const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
    const cx = pane.left + pane.width / 2;
    const cy = pane.top + pane.height / 2;
    let best = { j: 0, d: Infinity };
    for (const el of document.querySelectorAll('.react-flow__node')) {
      const m = /^n(\d+)$/.exec(el.getAttribute('data-id') ?? '');
      if (!m || Number(m[1]) % 4 !== 1) continue;
      const r = el.getBoundingClientRect();
      const d = Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy);
      if (d < best.d) best = { j: (Number(m[1]) - 1) / 4, d };
    }
    return best.j;
  });
  const denseId = `n${1 + 4 * block}`;
  const edgeId = `e${5 * block + 1}`;
  const box = await page.locator(`.react-flow__node[data-id="${denseId}"] .layer-node-head`).boundingBox();
  if (!box) throw new Error(`node ${denseId} is not visible`);
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    const tick = (t: number) => {
      w.__frames.push(t);
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const gx = box.x + box.width / 2;
  const gy = box.y + box.height / 2;
  await page.mouse.move(gx, gy);
  const browser = page.context().browser();
  await browser?.startTracing(page, { categories: FRAME_TRACE_CATEGORIES });
  await page.mouse.down();
  const start = Date.now();
  let i = 0;
  while (Date.now() - start < dragMs) {
    i++;
    await page.mouse.move(gx + Math.sin(i / 10) * 150, gy + (1 - Math.cos(i / 13)) * 80);
  }
  // Dropped where it started: where the path ends depends on how many moves fit in the time, and a node dropped next
  // to its successor hides the edge label the edit measure below reads.
  await page.mouse.move(gx, gy);
  await page.mouse.up();
  const traced = browser ? frameTimesFromTrace(await browser.stopTracing()) : undefined;
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames;
  });
  const deltas = frames.slice(1).map((t, k) => t - frames[k]!).sort((a, b) => a - b);
  const undoDepth = await page.evaluate(
    () => (window as unknown as { __neuralBricks: { documentStore: { getState(): { past: unknown[] } } } }).__neuralBricks.documentStore.getState().past.length,
  );

  // Param edit → shape on the downstream edge of the Dense just dragged.
  const edits: number[] = [];
  for (let k = 0; k < 10; k++) {
    const units = 65 + k;
    edits.push(
      await page.evaluate(async ({ u, denseId, edgeId }) => {
        type Doc = { nodes: { id: string; params: Record<string, unknown> }[] };
        const store = (window as unknown as { __neuralBricks: { documentStore: { getState(): { edit(r: (d: Doc) => Doc): void } } } }).__neuralBricks.documentStore;
        // The shape is the label's first word (the inside view may add the activation scale after it).
        const label = () => document.querySelector(`[data-testid="edge-label-${edgeId}"]`)?.textContent?.split(' ')[0];
        const t0 = performance.now();
        store.getState().edit((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === denseId ? { ...n, params: { ...n.params, units: u } } : n)) }));
        const want = `[${u}]`;
        while (label() !== want) {
          await new Promise((r) => requestAnimationFrame(r));
          if (performance.now() - t0 > 5000) throw new Error(`edge label stayed ${label()}`);
        }
        return performance.now() - t0;
      }, { u: units, denseId, edgeId }),
    );
  }
  edits.sort((a, b) => a - b);

  // Newer telemetry → the dragged Dense's sparkline value shows it (colours, sparklines and edges of every layer redone).
  const updates: number[] = [];
  for (let phase = 1; overlay && phase <= 3; phase++) {
    const run = syntheticRun(graph, phase * 40);
    updates.push(
      await page.evaluate(
        async ({ run, denseId }) => {
          const store = (window as unknown as { __neuralBricks: { documentStore: { getState(): { addRun(r: unknown): void } } } }).__neuralBricks.documentStore;
          const value = () => document.querySelector(`[data-testid="node-insight-${denseId}"]`)?.getAttribute('data-value');
          const before = value();
          const t0 = performance.now();
          store.getState().addRun(run);
          while (value() === before) {
            await new Promise((r) => requestAnimationFrame(r));
            if (performance.now() - t0 > 10_000) throw new Error('the overlay did not show the new telemetry');
          }
          return performance.now() - t0;
        },
        { run, denseId },
      ),
    );
  }
  updates.sort((a, b) => a - b);
  return {
    ...(overlay ? { overlay: 'gradients', telemetryUpdateMs: { median: +quantile(updates, 0.5).toFixed(1), max: +(updates[updates.length - 1] ?? NaN).toFixed(1) } } : {}),
    openMs: Math.round(openMs),
    drag: {
      durationMs: dragMs,
      mouseMoves: i,
      frames: deltas.length,
      medianFrameMs: +quantile(deltas, 0.5).toFixed(2),
      p95FrameMs: +quantile(deltas, 0.95).toFixed(2),
      maxFrameMs: +(deltas[deltas.length - 1] ?? NaN).toFixed(2),
      undoStepsAfterDrag: undoDepth,
      trace: traced ? { ...summarizeMs(traced.frameMs), droppedFrames: traced.dropped } : null,
    },
    paramEditToShapeMs: { median: +quantile(edits, 0.5).toFixed(1), max: +(edits[edits.length - 1] ?? NaN).toFixed(1) },
  };
}

async function main() {
  const nodes = arg('--nodes', 500);
  const overlay = process.argv.includes('--overlay');
  const dragMs = arg('--drag-ms', 2000);
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'nb-bench-renderer-'));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'nb-bench-ws-'));
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', rendererDir, '--emptyOutDir'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const { child, url } = await startHost(rendererDir, workspace);
  const browser = await chromium.launch({
    executablePath: chromiumExecutable(),
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    // tsx compiles this file with keepNames, so functions passed to page.evaluate call esbuild's `__name` helper.
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    await page.goto(`${url}&nbDebug=1`);
    await page.locator('.react-flow__pane').waitFor();
    const graph = generateGraph(nodes);
    const result = await measure(page, graph, dragMs);
    const overlayOn = overlay ? { overlayOn: await measure(page, graph, dragMs, true) } : {};
    console.log(JSON.stringify({ bench: 'canvas', nodes: graph.nodes.length, edges: graph.edges.length, viewport: '1366x768', ...result, ...overlayOn }, null, 2));
  } finally {
    await browser.close();
    child.kill('SIGINT');
    rmSync(rendererDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
