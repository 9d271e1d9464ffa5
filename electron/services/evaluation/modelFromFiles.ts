/**
 * A layers model from the bytes of its files (a checkpoint's model.json + weights.bin, as the trainer exports them),
 * without touching the disk: the trainer receives checkpoints as messages, and the CLI reads them itself.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelFile } from '../../../shared/contracts/trainer';
// Registers our own layer classes (WSConv2D, SkipInit): `bricks evaluate/predict` load models without compiling.
import '../compiler/customLayers';
import { modelArtifactsFromFiles } from '../training/modelFiles';

/** Loads the model; a weights file shorter than its manifest says fails here, naming the problem. */
export async function loadModelFromFiles(files: readonly ModelFile[]): Promise<tfl.LayersModel> {
  const artifacts = modelArtifactsFromFiles(files);
  return tfl.loadLayersModel({ load: async () => artifacts });
}
