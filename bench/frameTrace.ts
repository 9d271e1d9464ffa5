/**
 * Frame times from a Chromium performance trace, as the DevTools Performance panel sees them: the compositor of the
 * page's renderer emits one `DrawFrame` event per frame it draws (category disabled-by-default-devtools.timeline.frame),
 * so the gaps between consecutive DrawFrames of one layer tree are the frame durations.
 *
 *   await browser.startTracing(page, { categories: FRAME_TRACE_CATEGORIES });
 *   … interact …
 *   const frames = frameTimesFromTrace(await browser.stopTracing());
 */

/** Categories that hold the compositor's frame events (plus main-thread timeline events for reading the trace later). */
export const FRAME_TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline.frame'];

interface TraceEvent {
  readonly name?: string;
  readonly ph?: string;
  readonly pid?: number;
  readonly ts?: number;
  readonly args?: { readonly layerTreeId?: number };
}

export interface TraceFrames {
  /** DrawFrame events of the page's layer tree. */
  readonly drawn: number;
  /** Milliseconds between consecutive drawn frames, in trace order. */
  readonly frameMs: number[];
  /** DroppedFrame events on the same layer tree (frames the compositor gave up on). */
  readonly dropped: number;
}

/**
 * Parses the JSON trace Playwright's `browser.stopTracing()` returns. Picks the (process, layer tree) that drew the
 * most frames — the page under test; other layer trees (e.g. a headless browser UI) draw rarely or not at all.
 */
export function frameTimesFromTrace(trace: Buffer | string): TraceFrames {
  const parsed = JSON.parse(typeof trace === 'string' ? trace : trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const draws = new Map<string, number[]>();
  const dropped = new Map<string, number>();
  for (const e of events) {
    if (e.ts === undefined || (e.name !== 'DrawFrame' && e.name !== 'DroppedFrame')) continue;
    const key = `${e.pid}:${e.args?.layerTreeId ?? '?'}`;
    if (e.name === 'DrawFrame') {
      const list = draws.get(key) ?? [];
      list.push(e.ts);
      draws.set(key, list);
    } else dropped.set(key, (dropped.get(key) ?? 0) + 1);
  }
  let best: [string, number[]] | undefined;
  for (const entry of draws) if (!best || entry[1].length > best[1].length) best = entry;
  if (!best) return { drawn: 0, frameMs: [], dropped: 0 };
  const ts = [...best[1]].sort((a, b) => a - b);
  // Trace timestamps are microseconds.
  return { drawn: ts.length, frameMs: ts.slice(1).map((t, i) => (t - ts[i]!) / 1000), dropped: dropped.get(best[0]) ?? 0 };
}

/** median / p95 / max of a list of durations, rounded to 0.01 ms. */
export function summarizeMs(values: readonly number[]): { samples: number; medianMs: number; p95Ms: number; maxMs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  const round = (v: number) => +v.toFixed(2);
  return { samples: sorted.length, medianMs: round(q(0.5)), p95Ms: round(q(0.95)), maxMs: round(sorted[sorted.length - 1] ?? NaN) };
}
