/**
 * A layers model from the bytes of its files (a checkpoint's model.json + weights.bin, as the trainer exports them),
 * without touching the disk: the trainer receives checkpoints as messages, and the CLI reads them itself.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelFile } from '../../../shared/contracts/trainer';
import { MODEL_JSON } from '../training/modelFiles';

export function modelArtifactsFromFiles(files: readonly ModelFile[]): tf.io.ModelArtifacts {
  const byName = new Map(files.map((file) => [file.name, file.bytes]));
  const jsonBytes = byName.get(MODEL_JSON);
  if (!jsonBytes) throw new Error(`the model has no ${MODEL_JSON} (files: ${files.map((f) => f.name).join(', ') || 'none'})`);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes)) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`${MODEL_JSON} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new Error(`${MODEL_JSON} has no modelTopology`);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const shardPath of group.paths) {
      const name = shardPath.replace(/^\.\//, '');
      const bytes = byName.get(name);
      if (!bytes) throw new Error(`${MODEL_JSON} names weights file '${shardPath}', which is not among the model's files`);
      shards.push(bytes);
    }
  }
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: specs,
    weightData: weightData.buffer,
  };
}

/** Loads the model; a weights file shorter than its manifest says fails here, naming the problem. */
export async function loadModelFromFiles(files: readonly ModelFile[]): Promise<tfl.LayersModel> {
  const artifacts = modelArtifactsFromFiles(files);
  return tfl.loadLayersModel({ load: async () => artifacts });
}
