/**
 * Export and import in the LabApi (issue 15, the app part of `bricks export` / `bricks import`): File → Export… writes
 * the open graph for PyTorch, ONNX, Keras or TF.js with a kept run's weights (or freshly initialised ones); File →
 * Import… turns a Keras model JSON or a TF.js model.json (with its weight shards) into a graph file and opens it.
 * Plain data with zod schemas like the rest of shared/contracts; electron/host/interopHandlers.ts answers.
 *
 * Paths are host paths as in api.ts: absolute in Electron, page paths (`workspace/…`) in the web host, which writes
 * exports only under `workspace/exports/` and imports only into the workspace.
 */
import { z } from 'zod';
import { graphFileSchema, type GraphFile } from '../format/graphFileSchema';

const hostPathSchema = z
  .string()
  .min(1, 'path must not be empty')
  .max(4096, 'path is too long')
  .refine((path) => !path.includes('\0'), 'path must not contain NUL characters');

/** The targets of `bricks export --to`, in the order the dialog offers them. */
export const EXPORT_FORMATS = ['pytorch', 'onnx', 'keras', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_FORMAT_NAMES: Readonly<Record<ExportFormat, string>> = { pytorch: 'PyTorch', onnx: 'ONNX', keras: 'Keras', tfjs: 'TF.js' };

/**
 * Export the document as it is (`file`: graph, training settings and runs) to `format`. `path`: the open file (null
 * for a graph not saved yet), where its runs' checkpoints are looked for (beside it, else the host's pending store).
 * `runId`: the kept run whose weights to export; absent: the newest run whose checkpoint reads back whole, else
 * freshly initialised weights. `name` names the export folder in the web host (`workspace/exports/<name>-<format>/`)
 * and the folder dialog in Electron; it defaults to the graph's name.
 */
export const exportGraphRequestSchema = z.strictObject({
  file: graphFileSchema,
  path: hostPathSchema.nullable(),
  format: z.enum(EXPORT_FORMATS),
  runId: z.string().min(1).max(128).optional(),
  name: z.string().max(255).optional(),
});
export interface ExportGraphRequest {
  readonly file: GraphFile;
  readonly path: string | null;
  readonly format: ExportFormat;
  readonly runId?: string;
  readonly name?: string;
}

/** A node the exporter cannot write, with its type and why (the exporters' ExportError). */
export interface ExportProblemInfo {
  readonly nodeId: string;
  readonly type: string;
  readonly reason: string;
}

export type GraphExport =
  | {
      readonly status: 'exported';
      readonly format: ExportFormat;
      /** Where the files went: a page path in the web host (`workspace/exports/…`), absolute in Electron. */
      readonly directory: string;
      /** The files written, in the same form as `directory`. */
      readonly files: readonly string[];
      /** The kept run the weights came from; absent: freshly initialised. */
      readonly runId?: string;
      /** Human words for where the weights came from (`trained, from run r2 (5 epochs)` / `freshly initialised …`). */
      readonly weightsFrom: string;
      /** One or two lines as `bricks export` prints them (what was written, how to load it). */
      readonly summary: readonly string[];
    }
  | {
      /** Nothing was written: the graph has nodes this format cannot express, each named with why. */
      readonly status: 'unsupported';
      readonly format: ExportFormat;
      readonly message: string;
      readonly problems: readonly ExportProblemInfo[];
    };

/** Most files an import upload may carry (model.json and its shards). */
export const MAX_IMPORT_FILES = 64;

const uploadFileSchema = z.strictObject({
  /** A plain file name (no folders): `model.json`, `group1-shard1of1.bin`. */
  name: z
    .string()
    .min(1)
    .max(255)
    .refine((name) => !/[\\/\0]/.test(name), 'a file name, without folders'),
  /** The file's bytes, base64. */
  base64: z.string().max(64 * 1024 * 1024),
});

/**
 * Import a model as a graph file, opened afterwards. One of:
 * - `path`: a model JSON the host may read (web host: `workspace/…`, e.g. one uploaded before or a TF.js export);
 * - `upload`: model.json and its weight shards from the page, written by the web host into `workspace/imports/<name>/`
 *   first (Electron refuses uploads: it reads the files where they are);
 * - neither: Electron asks with its open dialog (then where to save the graph); the web host refuses.
 * `name` names the new graph file (`workspace/<name>.nbrick`, never replacing one; default: the model's folder or file name).
 */
export const importModelRequestSchema = z
  .strictObject({
    path: hostPathSchema.optional(),
    upload: z
      .strictObject({
        files: z.array(uploadFileSchema).min(1).max(MAX_IMPORT_FILES),
      })
      .optional(),
    name: z.string().max(255).optional(),
  })
  .refine((r) => r.path === undefined || r.upload === undefined, 'name a path or upload files, not both');
export interface ImportModelRequest {
  readonly path?: string;
  readonly upload?: { readonly files: readonly { readonly name: string; readonly base64: string }[] };
  readonly name?: string;
}

/** A layer that cannot be imported: its name, Keras class and why. */
export interface ImportProblemInfo {
  readonly layer: string;
  readonly className: string;
  readonly reason: string;
}

/** `Opened`: api.ts's OpenedFile (a parameter here, so this file does not import api.ts, which imports it). */
export type ModelImportOf<Opened> =
  | {
      readonly status: 'imported';
      /** The new graph file, as openFile would return it (its imported run's checkpoint reported `ok`). */
      readonly opened: Opened;
      /** The model file that was read, as the host names it. */
      readonly source: string;
      readonly nodes: number;
      readonly edges: number;
      readonly params: number;
      /** Parameters of the original as tfjs counts them (TF.js files only). */
      readonly originalParams?: number;
      readonly notes: readonly string[];
      /** The bundled dataset the graph fits, set as its training dataset. */
      readonly dataset?: string;
      /** The imported weights, kept as run `runId`; absent when there were none (`noWeights` says why). */
      readonly weights?: { readonly runId: string; readonly tensors: number; readonly maxOutputDiff: number };
      readonly noWeights?: string;
    }
  | {
      /** Nothing was written: these layers cannot be imported. */
      readonly status: 'unsupported';
      readonly source: string;
      readonly message: string;
      readonly problems: readonly ImportProblemInfo[];
    };

/** A model JSON the web host could import (in the workspace), newest first; Electron lists none (it has its dialog). */
export interface ModelFileEntry {
  readonly path: string;
  readonly name: string;
  /** `tfjs` when the JSON has a modelTopology (a TF.js layers model), else `keras`. */
  readonly kind: 'tfjs' | 'keras';
  /** Weight shards named by a TF.js model.json, and how many of them are beside it. */
  readonly shards?: { readonly named: number; readonly present: number };
}
