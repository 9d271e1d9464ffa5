/**
 * Zod schemas of the current `.nbrick` format (version {@link CURRENT_FORMAT_VERSION}).
 * Objects are strict: an unknown field is reported with its path instead of being silently dropped on the next save.
 * Only structure is checked here; whether the network makes sense (shapes, arity, cycles) is `analyzeGraph`'s job.
 */
import { z } from 'zod';
import type { GraphDocument } from '../document/model';
import { trainingConfigSchema, type TrainingConfig } from './trainingConfig';
import { runSummarySchema, type RunSummary } from './runSummary';

export const GRAPH_FILE_FORMAT = 'neural-bricks/graph';
export const CURRENT_FORMAT_VERSION = 4;
export const GRAPH_FILE_EXTENSION = '.nbrick';

/** Bounds that keep a hostile or corrupted file from exhausting memory; generous for hand-made networks. */
export const MAX_ID_LENGTH = 200;
export const MAX_TEXT_LENGTH = 100_000;
export const MAX_TUPLE_LENGTH = 16;
export const MAX_PARAMS_PER_NODE = 64;
export const MAX_PORT = 1024;

const id = z.string().min(1, 'must not be empty').max(MAX_ID_LENGTH);
const text = z.string().max(MAX_TEXT_LENGTH);

export const paramValueSchema = z.union(
  [z.number(), z.string().max(MAX_TEXT_LENGTH), z.boolean(), z.array(z.number()).max(MAX_TUPLE_LENGTH)],
  { error: 'expected a finite number, a string, a boolean or a list of numbers' },
);

export const positionSchema = z.strictObject({ x: z.number(), y: z.number() });

export const graphNodeSchema = z.strictObject({
  id,
  type: z.string().min(1, 'must not be empty').max(MAX_ID_LENGTH),
  params: z
    .record(z.string().max(MAX_ID_LENGTH), paramValueSchema)
    .refine((p) => Object.keys(p).length <= MAX_PARAMS_PER_NODE, `at most ${MAX_PARAMS_PER_NODE} params`),
  position: positionSchema,
  label: text.optional(),
  notes: text.optional(),
});

export const graphEdgeSchema = z.strictObject({
  id,
  source: id,
  target: id,
  targetPort: z.number().int().min(0).max(MAX_PORT),
});

export const graphGroupSchema = z.strictObject({
  id,
  name: text,
  nodeIds: z.array(id),
  collapsed: z.boolean().optional(),
});

export const graphMetadataSchema = z.strictObject({
  name: text,
  description: text.optional(),
});

export const graphDocumentSchema = z.strictObject({
  metadata: graphMetadataSchema,
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
  groups: z.array(graphGroupSchema),
});

export const graphFileSchema = z.strictObject({
  format: z.literal(GRAPH_FILE_FORMAT),
  formatVersion: z.literal(CURRENT_FORMAT_VERSION),
  graph: graphDocumentSchema,
  training: trainingConfigSchema.optional(),
  runs: z.array(runSummarySchema).optional(),
});

/** A loaded `.nbrick` file. Declared with the model types so the rest of the app never sees zod types. */
export interface GraphFile {
  readonly format: typeof GRAPH_FILE_FORMAT;
  readonly formatVersion: typeof CURRENT_FORMAT_VERSION;
  readonly graph: GraphDocument;
  readonly training?: TrainingConfig;
  readonly runs?: readonly RunSummary[];
}

// Compile-time proof that what the schema accepts is a GraphFile.
const _schemaOutputIsGraphFile: (x: z.infer<typeof graphFileSchema>) => GraphFile = (x) => x;
void _schemaOutputIsGraphFile;

/** Wraps a document (and optional training data) in the current envelope. */
export function createGraphFile(
  graph: GraphDocument,
  extras: { training?: TrainingConfig; runs?: readonly RunSummary[] } = {},
): GraphFile {
  return {
    format: GRAPH_FILE_FORMAT,
    formatVersion: CURRENT_FORMAT_VERSION,
    graph,
    ...(extras.training ? { training: extras.training } : {}),
    ...(extras.runs ? { runs: extras.runs } : {}),
  };
}
