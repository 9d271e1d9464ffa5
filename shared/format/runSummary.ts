/**
 * The record of one finished (or stopped, or failed) training run, appended to a `.nbrick` file's `runs`.
 * Numbers must be finite: JSON has no NaN, so a run whose loss diverged stores `status: 'failed'` and an `error`
 * instead of non-finite metrics.
 */
import { z } from 'zod';
import { graphHashSchema } from '../contracts/evaluation';
import { runTelemetrySchema } from '../contracts/telemetry';
import { sha256HexSchema } from '../data/dataSpec';
import { datasetRefSchema } from './datasetRef';
import { trainingConfigSchema } from './trainingConfig';

export const RUN_STATUSES = ['completed', 'stopped', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const isoDateTime = z.iso.datetime({ offset: true });

export const epochMetricsSchema = z.strictObject({
  epoch: z.number().int().min(0),
  loss: z.number(),
  accuracy: z.number().optional(),
  valLoss: z.number().optional(),
  valAccuracy: z.number().optional(),
});
export type EpochMetrics = z.infer<typeof epochMetricsSchema>;

export const finalMetricsSchema = z.strictObject({
  loss: z.number(),
  accuracy: z.number().optional(),
  valLoss: z.number().optional(),
  valAccuracy: z.number().optional(),
  testLoss: z.number().optional(),
  testAccuracy: z.number().optional(),
});
export type FinalMetrics = z.infer<typeof finalMetricsSchema>;

export const runSummarySchema = z.strictObject({
  id: z.string().min(1),
  startedAt: isoDateTime,
  finishedAt: isoDateTime.optional(),
  status: z.enum(RUN_STATUSES),
  /** The backend that actually ran (`tensorflow`, `wasm`, `cpu`), not the requested `auto`. */
  backend: z.string().min(1),
  /** Data-parallel workers that trained the run (absent = 1). */
  workers: z.number().int().min(1).optional(),
  config: trainingConfigSchema,
  epochs: z.array(epochMetricsSchema),
  final: finalMetricsSchema,
  samplesPerSec: z.number().min(0),
  wallTimeMs: z.number().min(0),
  error: z.string().optional(),
  /** Which graph the run trained: `sha256:` of its canonical JSON (shared/format/graphHash.ts). Since format 2. */
  graphHash: graphHashSchema.optional(),
  /** The trained model was kept as a checkpoint (`<file>-runs/<id>/`); absent for failed runs. Since format 2. */
  checkpoint: z.literal(true).optional(),
  /**
   * The data the run trained and was tested on (its id and options: size, noise, seed, test share), so an evaluation
   * rebuilds the same test split. Absent = `config.dataset` with default options. Since format 2.
   */
  dataset: datasetRefSchema.optional(),
  /**
   * The run was one variant of an experiment ("Compare variants", `bricks experiment`): which experiment, the variant's
   * name (e.g. "no skip edges · lr 0.01") and what was changed from the document's graph. `graphHash` is then the
   * hash of the derived graph it trained. Since format 3.
   */
  variant: z
    .strictObject({
      experimentId: z.string().min(1).max(128),
      name: z.string().min(1).max(200),
      changes: z.array(z.string().min(1).max(200)).max(50),
    })
    .optional(),
  /** Early stopping ended the run: the epoch whose weights were kept (restoreBest) or the last one. Since format 3. */
  earlyStopped: z.strictObject({ bestEpoch: z.number().int().min(1), restoredBest: z.boolean() }).optional(),
  /** What the trainer measured inside the network (shared/contracts/telemetry.ts), downsampled. Since format 3. */
  telemetry: runTelemetrySchema.optional(),
  /**
   * The user data the run trained on (`config.data`): its kind and the content hash of the bytes actually read, so a
   * record still says which data it was after the file's `training.data` points elsewhere. Since format 4.
   */
  data: z.strictObject({ kind: z.enum(['table', 'imageFolder']), hash: sha256HexSchema }).optional(),
  /**
   * The run was not trained here: its checkpoint holds weights imported from another framework (`bricks import`), so
   * `epochs` is empty and `final` is not a measurement (loss 0) — evaluate the run to measure it. Since format 4.
   */
  imported: z.strictObject({ from: z.string().min(1).max(1000), format: z.enum(['tfjs-layers']) }).optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;
