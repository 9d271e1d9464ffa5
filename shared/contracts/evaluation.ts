/**
 * The evaluation contract (issue 13): what the renderer, the hosts, the trainer and the CLI say to each other about a
 * trained run's *kept* model — its checkpoint. Plain data with zod schemas, like the rest of shared/contracts.
 *
 * Where a checkpoint lives (documented in docs/file-format.md):
 * - beside a saved graph file: `<file>.nbrick-runs/<runId>/` holding `model.json`, `weights.bin` (tfjs layers format)
 *   and `checkpoint.json` ({@link checkpointMetaSchema});
 * - before the graph is saved: in the host's private state folder (`<state>/checkpoints/<runId>/`, same three files),
 *   copied beside the file by the next Save / Save As.
 * A run record says it has a checkpoint (`checkpoint: true`) and which graph it trained (`graphHash`); the files
 * themselves are never inside the `.nbrick`, so the graph file stays small and diffable.
 */
import { z } from 'zod';

/** Folder beside `name.nbrick` that holds its runs' checkpoints. */
export const CHECKPOINT_FOLDER_SUFFIX = '-runs';
export const CHECKPOINT_META_FILE = 'checkpoint.json';
/** Checkpoints kept per file when the file does not say (newest runs first). */
export const DEFAULT_KEEP_CHECKPOINTS = 3;

const runIdSchema = z.string().min(1).max(128);

/** `sha256:<64 hex>` of the canonical JSON of the graph document a run trained (see shared/format/graphHash.ts). */
export const graphHashSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>');

/** `checkpoint.json`: enough to tell, without loading weights, whether a checkpoint belongs to a run and is whole. */
export const checkpointMetaSchema = z.strictObject({
  format: z.literal('neural-bricks/checkpoint'),
  formatVersion: z.literal(1),
  runId: runIdSchema,
  graphHash: graphHashSchema,
  createdAt: z.iso.datetime({ offset: true }),
  /** Byte size and sha256 of each file beside it, so a truncated or altered weights.bin is found before loading. */
  files: z.array(z.strictObject({ name: z.string().min(1).max(64), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;

/** What opening a file found for each run that claims a checkpoint. */
export const checkpointStatusSchema = z.enum(['ok', 'missing', 'damaged']);
export type CheckpointStatus = z.infer<typeof checkpointStatusSchema>;
export interface CheckpointReport {
  readonly runId: string;
  readonly status: CheckpointStatus;
  /** Why, for `missing` / `damaged`: shown as a warning, never blocks opening the graph. */
  readonly reason?: string;
}

/** Which run to evaluate: `path` is the open file's host path (null for a graph never saved: the pending store). */
export const evaluateRunRequestSchema = z.strictObject({
  runId: runIdSchema,
  path: z.string().min(1).max(4096).nullable(),
  /** How many misclassified samples to return at most (most confident mistakes first). */
  maxMistakes: z.number().int().min(0).max(1000).optional(),
});
export type EvaluateRunRequest = z.infer<typeof evaluateRunRequestSchema>;

/** Inputs for "Try it": `shape` is per sample (no batch dimension), `values` row-major, batch × prod(shape). */
export const predictRequestSchema = z.strictObject({
  runId: runIdSchema,
  path: z.string().min(1).max(4096).nullable(),
  shape: z.array(z.number().int().min(1)).min(1).max(4),
  values: z.array(z.number()).min(1).max(1_000_000),
});
export type PredictRequest = z.infer<typeof predictRequestSchema>;
export interface PredictResult {
  /** Row-major batch × outputWidth (softmax probabilities for a classifier). */
  readonly outputs: number[];
  readonly outputWidth: number;
}
