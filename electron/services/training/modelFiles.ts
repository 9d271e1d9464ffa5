/**
 * Saving and loading a trained model as a standard tfjs layers model: `model.json` (topology + weights manifest) and
 * `weights.bin`, the same files `tf.loadLayersModel('file://…/model.json')` (tfjs-node) or a browser reads.
 * tfjs-core without tfjs-node has no file:// handler, so these are small IOHandlers over node:fs.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// Registers our own layer classes (WSConv2D, SkipInit) so their models load here without the compiler.
import '../compiler/customLayers';
import { writeTextFileAtomic } from '../files/writeGraphFileAtomic';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function concatWeightData(data: tf.io.WeightData): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

/** The two files of a layers model, as bytes: what {@link fileSaveHandler} writes and the app's export sends. */
export function artifactsToFiles(artifacts: tf.io.ModelArtifacts): { name: string; bytes: Uint8Array }[] {
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
  const weights = artifacts.weightData ? concatWeightData(artifacts.weightData) : new Uint8Array();
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
  };
  return [
    { name: WEIGHTS_BIN, bytes: weights },
    { name: MODEL_JSON, bytes: new TextEncoder().encode(`${JSON.stringify(modelJson)}\n`) },
  ];
}

function saveResult(artifacts: tf.io.ModelArtifacts, weightBytes: number): tf.io.SaveResult {
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
      weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
      weightDataBytes: weightBytes,
    },
  };
}

/** An IOHandler that writes `model.json` and `weights.bin` into `dir` (created if missing). */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const files = artifactsToFiles(artifacts);
      await mkdir(dir, { recursive: true });
      // weights.bin first, each file atomically (temp file, fsync, rename): a model.json on disk always has complete
      // weights beside it, even when the process is killed mid-save.
      for (const file of files) await writeTextFileAtomic(path.join(dir, file.name), file.bytes);
      return saveResult(artifacts, files[0]!.bytes.byteLength);
    },
  };
}

/** Serialises a model to the bytes of `weights.bin` and `model.json` without touching the disk (the trainer's export). */
export async function modelToFiles(model: tfl.LayersModel): Promise<{ name: string; bytes: Uint8Array }[]> {
  let files: { name: string; bytes: Uint8Array }[] | undefined;
  await model.save({
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      files = artifactsToFiles(artifacts);
      return saveResult(artifacts, files[0]!.bytes.byteLength);
    },
  });
  if (!files) throw new Error('the model produced no files');
  return files;
}

/** An IOHandler that reads a layers model saved by {@link fileSaveHandler} (or any tfjs layers-model export on disk). */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonBytes = await readFile(path.join(dir, MODEL_JSON));
      const files: ModelFileBytes[] = [{ name: MODEL_JSON, bytes: jsonBytes }];
      const json = parseModelJson(jsonBytes);
      for (const group of json.weightsManifest ?? []) {
        for (const shard of group.paths) files.push({ name: shardName(shard), bytes: await readFile(path.join(dir, shard)) });
      }
      return modelArtifactsFromFiles(files);
    },
  };
}

/** A file of a layers model as bytes (the trainer contract's ModelFile has this shape). */
export interface ModelFileBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function parseModelJson(bytes: Uint8Array): tf.io.ModelJSON {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes)) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`${MODEL_JSON} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new Error(`${MODEL_JSON} has no modelTopology`);
  return json;
}

/** A manifest names shards relative to model.json (`./weights.bin`); files are looked up by that plain name. */
function shardName(manifestPath: string): string {
  return manifestPath.replace(/^\.\//, '');
}

/**
 * The artifacts of a layers model from the bytes of its files (model.json + the shards its manifest names), without
 * touching the disk: the trainer receives checkpoints as messages; {@link fileLoadHandler} reads the same from a folder.
 */
export function modelArtifactsFromFiles(files: readonly ModelFileBytes[]): tf.io.ModelArtifacts {
  const byName = new Map(files.map((file) => [file.name, file.bytes]));
  const jsonBytes = byName.get(MODEL_JSON);
  if (!jsonBytes) throw new Error(`the model has no ${MODEL_JSON} (files: ${files.map((f) => f.name).join(', ') || 'none'})`);
  const json = parseModelJson(jsonBytes);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const shardPath of group.paths) {
      const bytes = byName.get(shardName(shardPath));
      if (!bytes) throw new Error(`${MODEL_JSON} names weights file '${shardPath}', which is not among the model's files`);
      shards.push(bytes);
    }
  }
  const weightData = concatWeightData(shards.map((s) => s.buffer.slice(s.byteOffset, s.byteOffset + s.byteLength) as ArrayBuffer));
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: specs,
    weightData: weightData.buffer as ArrayBuffer,
  };
}

export async function saveModelToDir(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(fileSaveHandler(dir));
}

export async function loadModelFromDir(dir: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(fileLoadHandler(dir));
}
