/**
 * The insight computations from plain data, as the trainer process and the CLI run them: the dataset is rebuilt
 * from its reference, the loss from the model itself. The caller has chosen the tfjs backend.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossLandscape, SignalPropagation } from '../../../shared/contracts/insight';
import type { DatasetRef, UserDataRef } from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { loadDataset } from '../datasets/loadDataset';
import { loadUserData } from '../data/loadUserData';
import { headOfModel, lossLandscape, type LossLandscapeRun } from './lossLandscape';
import { signalPropagation } from './signalPropagation';

/** `dataset` defaults to the one the config names. */
export async function runSignalPropagation(
  graph: GraphDocument,
  config: TrainingConfig,
  dataset?: DatasetRef | UserDataRef,
  samples?: number,
): Promise<SignalPropagation> {
  const options = samples !== undefined ? { samples } : {};
  if (dataset && 'spec' in dataset) {
    // The user's own data as a new run would train on it: preprocessing fitted on its training split as it is now.
    const data = await loadUserData(dataset.spec, {
      refit: true,
      allowChanged: true,
      ...(dataset.graphFilePath !== undefined ? { graphFilePath: dataset.graphFilePath } : {}),
    });
    return signalPropagation(graph, data, config, options);
  }
  const ref = dataset ?? { id: config.dataset };
  return signalPropagation(graph, loadDataset(ref.id, ref.options ?? {}), config, options);
}

/** A slice around a kept model's weights on a batch of its run's own training data. */
export async function runLossLandscape(model: tfl.LayersModel, dataset: DatasetRef | UserDataRef, run: LossLandscapeRun): Promise<LossLandscape> {
  // The user's own data (issue 14): its recorded spec, loaded with the run's preprocessing (a changed file is refused).
  const data =
    'spec' in dataset
      ? await loadUserData(dataset.spec, dataset.graphFilePath !== undefined ? { graphFilePath: dataset.graphFilePath } : {})
      : loadDataset(dataset.id, dataset.options ?? {});
  return lossLandscape(model, headOfModel(model), data, run);
}
