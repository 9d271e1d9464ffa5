/**
 * UI responsiveness benchmark (not a test): input latency in the web app, idle and while a training run streams
 * metrics to the live charts (issue 5: "the UI stays responsive while training").
 *
 *   node --import tsx bench/uiLatency.ts [--count 30]
 *
 * Starts the web host the way e2e/fixtures.ts does (temp workspace, current renderer build), opens the spirals
 * template in the system Chromium and, once idle and once during a run (2000 epochs, stopped afterwards), performs:
 * - click-node: `--count` clicks selecting the graph's nodes on the canvas, with the Training tab (live charts) open;
 * - type-palette: `--count` keystrokes into the palette search box, Training tab open;
 * - type-inspector: `--count` keystrokes into the Inspector's Units field of a Dense (each one re-infers shapes).
 *   The side panel shows one tab at a time, so the charts are not on screen here, but run events still arrive.
 *
 * Latency of one interaction = for each of its events (pointerdown/pointerup/click, keydown/input/keyup): the time
 * from the event's timeStamp (when the browser received the input, so queueing behind a busy main thread counts) to
 * the first task after the next animation frame (≈ the paint that shows the result); the interaction takes the
 * largest, as INP does. Cross-checked with the Event Timing API (PerformanceObserver type 'event',
 * durationThreshold 16: only events slower than 16 ms are reported, rounded to 8 ms).
 * Pauses between inputs vary (60–180 ms, fixed sequence) so inputs land at different points of the metric stream.
 *
 * Output: one JSON line per phase: {bench:'ui-latency', phase, samples, medianMs, p95Ms, maxMs, byKind, eventTiming,
 * idleFrames, idleTrace, run?}. `idleFrames` = requestAnimationFrame intervals over 3 s without input (Training tab
 * open); `idleTrace` = the same 3 s in a Chromium trace: frames the compositor drew (the charts repainting) and dropped,
 * and the gaps between drawn frames (bench/frameTrace.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { prepareRendererSnapshot } from '../e2e/rendererBuild';
import { CHROMIUM_ARGS, chromiumExecutable } from '../e2e/systemChromium';
import { startHost, stopHost } from '../e2e/webHostProcess';
import { FRAME_TRACE_CATEGORIES, frameTimesFromTrace, summarizeMs } from './frameTrace';


function arg(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

interface EventSample {
  readonly interaction: number;
  readonly type: string;
  readonly latencyMs: number;
}
interface SlowEvent {
  readonly name: string;
  readonly startTime: number;
  readonly interactionId: number;
  readonly durationMs: number;
  readonly inputDelayMs: number;
}
interface Probe {
  interaction: number;
  samples: EventSample[];
  slow: SlowEvent[];
  /** performance.now() spans of the measured input loops (tab switches and set-up in between are left out). */
  windows: { start: number; end: number }[];
}

/** Installed before the app loads: per-event latency to the next frame, and the Event Timing observer. */
function installProbe(): void {
  const probe: Probe = { interaction: 0, samples: [], slow: [], windows: [] };
  (window as unknown as { __latency: Probe }).__latency = probe;
  for (const type of ['pointerdown', 'pointerup', 'click', 'keydown', 'input', 'keyup']) {
    window.addEventListener(
      type,
      (e) => {
        const interaction = probe.interaction;
        const t0 = e.timeStamp;
        // The rAF callback runs just before the frame that shows this event's DOM changes is produced; a task posted
        // from it runs after that frame's rendering work.
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => probe.samples.push({ interaction, type, latencyMs: performance.now() - t0 });
          channel.port2.postMessage(0);
        });
      },
      { capture: true },
    );
  }
  new PerformanceObserver((list) => {
    // interactionId is not in TypeScript's DOM lib yet.
    for (const entry of list.getEntries() as (PerformanceEventTiming & { interactionId?: number })[]) {
      probe.slow.push({
        name: entry.name,
        startTime: entry.startTime,
        interactionId: entry.interactionId ?? 0,
        durationMs: entry.duration,
        inputDelayMs: entry.processingStart - entry.startTime,
      });
    }
  }).observe({ type: 'event', durationThreshold: 16, buffered: false } as PerformanceObserverInit);
}

/** Fixed pseudo-random pauses so inputs are not phase-locked to the metric stream. */
function pauses(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return 60 + (s % 121);
  };
}

async function markWindow(page: Page, edge: 'start' | 'end'): Promise<void> {
  await page.evaluate((which) => {
    const p = (window as unknown as { __latency: Probe }).__latency;
    if (which === 'start') p.windows.push({ start: performance.now(), end: Infinity });
    else p.windows[p.windows.length - 1]!.end = performance.now();
  }, edge);
}

async function nextInteraction(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __latency: Probe }).__latency.interaction++;
  });
}

async function openTab(page: Page, name: 'Inspector' | 'Training'): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await page.locator(`[role="tab"][aria-selected="true"]`, { hasText: name }).waitFor();
}

type Kind = 'click-node' | 'type-palette' | 'type-inspector';

/** Runs one kind of interaction `count` times; returns the interaction ids it used. */
async function interact(page: Page, kind: Kind, count: number, pause: () => number): Promise<{ kind: Kind; first: number; last: number }> {
  const first = (await page.evaluate(() => (window as unknown as { __latency: Probe }).__latency.interaction)) + 1;
  if (kind === 'click-node') {
    await openTab(page, 'Training');
    const ids = await page.locator('.react-flow__node').evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''));
    const boxes = [];
    for (const id of ids) {
      const box = await page.locator(`.react-flow__node[data-id="${id}"] .layer-node-head`).boundingBox();
      if (box) boxes.push({ id, x: box.x + box.width / 2, y: box.y + box.height / 2 });
    }
    if (boxes.length < 2) throw new Error(`expected the template's nodes on the canvas, found ${boxes.length}`);
    await markWindow(page, 'start');
    for (let k = 0; k < count; k++) {
      const target = boxes[k % boxes.length]!;
      await nextInteraction(page);
      await page.mouse.click(target.x, target.y);
      await page.waitForTimeout(pause());
    }
    await markWindow(page, 'end');
    const selected = await page.locator('.react-flow__node.selected').getAttribute('data-id');
    if (selected !== boxes[(count - 1) % boxes.length]!.id) throw new Error(`clicks did not select nodes (selected: ${selected})`);
  } else if (kind === 'type-palette') {
    await openTab(page, 'Training');
    const search = page.getByLabel('Search layers and blocks');
    await search.click();
    await search.fill('');
    const word = 'dense';
    let expected = '';
    await markWindow(page, 'start');
    for (let k = 0; k < count; k++) {
      const step = k % (2 * word.length);
      await nextInteraction(page);
      await page.keyboard.press(step < word.length ? word[step]! : 'Backspace');
      expected = step < word.length ? expected + word[step]! : expected.slice(0, -1);
      await page.waitForTimeout(pause());
    }
    await markWindow(page, 'end');
    const typed = await search.inputValue();
    if (typed !== expected) throw new Error(`palette search reads "${typed}", expected "${expected}"`);
    await search.fill('');
  } else {
    await openTab(page, 'Inspector');
    await page.locator('.react-flow__node[data-id="h1"] .layer-node-head').click();
    const units = page.locator('.inspector [data-param="units"] input').first();
    await units.fill('64');
    await units.press('End');
    await markWindow(page, 'start');
    for (let k = 0; k < count; k++) {
      await nextInteraction(page);
      // 64 → 641 → 64 …: every keystroke is a valid width, so every one re-infers the graph's shapes.
      await page.keyboard.press(k % 2 === 0 ? '1' : 'Backspace');
      await page.waitForTimeout(pause());
    }
    await markWindow(page, 'end');
    const value = await units.inputValue();
    if (value !== (count % 2 === 0 ? '64' : '641')) throw new Error(`Units field reads ${value} after typing`);
    await units.fill('64');
    await units.blur();
  }
  const last = await page.evaluate(() => (window as unknown as { __latency: Probe }).__latency.interaction);
  return { kind, first, last };
}

/** requestAnimationFrame intervals over `ms` with no input. */
async function idleFrames(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (duration) =>
      new Promise<number[]>((resolve) => {
        const stamps: number[] = [];
        const tick = (t: number) => {
          stamps.push(t);
          if (t - stamps[0]! < duration) requestAnimationFrame(tick);
          else resolve(stamps.slice(1).map((s, i) => s - stamps[i]!));
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

async function measurePhase(page: Page, phase: 'idle' | 'training', count: number) {
  await page.evaluate(() => {
    const p = (window as unknown as { __latency: Probe }).__latency;
    p.samples = [];
    p.slow = [];
    p.windows = [];
  });
  const pause = pauses(phase === 'idle' ? 7 : 11);
  const runs = [];
  for (const kind of ['click-node', 'type-palette', 'type-inspector'] as const) runs.push(await interact(page, kind, count, pause));
  await openTab(page, 'Training');
  const browser = page.context().browser();
  await browser?.startTracing(page, { categories: FRAME_TRACE_CATEGORIES });
  const frames = await idleFrames(page, 3000);
  const traced = browser ? frameTimesFromTrace(await browser.stopTracing()) : undefined;
  await page.waitForTimeout(300); // let the last samples land
  const { samples, slow: allSlow, windows } = await page.evaluate(() => {
    const p = (window as unknown as { __latency: Probe }).__latency;
    return { samples: p.samples, slow: p.slow, windows: p.windows };
  });
  // Discrete input events (interactionId > 0: pointerdown/up, click, keydown/up) inside the measured loops.
  const slow = allSlow.filter((e) => e.interactionId > 0 && windows.some((w) => e.startTime >= w.start && e.startTime <= w.end));
  const perInteraction = new Map<number, number>();
  for (const s of samples) perInteraction.set(s.interaction, Math.max(perInteraction.get(s.interaction) ?? 0, s.latencyMs));
  const all: number[] = [];
  const byKind: Record<string, ReturnType<typeof summarizeMs>> = {};
  for (const run of runs) {
    const values: number[] = [];
    for (let id = run.first; id <= run.last; id++) {
      const v = perInteraction.get(id);
      if (v !== undefined) values.push(v);
    }
    if (values.length < run.last - run.first + 1) {
      throw new Error(`${run.kind}: only ${values.length} of ${run.last - run.first + 1} interactions produced input events`);
    }
    byKind[run.kind] = summarizeMs(values);
    all.push(...values);
  }
  const slowDurations = slow.map((e) => e.durationMs);
  return {
    bench: 'ui-latency',
    phase,
    ...summarizeMs(all),
    byKind,
    eventTiming: {
      interactionEventsOver16Ms: slow.length,
      maxDurationMs: slowDurations.length ? Math.max(...slowDurations) : 0,
      maxInputDelayMs: slow.length ? +Math.max(...slow.map((e) => e.inputDelayMs)).toFixed(2) : 0,
      slowest: [...slow]
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, 3)
        .map((e) => ({ name: e.name, durationMs: e.durationMs, inputDelayMs: +e.inputDelayMs.toFixed(2) })),
    },
    idleFrames: summarizeMs(frames),
    idleTrace: traced ? { drawnFrames: traced.drawn, droppedFrames: traced.dropped, gaps: summarizeMs(traced.frameMs) } : null,
  };
}

async function trainingState(page: Page) {
  const progress = page.getByLabel('Training progress');
  return {
    status: await progress.getAttribute('data-status'),
    progress: (await progress.textContent())?.replace(/\s+/g, ' ').trim(),
    lossPoints: Number(await page.getByLabel('Loss chart').locator('.nb-chart-plot').getAttribute('data-points')),
  };
}

async function main() {
  const count = arg('--count', 30);
  const rendererDir = prepareRendererSnapshot((line) => console.error(line));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'nb-bench-ws-'));
  const { child, handle } = await startHost(workspace, rendererDir);
  const url = handle.url;
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // tsx compiles this file with keepNames, so functions passed to the page call esbuild's `__name` helper.
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    await page.addInitScript(installProbe);
    await page.goto(url);
    await page.locator('.app').waitFor();
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.getByTestId('template-spirals').click();
    await page.locator('.react-flow__node[data-id="h1"]').waitFor();
    await page.waitForTimeout(500);

    console.log(JSON.stringify(await measurePhase(page, 'idle', count)));

    await openTab(page, 'Training');
    const epochs = page.getByLabel('Epochs');
    await epochs.fill('2000');
    await epochs.press('Enter');
    await page.getByRole('button', { name: 'Start training' }).click();
    const started = Date.now();
    while ((await trainingState(page)).lossPoints <= 5) {
      if (Date.now() - started > 60_000) throw new Error(`training did not start: ${JSON.stringify(await trainingState(page))}`);
      await page.waitForTimeout(250);
    }
    const before = await trainingState(page);
    const result = await measurePhase(page, 'training', count);
    const after = await trainingState(page);
    if (after.status !== 'running') throw new Error(`the run was not running through the measurement: ${JSON.stringify(after)}`);
    console.log(JSON.stringify({ ...result, run: { before, after } }));
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[aria-label="Training progress"][data-status="stopped"]').waitFor();
  } finally {
    await browser.close();
    await stopHost(child);
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
