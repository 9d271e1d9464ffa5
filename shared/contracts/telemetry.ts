/**
 * Telemetry (issue 11): what the trainer measures inside the network every K training steps, per graph node, on the
 * batch it is training anyway (no extra forward pass). Plain data with zod schemas, sent as `telemetry` events beside
 * `batch` events and kept, downsampled, in the run record (shared/telemetry/telemetryRecorder.ts).
 *
 * Signals, per node (a field is absent when it does not apply to the node):
 * - `gradNorm`: L2 norm of the loss gradient w.r.t. all the node's trainable weights (the gradient the step applied);
 * - `weightNorm`: L2 norm of those weights after the step; `updateRatio`: ‖Δw‖ / ‖w‖ of the step;
 * - `activationMean`, `activationStd`: over every value of the node's output for the batch;
 * - `deadFraction` (ReLU-family outputs): share of units that are zero for every sample of the batch; a unit is one
 *   output feature, for image outputs (batch × h × w × c) one channel (zero at every position of every sample);
 * - `saturatedFraction` (sigmoid / tanh outputs): share of output values within 1 % of the range's ends
 *   (sigmoid < 0.01 or > 0.99, tanh |a| > 0.98);
 * - `gammaMean`, `gammaStd` (BatchNorm / LayerNorm with a scale): mean and spread of γ.
 */
import { z } from 'zod';

/** Bins of every weight / activation histogram. */
export const TELEMETRY_HISTOGRAM_BINS = 16;
/** Most points per node a run record keeps (older points are thinned evenly). */
export const MAX_RECORDED_TELEMETRY_POINTS = 256;
/** Most histogram snapshots per node a run record keeps. */
export const MAX_RECORDED_HISTOGRAMS = 24;
/** Longest node id a telemetry message carries (graph node ids are far shorter). */
const nodeIdSchema = z.string().min(1).max(256);

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nonNegative = finite.refine((x) => x >= 0, 'must be ≥ 0');
const fraction = z.number().min(0).max(1);

/** The scalar signals of one node at one step. */
export const nodeTelemetrySchema = z.strictObject({
  gradNorm: nonNegative.optional(),
  weightNorm: nonNegative.optional(),
  updateRatio: nonNegative.optional(),
  activationMean: finite.optional(),
  activationStd: nonNegative.optional(),
  deadFraction: fraction.optional(),
  saturatedFraction: fraction.optional(),
  gammaMean: finite.optional(),
  gammaStd: nonNegative.optional(),
});
export type NodeTelemetry = z.infer<typeof nodeTelemetrySchema>;
export type TelemetrySignal = keyof NodeTelemetry;
export const TELEMETRY_SIGNALS = Object.keys(nodeTelemetrySchema.shape) as TelemetrySignal[];

/** Counts of values in TELEMETRY_HISTOGRAM_BINS equal bins over [min, max] (min = max: every value in bin 0). */
export const histogramSchema = z
  .strictObject({
    min: finite,
    max: finite,
    counts: z.array(z.number().int().min(0)).length(TELEMETRY_HISTOGRAM_BINS),
  })
  .refine((h) => h.max >= h.min, 'max must be ≥ min');
export type Histogram = z.infer<typeof histogramSchema>;

export const nodeHistogramsSchema = z.strictObject({
  /** All the node's trainable weights together. */
  weights: histogramSchema.optional(),
  /** The node's output for the batch. */
  activations: histogramSchema.optional(),
});
export type NodeHistograms = z.infer<typeof nodeHistogramsSchema>;

/**
 * One telemetry sample. `step` counts training steps from 1 over the whole run; `epoch`/`batch` are 1-based like batch
 * events. Sent for the first step and then every K steps (throttled like batch events).
 */
export const telemetryEventSchema = z.strictObject({
  type: z.literal('telemetry'),
  runId: z.string().min(1),
  epoch: z.number().int().min(1),
  batch: z.number().int().min(1),
  step: z.number().int().min(1),
  nodes: z.record(nodeIdSchema, nodeTelemetrySchema),
  histograms: z.record(nodeIdSchema, nodeHistogramsSchema).optional(),
});
export type TelemetryEvent = z.output<typeof telemetryEventSchema>;
export type TelemetrySample = Omit<TelemetryEvent, 'type' | 'runId'>;

/** A signal's values over the recorded steps, `null` where the node had no value at that step. */
const seriesSchema = z.array(finite.nullable());
export const recordedNodeTelemetrySchema = z.strictObject(
  Object.fromEntries(Object.keys(nodeTelemetrySchema.shape).map((k) => [k, seriesSchema.optional()])) as Record<TelemetrySignal, z.ZodOptional<typeof seriesSchema>>,
);
export type RecordedNodeTelemetry = { readonly [K in TelemetrySignal]?: readonly (number | null)[] };

/**
 * A run's telemetry as kept in its record: columns aligned with `steps`, thinned evenly to at most
 * MAX_RECORDED_TELEMETRY_POINTS (histograms to MAX_RECORDED_HISTOGRAMS, aligned with `histogramSteps`). Since format 3.
 */
export const runTelemetrySchema = z
  .strictObject({
    /** Steps per epoch, so a step converts to "epoch e, batch b" (and to the x of the loss chart). */
    batchesPerEpoch: z.number().int().min(1),
    steps: z.array(z.number().int().min(1)).max(MAX_RECORDED_TELEMETRY_POINTS),
    nodes: z.record(nodeIdSchema, recordedNodeTelemetrySchema),
    histogramSteps: z.array(z.number().int().min(1)).max(MAX_RECORDED_HISTOGRAMS).optional(),
    histograms: z
      .record(
        nodeIdSchema,
        z.strictObject({
          weights: z.array(histogramSchema.nullable()).optional(),
          activations: z.array(histogramSchema.nullable()).optional(),
        }),
      )
      .optional(),
  })
  .superRefine((t, ctx) => {
    for (const [id, node] of Object.entries(t.nodes)) {
      for (const [signal, values] of Object.entries(node)) {
        if (values && values.length !== t.steps.length) {
          ctx.addIssue({ code: 'custom', path: ['nodes', id, signal], message: `has ${values.length} values for ${t.steps.length} steps` });
        }
      }
    }
    const h = t.histogramSteps?.length ?? 0;
    for (const [id, node] of Object.entries(t.histograms ?? {})) {
      for (const [kind, values] of Object.entries(node)) {
        if (values && values.length !== h) {
          ctx.addIssue({ code: 'custom', path: ['histograms', id, kind], message: `has ${values.length} histograms for ${h} histogram steps` });
        }
      }
    }
  });
export type RunTelemetry = z.infer<typeof runTelemetrySchema>;

/** Default telemetry interval when a config does not say: `auto` keeps its cost near TELEMETRY_BUDGET of training time. */
export const TELEMETRY_BUDGET = 0.03;
