/**
 * One training run from plain data: graph + dataset reference + config in, progress callbacks and a RunSummary out.
 * Used in-process by the CLI and inside the trainer process for the app.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DatasetRef } from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import { datasetRefOf } from '../../../shared/format/datasetRef';
import { graphHash } from '../../../shared/format/graphHash';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { selectBackend, type BackendInfo } from '../backends/selectBackend';
import { assertGraphFitsDataset } from '../../../shared/datasets/checkGraphFitsDataset';
import { assertGraphFitsData } from '../../../shared/data/checkGraphFitsData';
import { loadDataset, type DataInfo, type LoadedDataset } from '../datasets/loadDataset';
import { loadUserData, type LoadedUserData } from '../data/loadUserData';
import { compileGraph } from '../compiler/compileGraph';
import { DataParallel } from './parallel/DataParallel';
import { estimateMacsPerSample, resolveWorkers } from './parallel/resolveWorkers';
import { newRunId } from './runId';
import { installSeededMathRandom } from './seededMathRandom';
import { targetWidth, trainModel, type TrainingCallbacks, type TrainingOutcome } from './trainModel';
import type { TrainingControl } from './trainingControl';

export interface RunTrainingOptions {
  readonly runId?: string;
  readonly callbacks?: TrainingCallbacks;
  readonly control?: TrainingControl;
  /** Keep the trained model (the caller then owns it and must dispose it), e.g. to save it. */
  readonly keepModel?: boolean;
  /** See TrainModelOptions.testOnStop. */
  readonly testOnStop?: boolean;
  /** Called once the backend is active, before the (possibly slow) dataset load and compile. */
  readonly onBackend?: (backend: BackendInfo) => void;
  /**
   * Measure telemetry inside the network (default true; the config's `telemetryEvery: 0` also turns it off). The CLI
   * turns it on only when asked (--telemetry).
   */
  readonly telemetry?: boolean;
  /** Called with the data-parallel replicas when the run uses 2 workers (diagnostics and tests). */
  readonly onParallel?: (parallel: DataParallel) => void;
  /** The .nbrick file the config belongs to: a relative `config.data.path` is resolved against its folder. */
  readonly graphFilePath?: string;
  /** Called once the user's data (`config.data`) is loaded, with the spec fitted on its training split. */
  readonly onUserData?: (data: LoadedUserData) => void;
  /**
   * An image folder's unreadable files are skipped (counted in the recorded spec's `skipped`, listed in the loaded
   * data's `skippedFiles`) instead of failing the run with a list of them. Default: fail, unless `config.data` records
   * skipped files (agreed to in New from Data). The CLI skips unless --strict.
   */
  readonly skipUnreadable?: boolean;
}

export interface RunTrainingResult extends TrainingOutcome {
  readonly backend: BackendInfo;
  readonly model?: tfl.LayersModel;
}

export { newRunId };

/**
 * Setup problems (unknown dataset, graph that does not compile or fit the data, unavailable backend) throw an Error
 * naming the cause; problems during training (a NaN loss) come back as `failure` with a `failed` summary.
 */
export async function runTraining(
  graph: GraphDocument,
  dataset: DatasetRef | undefined,
  config: TrainingConfig,
  options: RunTrainingOptions = {},
): Promise<RunTrainingResult> {
  const startedAt = Date.now();
  // The user's own data (issue 14) when the config has it: loaded and its preprocessing fitted again on its training
  // split (a new run trains on the data as it is now; the run records the hash it read).
  const userData = config.data
    ? await loadUserData(config.data, {
        refit: true,
        allowChanged: true,
        ...(options.graphFilePath ? { graphFilePath: options.graphFilePath } : {}),
        // A file whose image-folder spec records skipped files (the user agreed to skip them in New from Data) skips
        // them again; asked explicitly (the CLI's --strict), the caller decides.
        ...(options.skipUnreadable !== undefined
          ? { skipUnreadable: options.skipUnreadable }
          : config.data.kind === 'imageFolder' && (config.data.skipped ?? 0) > 0
            ? { skipUnreadable: true }
            : {}),
      })
    : undefined;
  let data: LoadedDataset<DataInfo>;
  if (userData) {
    assertGraphFitsData(graph, userData.shape);
    options.onUserData?.(userData);
    data = userData;
  } else {
    const bundled = loadDataset(dataset?.id ?? config.dataset, dataset?.options ?? {});
    assertGraphFitsDataset(graph, bundled.info);
    data = bundled;
  }
  const backend = await selectBackend(config.backend ?? 'auto');
  options.onBackend?.(backend);
  const restoreRandom = installSeededMathRandom(config.seed);
  let model: tfl.LayersModel | undefined;
  let parallel: DataParallel | undefined;
  try {
    // No `seed` option here on purpose: the seeded Math.random above already makes initial weights reproducible,
    // and a fixed Dropout seed would draw the same mask on every batch.
    const compiled = compileGraph(graph);
    model = compiled.model;
    // PARALLEL hook: with `workers: 2` a replica thread trains half of every batch (see parallel/DataParallel.ts).
    const halfBatch = Math.ceil(Math.min(config.batchSize, data.train.count) / 2);
    const work = { macs: estimateMacsPerSample(compiled.model) * halfBatch, params: compiled.model.countParams() };
    if (resolveWorkers(config.workers, backend, undefined, work) === 2) {
      const head = compiled.head;
      const features = data.info.inputShape.reduce((a, b) => a * b, 1);
      parallel = new DataParallel({
        model: compiled.model,
        graph,
        config,
        backend,
        loss: head.loss,
        metrics: head.task === 'regression' ? [] : ['accuracy'],
        inputShape: data.info.inputShape,
        targetWidth: data.targetWidth ?? targetWidth(head, data.info.classes, features),
        maxBatchRows: Math.min(config.batchSize, data.train.count),
      });
      options.onParallel?.(parallel);
    }
    const recordedConfig = userData ? { ...config, dataset: data.info.id, data: userData.spec } : { ...config, dataset: data.info.id };
    const outcome = await trainModel(compiled.model, compiled.head, data, recordedConfig, {
      runId: options.runId ?? newRunId(),
      backend,
      startedAt,
      ...(options.callbacks ? { callbacks: options.callbacks } : {}),
      ...(options.control ? { control: options.control } : {}),
      ...(options.testOnStop !== undefined ? { testOnStop: options.testOnStop } : {}),
      ...(parallel ? { parallel } : {}),
      ...(options.telemetry !== false ? { telemetry: { layerNames: compiled.layerNames, inputNodeId: compiled.inputNodeId } } : {}),
    });
    // Which graph this run trained, so a record (and its checkpoint) can be matched to the graph it came from,
    // and which data (with its options), so an evaluation rebuilds the same test split without being told again.
    // User data is named by the fitted spec in the config and its content hash instead of a bundled dataset ref.
    const summary = userData
      ? { ...outcome.summary, graphHash: graphHash(graph), data: { kind: userData.spec.kind, hash: userData.spec.hash } }
      : { ...outcome.summary, graphHash: graphHash(graph), dataset: datasetRefOf(data.info.id, dataset?.options) };
    const result: RunTrainingResult = options.keepModel ? { ...outcome, summary, backend, model } : { ...outcome, summary, backend };
    if (options.keepModel) model = undefined;
    return result;
  } finally {
    await parallel?.dispose();
    restoreRandom();
    model?.dispose();
  }
}
