/**
 * Looking inside a network without training it further: signal propagation at initialisation (Brock, De & Smith
 * 2021) and a slice of the loss landscape around trained weights (Li et al. 2018). Plain data with zod schemas, shared
 * by the renderer, the hosts, the trainer and the CLI like the rest of shared/contracts.
 *
 * Numbers that overflowed (an exploding network, a loss far from the minimum) travel as `null`: JSON has no Infinity.
 */
import { z } from 'zod';
import { graphDocumentSchema } from '../format/graphFileSchema';
import { trainingConfigSchema } from '../format/trainingConfig';
import { datasetRefSchema } from '../format/datasetRef';

const runIdSchema = z.string().min(1).max(128);
const finiteOrNull = z.number().nullable();
/** A renderer-chosen handle for a long computation: progress events carry it, and cancelling names it. */
export const insightJobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'job id: 1–64 letters, digits, _ or -');

// ---------------------------------------------------------------------------------------------------------------
// Signal propagation at initialisation

/**
 * Samples in the one batch sent through the fresh network: the first ones of the first epoch's seeded training order
 * (exactly the samples training would see first). A fixed size, not the training batch size, so the statistics of a
 * run that trains on batches of 16 are still estimated from enough samples; fewer when the training split is smaller.
 */
export const DEFAULT_SIGNAL_SAMPLES = 256;
export const MAX_SIGNAL_SAMPLES = 2048;

/** One graph node's output at initialisation; channels are the last axis, statistics over batch and positions. */
export const signalNodeSchema = z.strictObject({
  nodeId: z.string().min(1),
  type: z.string().min(1),
  /** The tfjs layer whose output this is (the node's last). */
  layer: z.string().min(1),
  /** Output shape without the batch dimension. */
  shape: z.array(z.number().int().min(0)),
  channels: z.number().int().min(1),
  /** Mean over channels of (mean over batch and positions of the channel)². */
  avgSquaredMean: finiteOrNull,
  /** Mean over channels of the channel's variance over batch and positions. */
  avgVariance: finiteOrNull,
});
export type SignalNode = z.infer<typeof signalNodeSchema>;

export const signalPropagationSchema = z.strictObject({
  datasetId: z.string().min(1),
  samples: z.number().int().min(1),
  seed: z.number().int().min(0),
  backend: z.string().min(1),
  elapsedMs: z.number().min(0),
  /** Nodes with an output, in topological (depth) order from the Input to the Output. */
  nodes: z.array(signalNodeSchema),
});
export type SignalPropagation = z.infer<typeof signalPropagationSchema>;

/** The graph as it is on the canvas with its training settings; `dataset` defaults to the one the config names. */
export const signalPropagationRequestSchema = z.strictObject({
  graph: graphDocumentSchema,
  config: trainingConfigSchema,
  dataset: datasetRefSchema.optional(),
  samples: z.number().int().min(1).max(MAX_SIGNAL_SAMPLES).optional(),
  /** The open file (null: not saved yet), so a relative `config.data.path` (the user's own data) resolves beside it. */
  path: z.string().min(1).max(4096).nullable().optional(),
});
export type SignalPropagationRequest = z.infer<typeof signalPropagationRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Loss landscape slice

/**
 * Defaults sized so a slice of the MNIST CNN finishes well within 30 s on 2 cores with the wasm backend, even on a
 * busy machine: 1 + 41 + 21² = 483 evaluations of 256 samples took 10.8 s for examples/lenet.nbrick (wasm, 1 thread,
 * with another job running); 25×25 took 12–22 s, up to 28.5 s wall under heavy load — too close to the bar.
 * Odd sizes so the line and grid pass through the trained weights.
 */
export const LANDSCAPE_DEFAULTS = Object.freeze({ samples: 256, range: 1, lineSteps: 41, gridSize: 21, seed: 1 });
export const MAX_LANDSCAPE_SAMPLES = 4096;
export const MAX_LANDSCAPE_LINE_STEPS = 401;
export const MAX_LANDSCAPE_GRID_SIZE = 101;

export const landscapeOptionsSchema = z.strictObject({
  /** Seeds the evaluation batch and both directions: the same seed gives the same slice. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** Training samples in the fixed evaluation batch. */
  samples: z.number().int().min(1).max(MAX_LANDSCAPE_SAMPLES).optional(),
  /** Offsets run from −range to +range along each direction (1 = one filter norm). */
  range: z.number().positive().max(100).optional(),
  /** Points on the 1-D line, ends included. */
  lineSteps: z.number().int().min(2).max(MAX_LANDSCAPE_LINE_STEPS).optional(),
  /** Points per side of the 2-D grid (0 skips the grid). */
  gridSize: z.union([z.literal(0), z.number().int().min(2).max(MAX_LANDSCAPE_GRID_SIZE)]).optional(),
});
export type LandscapeOptions = z.infer<typeof landscapeOptionsSchema>;

export const lossLandscapeSchema = z.strictObject({
  runId: runIdSchema,
  datasetId: z.string().min(1),
  samples: z.number().int().min(1),
  seed: z.number().int().min(0),
  range: z.number().positive(),
  backend: z.string().min(1),
  /** The loss at the trained weights (offset 0, 0). */
  centerLoss: finiteOrNull,
  /** Along direction 1: losses[i] at offset alphas[i]. */
  line: z.strictObject({ alphas: z.array(z.number()), losses: z.array(finiteOrNull) }),
  /** Row-major: losses[j * alphas.length + i] at (alphas[i], betas[j]). Empty when the grid was skipped. */
  grid: z.strictObject({ alphas: z.array(z.number()), betas: z.array(z.number()), losses: z.array(finiteOrNull) }),
  /** Parameters moved by the directions (kernels); biases and normalisation parameters stay put. */
  directionParams: z.number().int().min(0),
  elapsedMs: z.number().min(0),
});
export type LossLandscape = z.infer<typeof lossLandscapeSchema>;

/** Which run (as evaluateRun names it: `path` is the open file, null for a graph not saved yet) and how to slice. */
export const lossLandscapeRequestSchema = z.strictObject({
  runId: runIdSchema,
  path: z.string().min(1).max(4096).nullable(),
  jobId: insightJobIdSchema,
  options: landscapeOptionsSchema.optional(),
});
export type LossLandscapeRequest = z.infer<typeof lossLandscapeRequestSchema>;

export const cancelInsightRequestSchema = z.strictObject({ jobId: insightJobIdSchema });
export type CancelInsightRequest = z.infer<typeof cancelInsightRequestSchema>;

/** Progress of a long computation, pushed to the renderer (at most a few per second). */
export const insightProgressSchema = z.strictObject({
  jobId: insightJobIdSchema,
  done: z.number().int().min(0),
  total: z.number().int().min(1),
  elapsedMs: z.number().min(0),
  /** Estimated time left; absent until a first point has been measured. */
  etaMs: z.number().min(0).optional(),
});
export type InsightProgress = z.infer<typeof insightProgressSchema>;

/** The message a cancelled computation rejects with, so callers can tell it from a failure. */
export const INSIGHT_CANCELLED = 'cancelled';
