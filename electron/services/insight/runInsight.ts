/**
 * The insight computations from plain data, as the trainer process and the CLI run them: the dataset is rebuilt
 * from its reference, the loss from the model itself. The caller has chosen the tfjs backend.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossLandscape, SignalPropagation } from '../../../shared/contracts/insight';
import type { DatasetRef } from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { loadDataset } from '../datasets/loadDataset';
import { headOfModel, lossLandscape, type LossLandscapeRun } from './lossLandscape';
import { signalPropagation } from './signalPropagation';

/** `dataset` defaults to the one the config names. */
export function runSignalPropagation(graph: GraphDocument, config: TrainingConfig, dataset?: DatasetRef, samples?: number): SignalPropagation {
  const ref = dataset ?? { id: config.dataset };
  return signalPropagation(graph, loadDataset(ref.id, ref.options ?? {}), config, samples !== undefined ? { samples } : {});
}

/** A slice around a kept model's weights on a batch of its run's own training data. */
export function runLossLandscape(model: tfl.LayersModel, dataset: DatasetRef, run: LossLandscapeRun): Promise<LossLandscape> {
  return lossLandscape(model, headOfModel(model), loadDataset(dataset.id, dataset.options ?? {}), run);
}
