/**
 * The user's own data in the LabApi (issue 14): requests to inspect a table or image folder, to propose a DataSpec and
 * a starting graph from it ("New from data"), and to check a graph file's recorded data on reopening. Plain data with
 * zod schemas like the rest of shared/contracts; the Node side (electron/services/data/userDataApi.ts) answers.
 *
 * Paths are host paths as in api.ts: absolute in Electron, page paths (`workspace/…`) in the web host, which refuses
 * anything outside its folders.
 */
import { z } from 'zod';
import { augmentationSchema, dataSpecSchema, MISSING_POLICIES, type DataSpec, type TableFormat } from '../data/dataSpec';
import type { GraphDocument } from '../document/model';

const hostPathSchema = z
  .string()
  .min(1, 'path must not be empty')
  .max(4096, 'path is too long')
  .refine((path) => !path.includes('\0'), 'path must not contain NUL characters');

const delimiterSchema = z.enum([',', ';', '\t', '|']);
/** The page's handle for a long request: progress events carry it and `cancelDataJob` names it. */
const jobIdSchema = z.string().min(1).max(128);
const columnNameSchema = z.string().min(1).max(1000);

/**
 * What a path holds. `path` absent: Electron asks with a native dialog (a table file or a folder), the web host refuses
 * (the page chooses from the workspace). `delimiter`/`header` override detection for a table.
 */
export const inspectDataRequestSchema = z.strictObject({
  path: hostPathSchema.optional(),
  /** Without a path: which dialog Electron shows, a table file (default) or an image folder. */
  pick: z.enum(['table', 'imageFolder']).optional(),
  /**
   * Without a path: copy what the dialog gave into the workspace's `data/` folder first (shared/contracts/dataImport.ts)
   * and inspect the copy; the answer's `path` is the copy's. The web host takes uploads on its own route instead.
   */
  importToWorkspace: z.boolean().optional(),
  jobId: jobIdSchema.optional(),
  delimiter: delimiterSchema.optional(),
  header: z.boolean().optional(),
});
export type InspectDataRequest = z.infer<typeof inspectDataRequestSchema>;

/**
 * A DataSpec and a starting graph for the data at `path` (a table: `target`, `task` and `features` as the user chose;
 * defaults: the last column that can be a target unless a class of it has a single row, its natural task, every other numeric or categorical column).
 * `graphPath`: the open file, so the spec records the data's path relative to it (absent: the path as given).
 * `missing` (tables only, default 'fill'): drop rows with a missing feature, or fill with the training mean / most
 * frequent category; the proposal's `spec.missing` then carries the counts. `augment` (image folders only, default all
 * off): per-epoch augmentation of training images, each kind in dataSpec's range (shift a share of the side ≤ 0.25,
 * rotate degrees ≤ 45).
 */
export const proposeFromDataRequestSchema = z.strictObject({
  path: hostPathSchema,
  graphPath: hostPathSchema.optional(),
  jobId: jobIdSchema.optional(),
  target: columnNameSchema.optional(),
  task: z.enum(['classification', 'regression']).optional(),
  features: z.array(columnNameSchema).min(1).max(10_000).optional(),
  delimiter: delimiterSchema.optional(),
  header: z.boolean().optional(),
  missing: z.enum(MISSING_POLICIES).optional(),
  augment: augmentationSchema.partial().optional(),
});
export type ProposeFromDataRequest = z.infer<typeof proposeFromDataRequestSchema>;

/** Is `data` (a file's training.data or a run's recorded spec), resolved beside `graphFilePath`, still the same? */
export const checkDataRequestSchema = z.strictObject({
  graphFilePath: hostPathSchema,
  data: dataSpecSchema,
});
export type CheckDataRequest = z.infer<typeof checkDataRequestSchema>;

/** Cancels an inspectData / proposeFromData in progress by its job id (its request then rejects, "cancelled"). */
export const cancelDataJobRequestSchema = z.strictObject({ jobId: jobIdSchema });
export type CancelDataJobRequest = z.infer<typeof cancelDataJobRequestSchema>;

/** Progress of a data job (the `dataProgress` event), at most every 100 ms; `fraction` 0..1 when known. */
export interface DataProgress {
  readonly jobId: string;
  readonly fraction?: number;
  readonly message: string;
  readonly elapsedMs: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Answers (plain data; the Node side's inspections satisfy these structurally)

export interface DataValueCount {
  readonly value: string;
  readonly count: number;
}

export interface DataColumn {
  readonly name: string;
  readonly type: 'numeric' | 'categorical' | 'text';
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  readonly distinctCapped: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  readonly std?: number;
  readonly integer?: boolean;
  /** Numeric: text cells that are not numbers (this column's share of the table's problems), when there are any. */
  readonly unreadable?: number;
  readonly histogram?: { readonly min: number; readonly max: number; readonly counts: readonly number[] };
  readonly topValues: readonly DataValueCount[];
  readonly valueCounts?: readonly DataValueCount[];
  /** What the column could be the target of. */
  readonly targetTasks: readonly ('classification' | 'regression')[];
}

export interface TableInspectionResult {
  readonly kind: 'table';
  readonly path: string;
  readonly bytes: number;
  /** SHA-256 of the file's bytes (what a spec records). */
  readonly hash: string;
  readonly format: TableFormat;
  readonly rows: number;
  readonly columns: readonly DataColumn[];
  /** Text in numeric columns, by line and column (the first 100). */
  readonly problems: readonly { readonly line: number; readonly column: string; readonly value: string; readonly message: string }[];
  readonly problemCount: number;
}

export interface ImageFolderInspectionResult {
  readonly kind: 'imageFolder';
  readonly path: string;
  readonly listing: 'folders' | 'csv';
  readonly labelsFile?: string;
  readonly contentHash: string;
  readonly files: number;
  readonly images: number;
  readonly classes: readonly {
    readonly name: string;
    readonly count: number;
    readonly thumbnails: readonly { readonly path: string; readonly dataUrl: string; readonly width: number; readonly height: number }[];
  }[];
  readonly sizes: readonly { readonly height: number; readonly width: number; readonly count: number }[];
  readonly otherSizes: number;
  readonly channels: Readonly<Record<'gray' | 'rgb' | 'rgba', number>>;
  readonly formats: Readonly<Record<string, number>>;
  readonly proposedInput: { readonly height: number; readonly width: number; readonly channels: 1 | 3; readonly reason: string };
  /** Unreadable files by path with the reason. */
  readonly problems: readonly { readonly path: string; readonly reason: string }[];
  /** What stops training on this folder (a class with one image, a single class). */
  readonly errors: readonly string[];
}

export type DataInspection = TableInspectionResult | ImageFolderInspectionResult;

export interface DataProposal {
  /** Fitted for a table (categories, classes from the label map, standardisation on the training split). */
  readonly spec: DataSpec;
  /** Input → [Flatten] → Dense(16, relu) → Output, passing checkGraphFitsData for this data. */
  readonly graph: GraphDocument;
  readonly shape: { readonly inputShape: number[]; readonly task: 'classification' | 'regression'; readonly classNames: string[] };
}

/** checkData's answer: `path` is where the data was looked for (a page path in the web host). */
export type DataStatus =
  | { readonly status: 'same'; readonly path: string }
  | { readonly status: 'changed'; readonly path: string; readonly hash: string; readonly message: string }
  | { readonly status: 'missing'; readonly path: string; readonly message: string };
