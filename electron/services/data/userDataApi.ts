/**
 * The user's own data as the app asks about it (issue 14), before any graph trains on it: what a path holds
 * (inspectData: a CSV/TSV table's columns, types, statistics and problems, or an image folder's classes and sizes), a
 * first DataSpec with a starting graph that fits it ("New from data": proposeFromData), and whether a graph file's
 * recorded data is still there and unchanged (checkData). Paths here are absolute and already allowed by the host
 * (the web host confines them to its folders; Electron takes what the native dialog gave).
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DataInspection, DataProposal, ProposeFromDataRequest } from '../../../shared/contracts/data';
import { checkGraphFitsData, type DataShape } from '../../../shared/data/checkGraphFitsData';
import { dataInputShape, relativeDataPath, type DataSpec, type ImageFolderDataSpec } from '../../../shared/data/dataSpec';
import { buildChain, type NodeTuple } from '../../../shared/inference/buildGraph';
import type { GraphDocument } from '../../../shared/document/model';
import { checkUserData, type UserDataStatus } from './checkUserData';
import { inspectImageFolder, proposeImageFolderSpec, type ImageFolderInspection } from './images';
import { loadUserData } from './loadUserData';
import { inspectTable, type TableInspection, type TableReadOptions } from './table';
import { proposeTableSpec } from './table/proposeTableSpec';

export interface InspectDataOptions extends TableReadOptions {
  readonly onProgress?: (progress: { readonly fraction?: number; readonly message: string }) => void;
  readonly signal?: AbortSignal;
  /** Preview thumbnails per image class (default 4). */
  readonly thumbnailsPerClass?: number;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `No file or folder at ${path}` : `Cannot read ${path}: ${(error as Error).message}`);
  }
}

/** A table file (columns, types, statistics, problems) or an image folder (classes, sizes, thumbnails, problems). */
export async function inspectData(path: string, options: InspectDataOptions = {}): Promise<DataInspection> {
  const { onProgress, signal } = options;
  if (await isFolder(path)) {
    const inspection = await inspectImageFolder(
      path,
      { thumbnailsPerClass: options.thumbnailsPerClass ?? 4 },
      onProgress
        ? (p) => onProgress({ ...(p.total > 0 ? { fraction: p.done / p.total } : {}), message: p.phase === 'listing' ? `${p.done} files found` : `${p.done} of ${p.total} images read` })
        : undefined,
      signal,
    );
    return inspection;
  }
  const read: TableReadOptions = {
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
    ...(options.header !== undefined ? { header: options.header } : {}),
  };
  const inspection = await inspectTable(
    path,
    read,
    onProgress ? (p) => onProgress({ fraction: p.totalBytes > 0 ? p.bytesRead / p.totalBytes : 1, message: `${p.rows} rows read` }) : undefined,
    signal,
  );
  return { kind: 'table', ...inspection };
}

/** Hidden Dense units of the proposed graph: enough for small tables, small enough to train in seconds. */
export const PROPOSED_HIDDEN_UNITS = 16;

/**
 * A starting graph for data of this shape: Input (vector of the feature count, or H×W×C) → [Flatten for images] →
 * Dense(16, relu) → Output (softmax over the classes, or one linear unit for regression).
 */
export function proposeGraphFor(shape: DataShape): GraphDocument {
  const [first = 1, width = 1, channels = 1] = shape.inputShape;
  const nodes: NodeTuple[] =
    shape.kind === 'table'
      ? [['input', 'Input', { kind: 'vector', size: first }]]
      : [
          ['input', 'Input', { kind: 'image', height: first, width, channels }],
          ['flatten', 'Flatten', {}],
        ];
  nodes.push(['hidden', 'Dense', { units: PROPOSED_HIDDEN_UNITS, activation: 'relu' }]);
  nodes.push(
    shape.task === 'regression'
      ? ['output', 'Output', { task: 'regression', units: 1 }]
      : ['output', 'Output', { task: 'classification', units: shape.classNames?.length ?? 2 }],
  );
  const graph = buildChain(nodes, shape.name.replace(/\.[^.]+$/, '') || 'my data');
  const issues = checkGraphFitsData(graph, shape);
  if (issues.length > 0) throw new Error(`The proposed graph does not fit ${shape.name}: ${issues.join('; ')}`);
  return graph;
}

export interface ProposeFromDataOptions extends Omit<ProposeFromDataRequest, 'path' | 'graphPath' | 'jobId'> {
  /** The .nbrick file the spec will live in: its path is recorded relative to it (absolute when absent). */
  readonly graphFilePath?: string;
  readonly signal?: AbortSignal;
  /** Reading the data (a table is read twice: inspected, then fitted). */
  readonly onProgress?: InspectDataOptions['onProgress'];
}

/**
 * A DataSpec for the data at `path` and a starting graph that fits it. A table's spec comes back fitted on its training
 * split (categories, classes from the label map, standardisation), so the Input and Output sizes are the real ones.
 * Errors say what to choose (no such column, a text column as target, a class with one image…).
 */
export async function proposeFromData(path: string, options: ProposeFromDataOptions = {}): Promise<DataProposal> {
  const recordedPath = relativeDataPath(options.graphFilePath, path);
  const { signal, onProgress } = options;
  if (await isFolder(path)) {
    const inspection = (await inspectData(path, { thumbnailsPerClass: 0, ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) })) as ImageFolderInspection;
    if (inspection.errors.length > 0) throw new Error(`${path} cannot be trained on yet: ${inspection.errors.join('; ')}`);
    if (options.missing !== undefined) throw new Error(`${path} is an image folder: a missing-value policy applies to tables only`);
    const proposed = proposeImageFolderSpec(inspection);
    const spec: ImageFolderDataSpec = {
      ...proposed,
      path: recordedPath,
      ...(options.augment ? { augmentation: { ...proposed.augmentation, ...definedOnly(options.augment) } } : {}),
    };
    const shape: DataShape = { name: basename(path), kind: 'imageFolder', inputShape: dataInputShape(spec), task: 'classification', classNames: spec.classNames };
    return { spec, graph: proposeGraphFor(shape), shape: { inputShape: [...shape.inputShape], task: shape.task, classNames: [...spec.classNames] } };
  }
  if (options.augment !== undefined) throw new Error(`${path} is a table: augmentation applies to image folders only`);
  const inspection = (await inspectData(path, {
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
    ...(options.header !== undefined ? { header: options.header } : {}),
    ...(onProgress ? { onProgress: (p) => onProgress({ ...(p.fraction !== undefined ? { fraction: p.fraction / 2 } : {}), message: `Inspecting: ${p.message}` }) } : {}),
    ...(signal ? { signal } : {}),
  })) as TableInspection;
  const proposal = proposeTableSpec(inspection, {
    recordedPath,
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.task !== undefined ? { task: options.task } : {}),
    ...(options.features !== undefined ? { features: options.features } : {}),
  });
  if (!proposal.ok) throw new Error(proposal.error);
  const tableSpec = options.missing !== undefined ? { ...proposal.spec, missing: { policy: options.missing } } : proposal.spec;
  // Only unreadable cells in the columns the spec reads stop it (the loader reads no others); problems in columns left
  // out are listed by the inspection but do not block.
  const used = new Set([tableSpec.target.name, ...tableSpec.features.map((f) => f.name)]);
  const blocking = inspection.columns.filter((c) => used.has(c.name) && (c.unreadable ?? 0) > 0);
  const blockingCount = blocking.reduce((sum, c) => sum + (c.unreadable ?? 0), 0);
  if (blockingCount > 0) {
    const first = inspection.problems.find((p) => used.has(p.column));
    const names = blocking.map((c) => `'${c.name}'`).join(', ');
    throw new Error(
      `${path} has ${blockingCount} cell${blockingCount === 1 ? '' : 's'} that cannot be read in the chosen column${blocking.length === 1 ? '' : 's'} ${names}` +
        `${first ? `, first: ${first.message}` : ''}; fix ${blockingCount === 1 ? 'it' : 'them'} in the file, or leave ${blocking.length === 1 ? 'that column' : 'those columns'} out`,
    );
  }
  // Fit the preprocessing on the training split (the run refits it the same way): the encoded sizes and class names.
  const loaded = await loadUserData(
    { ...tableSpec, path },
    {
      refit: true,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress: (p) => onProgress({ ...(p.fraction !== undefined ? { fraction: 0.5 + p.fraction / 2 } : {}), message: `Fitting: ${p.message}` }) } : {}),
    },
  );
  const spec: DataSpec = { ...loaded.spec, path: recordedPath };
  const classNames = loaded.shape.classNames ?? [];
  return {
    spec,
    graph: proposeGraphFor(loaded.shape),
    shape: { inputShape: [...loaded.shape.inputShape], task: loaded.shape.task, classNames: [...classNames] },
  };
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** Is the graph file's data (its `training.data`, or a run's recorded spec) still there and unchanged? */
export async function checkData(graphFilePath: string | undefined, spec: DataSpec, signal?: AbortSignal): Promise<UserDataStatus> {
  return checkUserData(spec, graphFilePath, signal);
}
