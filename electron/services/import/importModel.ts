/**
 * `bricks import`: a Keras model JSON or a TF.js layers `model.json` becomes a `.nbrick` graph (shared/interop does the
 * mapping). When the file is a TF.js model whose weight shards lie beside it, the weights are loaded with tfjs, copied
 * layer by layer into the compiled graph, checked by running both models on the same inputs, and kept as a run
 * (checkpoint `<out>-runs/<runId>/` + a run record marked `imported`), so `bricks evaluate/predict/export` use them at once.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createGraphFile, type GraphFile } from '../../../shared/format/graphFileSchema';
import { graphHash } from '../../../shared/format/graphHash';
import type { RunSummary } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import type { GraphDocument } from '../../../shared/document/model';
import type { GraphAnalysis } from '../../../shared/inference/types';
import { checkGraphFitsDataset } from '../../../shared/datasets/checkGraphFitsDataset';
import { importKerasModel, type ImportedGraph, type ImportProblem } from '../../../shared/interop/importKeras';
import { KerasFormatError } from '../../../shared/interop/kerasTopology';
import { checkpointDirFor, writeCheckpoint } from '../checkpoints/checkpointStore';
import { compileGraph } from '../compiler/compileGraph';
import { listDatasets } from '../datasets/datasetRegistry';
import { findLayer } from '../export/exportSource';
import { writeGraphFileAtomic } from '../files/writeGraphFileAtomic';
import { modelArtifactsFromFiles, modelToFiles, MODEL_JSON, type ModelFileBytes } from '../training/modelFiles';
import { newRunId } from '../training/runId';
import '../compiler/customLayers';

export const MAX_MODEL_JSON_BYTES = 50 * 1024 * 1024;
/** Largest difference between the original's and the imported model's outputs that still counts as the same model. */
export const OUTPUT_TOLERANCE = 1e-4;

/** `unusable`: the file cannot be read as a model (exit 2); `unsupported`: layers that cannot be imported (exit 1). */
export class ImportModelError extends Error {
  override readonly name = 'ImportModelError';
  constructor(
    readonly code: 'unusable' | 'unsupported' | 'weights',
    message: string,
    readonly problems: readonly ImportProblem[] = [],
  ) {
    super(message);
  }
}

export interface ImportedWeights {
  readonly runId: string;
  readonly checkpointDir: string;
  /** Largest |original − imported| over a fixed batch of inputs. */
  readonly maxOutputDiff: number;
  readonly tensors: number;
}

export interface ImportModelOutcome extends ImportedGraph {
  readonly file: GraphFile;
  /** The bundled dataset the graph fits (its input shape and classes), set as the file's training dataset. */
  readonly dataset?: string;
  /** Parameters of the original as tfjs counts them (only when tfjs could load it, i.e. TF.js files). */
  readonly originalParams?: number;
  readonly weights?: ImportedWeights;
  /** Why weights were not imported, when the file names shards that are not there (or names none). */
  readonly noWeights?: string;
}

interface Manifest {
  readonly weightsManifest?: readonly { readonly paths: readonly string[] }[];
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Reads and parses the model JSON; throws ImportModelError('unusable') naming the problem. */
export async function readModelJson(modelPath: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    throw new ImportModelError('unusable', `cannot read ${modelPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (bytes.byteLength > MAX_MODEL_JSON_BYTES) throw new ImportModelError('unusable', `${modelPath} is larger than ${MAX_MODEL_JSON_BYTES / 1024 / 1024} MB: not a model JSON`);
  try {
    const text = bytes.toString('utf8');
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ImportModelError('unusable', `${modelPath} is not JSON (${error instanceof Error ? error.message : String(error)}); expected a Keras model JSON or a TF.js model.json`);
  }
}

/**
 * A training config for the imported graph: the defaults, with the first bundled dataset the graph fits (its Input
 * shape and Output classes), so an imported MNIST or iris model trains and evaluates at once; undefined when none fits.
 */
function fittingTraining(doc: GraphDocument, analysis: GraphAnalysis): TrainingConfig | undefined {
  const dataset = listDatasets().find((d) => checkGraphFitsDataset(doc, d, analysis).length === 0);
  return dataset ? { ...DEFAULT_TRAINING_CONFIG, dataset: dataset.id } : undefined;
}

/** A fixed batch of inputs for the model (token ids below the first Embedding's vocabulary). */
function probeInputs(model: tfl.LayersModel, imported: ImportedGraph): tf.Tensor {
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  const input = imported.doc.nodes.find((n) => n.type === 'Input');
  const size = 3 * shape.reduce((a, b) => a * b, 1);
  if (input?.params['kind'] === 'tokens') {
    const vocab = Math.min(...imported.doc.nodes.filter((n) => n.type === 'Embedding').map((n) => Number(n.params['inputDim'])));
    return tf.tensor(Array.from({ length: size }, (_, i) => (i * 7919) % vocab), [3, ...shape], 'int32');
  }
  // Deterministic values in [-1, 1].
  return tf.tensor(Array.from({ length: size }, (_, i) => Math.sin(i * 12.9898) ), [3, ...shape], 'float32');
}

async function maxDiff(a: tfl.LayersModel, b: tfl.LayersModel, x: tf.Tensor): Promise<number> {
  const ya = a.predict(x) as tf.Tensor;
  const yb = b.predict(x) as tf.Tensor;
  const d = tf.max(tf.abs(tf.sub(ya, yb)));
  const value = (await d.data())[0]!;
  tf.dispose([ya, yb, d]);
  return value;
}

/**
 * Copies each node's weights from the original model into the compiled graph's model (same tfjs class on both sides,
 * so the weight order agrees); throws ImportModelError('weights') naming the layer when shapes differ.
 */
function copyWeights(original: tfl.LayersModel, compiled: tfl.LayersModel, imported: ImportedGraph, layerNames: ReadonlyMap<string, readonly string[]>): number {
  let tensors = 0;
  for (const [nodeId, kerasName] of imported.weightsFrom) {
    const from = findLayer(original, kerasName);
    const toName = layerNames.get(nodeId)?.[0];
    const to = toName ? findLayer(compiled, toName) : undefined;
    if (!from || !to) throw new ImportModelError('weights', `layer '${kerasName}' has no counterpart for node '${nodeId}'`);
    const values = from.getWeights();
    const want = to.weights.map((w) => w.shape.join('×'));
    const have = values.map((v) => v.shape.join('×'));
    if (want.join(',') !== have.join(',')) {
      throw new ImportModelError('weights', `weights of layer '${kerasName}' are [${have.join(', ')}] but node '${nodeId}' needs [${want.join(', ')}]`);
    }
    to.setWeights(values);
    tensors += values.length;
  }
  return tensors;
}

/** Loads the original TF.js model with its weights from the shards beside model.json. */
async function loadOriginal(modelPath: string, json: Manifest): Promise<tfl.LayersModel> {
  const dir = path.dirname(modelPath);
  const files: ModelFileBytes[] = [{ name: MODEL_JSON, bytes: await readFile(modelPath) }];
  for (const group of json.weightsManifest ?? []) {
    for (const shard of group.paths) {
      const name = shard.replace(/^\.\//, '');
      files.push({ name, bytes: await readFile(path.join(dir, name)) });
    }
  }
  const artifacts = modelArtifactsFromFiles(files);
  return tfl.loadLayersModel({ load: async () => artifacts });
}

export interface ImportOptions {
  /** Replace OUT when it exists (and its kept runs stay as they are). */
  readonly force?: boolean;
  /** Seed for the compiled model's initial weights (overwritten by the imported ones). */
  readonly seed?: number;
}

/**
 * Imports `modelPath` into `outPath`. Nothing is written unless every layer imports and, when weights are present,
 * they load and the imported model gives the original's outputs (within {@link OUTPUT_TOLERANCE}).
 */
export async function importModelFile(modelPath: string, outPath: string, options: ImportOptions = {}): Promise<ImportModelOutcome> {
  if (!options.force && (await exists(outPath))) throw new ImportModelError('unusable', `${outPath} already exists (use --force to replace it)`);
  // Checked first: the checkpoint is written before the graph file, and neither may be left without the other.
  if (!(await exists(path.dirname(path.resolve(outPath))))) throw new ImportModelError('unusable', `${outPath} cannot be saved: folder ${path.dirname(outPath)} does not exist`);
  const json = await readModelJson(modelPath);
  let result;
  try {
    result = importKerasModel(json);
  } catch (error) {
    if (error instanceof KerasFormatError) throw new ImportModelError('unusable', `${modelPath}: ${error.message}`);
    throw error;
  }
  if (!result.ok) {
    const n = result.problems.length;
    throw new ImportModelError('unsupported', `${modelPath}: ${n} layer${n === 1 ? '' : 's'} cannot be imported`, result.problems);
  }
  const imported: ImportedGraph = result;
  const manifest = (typeof json === 'object' && json !== null ? json : {}) as Manifest & { modelTopology?: unknown };
  const isTfjs = manifest.modelTopology !== undefined;
  const shards = (manifest.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => path.join(path.dirname(modelPath), p.replace(/^\.\//, ''))));
  const missing: string[] = [];
  for (const shard of shards) if (!(await exists(shard))) missing.push(path.basename(shard));

  const doc = imported.doc;
  const training = fittingTraining(doc, imported.analysis);
  const fits = training ? { dataset: training.dataset } : {};
  let file = createGraphFile(doc, training ? { training } : {});
  if (!isTfjs || shards.length === 0 || missing.length > 0) {
    await writeGraphFileAtomic(outPath, file);
    const noWeights = !isTfjs
      ? 'a Keras model JSON holds no weights'
      : shards.length === 0
        ? 'model.json names no weight files'
        : `weight file${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not found beside ${path.basename(modelPath)}`;
    return { ...imported, ...fits, file, noWeights };
  }

  const original = await loadOriginal(modelPath, manifest).catch((error: unknown) => {
    throw new ImportModelError('weights', `${modelPath}: tfjs cannot load the model with its weights: ${error instanceof Error ? error.message : String(error)}`);
  });
  const compiled = compileGraph(doc, { seed: options.seed ?? 0 });
  try {
    const tensors = copyWeights(original, compiled.model, imported, compiled.layerNames);
    const x = probeInputs(original, imported);
    const diff = await maxDiff(original, compiled.model, x).finally(() => x.dispose());
    if (!(diff <= OUTPUT_TOLERANCE)) {
      throw new ImportModelError('weights', `${modelPath}: with the imported weights the graph's outputs differ from the original's by up to ${diff} (tolerance ${OUTPUT_TOLERANCE})`);
    }
    const runId = newRunId();
    const hash = graphHash(doc);
    const now = new Date().toISOString();
    const run: RunSummary = {
      id: runId,
      startedAt: now,
      finishedAt: now,
      status: 'completed',
      backend: tf.getBackend(),
      config: training ?? DEFAULT_TRAINING_CONFIG,
      epochs: [],
      final: { loss: 0 },
      samplesPerSec: 0,
      wallTimeMs: 0,
      graphHash: hash,
      checkpoint: true,
      imported: { from: path.basename(modelPath), format: 'tfjs-layers' },
    };
    // The checkpoint first, whole; then the file that records it (as `bricks train --record` does).
    const checkpointDir = checkpointDirFor(outPath, runId);
    await writeCheckpoint(checkpointDir, { runId, graphHash: hash, files: await modelToFiles(compiled.model) });
    file = createGraphFile(doc, { ...(training ? { training } : {}), runs: [run] });
    await writeGraphFileAtomic(outPath, file);
    return { ...imported, ...fits, file, originalParams: original.countParams(), weights: { runId, checkpointDir, maxOutputDiff: diff, tensors } };
  } finally {
    compiled.model.dispose();
    original.dispose();
  }
}
