/**
 * Trains the variants of an experiment (shared/experiments/variants.ts) one after another on the same data, each through
 * runTraining, and returns one RunSummary per variant tagged with the experiment, the variant's name and changes, and
 * the hash of the derived graph it trained.
 *
 * Sequential on purpose: with `workers` 2 or auto the data-parallel trainer already keeps both cores busy, so two
 * variants at once would only halve each one's speed and double peak memory.
 */
import type { DatasetRef } from '../../../shared/contracts/trainer';
import type { VariantSpec } from '../../../shared/experiments/variants';
import { graphHash, type GraphHash } from '../../../shared/format/graphHash';
import type { RunSummary } from '../../../shared/format/runSummary';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import type { RunTrainingOptions, RunTrainingResult } from '../training/runTraining';
import { newRunId, runTraining } from '../training/runTraining';
import type { TrainingCallbacks } from '../training/trainModel';
import type { TrainingControl } from '../training/trainingControl';

export interface VariantInfo {
  readonly index: number;
  readonly name: string;
  readonly changes: readonly string[];
  readonly runId: string;
}

/** What happened to one variant. `summary` is absent when its setup failed (`error` says why) or it never started. */
export interface VariantResult extends VariantInfo {
  readonly summary?: RunSummary;
  readonly error?: string;
  /** Trainable and non-trainable parameters of the derived graph. */
  readonly params: number;
  readonly graphHash: GraphHash;
  readonly wallTimeMs: number;
  /** The experiment was stopped before this variant began. */
  readonly skipped?: boolean;
}

export interface ExperimentCallbacks {
  onVariantStarted?(variant: VariantInfo): void;
  /** runTraining's callbacks for the variant at `index` (events carry no index of their own). */
  trainingCallbacks?(variant: VariantInfo): TrainingCallbacks;
  onVariantFinished?(result: VariantResult): void;
}

export interface RunExperimentOptions {
  readonly experimentId?: string;
  readonly callbacks?: ExperimentCallbacks;
  /** Stopping ends the running variant at its next batch and starts no further variant. */
  readonly control?: TrainingControl;
  /** Passed to every runTraining (telemetry, testOnStop…). */
  readonly training?: Pick<RunTrainingOptions, 'telemetry' | 'testOnStop' | 'keepModel'>;
  /** Called with each variant's result before its model is disposed (keepModel: e.g. to save a checkpoint). */
  readonly onTrained?: (variant: VariantInfo, result: RunTrainingResult) => Promise<void> | void;
}

export interface ExperimentResult {
  readonly experimentId: string;
  readonly variants: readonly VariantResult[];
  readonly stopped: boolean;
}

export function newExperimentId(): string {
  return newRunId().replace(/^run-/, 'exp-');
}

/**
 * Every variant trains on the same dataset (and options, so the same samples); its validation split and initial
 * weights follow its config's seed, so variants that share a seed share the split exactly.
 */
export async function runExperiment(
  variants: readonly VariantSpec[],
  dataset: DatasetRef | undefined,
  options: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const experimentId = options.experimentId ?? newExperimentId();
  const results: VariantResult[] = [];
  for (const [index, spec] of variants.entries()) {
    const info: VariantInfo = { index, name: spec.name, changes: spec.changes, runId: newRunId() };
    const base = { ...info, params: analyzeGraph(spec.graph).totals.params, graphHash: graphHash(spec.graph) };
    if (options.control?.stopped) {
      results.push({ ...base, wallTimeMs: 0, skipped: true });
      continue;
    }
    options.callbacks?.onVariantStarted?.(info);
    const started = Date.now();
    let result: VariantResult;
    try {
      const callbacks = options.callbacks?.trainingCallbacks?.(info);
      const trained = await runTraining(spec.graph, dataset, spec.config, {
        runId: info.runId,
        ...(callbacks ? { callbacks } : {}),
        ...(options.control ? { control: options.control } : {}),
        ...options.training,
      });
      try {
        const summary: RunSummary = {
          ...trained.summary,
          variant: { experimentId, name: spec.name, changes: [...spec.changes] },
        };
        await options.onTrained?.(info, { ...trained, summary });
        result = { ...base, summary, wallTimeMs: summary.wallTimeMs, ...(trained.failure ? { error: trained.failure.reason } : {}) };
      } finally {
        trained.model?.dispose();
      }
    } catch (err) {
      result = { ...base, error: err instanceof Error ? err.message : String(err), wallTimeMs: Date.now() - started };
    }
    results.push(result);
    options.callbacks?.onVariantFinished?.(result);
  }
  return { experimentId, variants: results, stopped: options.control?.stopped ?? false };
}
