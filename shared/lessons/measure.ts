/** Reading the numbers a lesson's conclusion is built from out of run summaries. */
import type { RunSummary } from '../format/runSummary';
import type { LessonVariantResult } from './types';

/** Validation accuracy when the run had a validation split, else test, else training accuracy. */
export function finalAccuracy(summary: RunSummary | undefined): number | undefined {
  if (!summary || summary.status === 'failed') return undefined;
  const f = summary.final;
  return f.valAccuracy ?? f.testAccuracy ?? f.accuracy;
}

/** Validation loss when there is one, else training loss; undefined for a failed (diverged) run. */
export function finalLoss(summary: RunSummary | undefined): number | undefined {
  if (!summary || summary.status === 'failed') return undefined;
  return summary.final.valLoss ?? summary.final.loss;
}

export function findResult(results: readonly LessonVariantResult[], name: string): LessonVariantResult | undefined {
  return results.find((r) => r.name === name);
}

/** A trained run (not failed, not missing). */
export function trained(result: LessonVariantResult | undefined): boolean {
  return result?.summary !== undefined && result.summary.status !== 'failed';
}

/** "94 %" — or "diverged" / "did not run" so a sentence still reads when a variant has no accuracy. */
export function describeAccuracy(result: LessonVariantResult | undefined): string {
  if (!result?.summary) return result?.error ? `did not run (${result.error})` : 'did not run';
  if (result.summary.status === 'failed') return 'diverged';
  const acc = finalAccuracy(result.summary);
  return acc === undefined ? 'no accuracy' : `${percent(acc)} validation accuracy`;
}

export function percent(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/**
 * Mean of the last recorded dead-unit fraction over the given nodes (ReLU-family outputs), from the run's telemetry;
 * undefined when the run kept no telemetry for them.
 */
export function lastDeadFraction(summary: RunSummary | undefined, nodeIds: readonly string[]): number | undefined {
  const telemetry = summary?.telemetry;
  if (!telemetry) return undefined;
  const values: number[] = [];
  for (const id of nodeIds) {
    const series = telemetry.nodes[id]?.deadFraction;
    if (!series) continue;
    for (let i = series.length - 1; i >= 0; i--) {
      const v = series[i];
      if (v !== null && v !== undefined) {
        values.push(v);
        break;
      }
    }
  }
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Edge checks for steps: does an edge source → target exist (any port)? */
export function hasEdge(doc: { readonly edges: readonly { readonly source: string; readonly target: string }[] }, source: string, target: string): boolean {
  return doc.edges.some((e) => e.source === source && e.target === target);
}
