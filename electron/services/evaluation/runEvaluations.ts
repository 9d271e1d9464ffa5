/**
 * Evaluation and prediction as the hosts see them (no tfjs here: the trainer computes). Finds what a run trained on
 * (its record in the saved file, or the settings of a run started by this host) and hands the trainer the run's
 * model: the one it still holds, else the run's checkpoint (beside the file, or in the pending store).
 */
import {
  DEFAULT_MAX_MISTAKES,
  type DatasetSamples,
  type DatasetSamplesRequest,
  type PredictResult,
  type RunEvaluation,
} from '../../../shared/contracts/evaluation';
import { isDatasetId, type DatasetRef, type ModelFile, type UserDataRef } from '../../../shared/contracts/trainer';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import type { CheckpointRead } from '../checkpoints/checkpointStore';
import { loadDataset, type DataInfo, type LoadedDataset } from '../datasets/loadDataset';
import { checkUserData } from '../data/checkUserData';
import { loadUserData, type LoadedUserData } from '../data/loadUserData';
import { resolveDataPath } from '../../../shared/data/dataSpec';
import type { ModelQueries } from '../training/TrainingService';

export interface RunEvaluationsDeps {
  readonly trainer: Partial<ModelQueries>;
  /** A run's checkpoint beside `graphFilePath`, or in the pending store (CheckpointService.read). */
  readonly checkpoints?: { read(runId: string, graphFilePath: string | null): Promise<CheckpointRead> };
  /** Reads a graph file (absolute path); throws naming the file and the problem. */
  readonly readGraph: (absolutePath: string) => Promise<GraphFile>;
  /**
   * Whether the host may read a run's data (absolute, resolved beside its graph file); throws saying why not. The web
   * host confines it to its folders (a file could name any path); absent: anywhere.
   */
  readonly allowDataPath?: (absolutePath: string) => Promise<void>;
}

type Backend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: readonly string[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface RunSource {
  readonly dataset: DatasetRef;
  /** The run trained on the user's own data (issue 14): its recorded spec and where its relative path resolves. */
  readonly data?: UserDataRef;
  readonly backend?: Backend;
}

export class RunEvaluations {
  constructor(private readonly deps: RunEvaluationsDeps) {}

  /** The run's model on its own test split. Errors name the run and why (unknown run, checkpoint missing or damaged). */
  async evaluateRun(runId: string, graphFilePath: string | null, maxMistakes = DEFAULT_MAX_MISTAKES): Promise<RunEvaluation> {
    const { evaluate } = this.deps.trainer;
    if (!evaluate) throw new Error('This host cannot evaluate runs: its trainer does not answer evaluations');
    const source = await this.sourceOf(runId, graphFilePath);
    await this.assertDataUnchanged(runId, source);
    return evaluate.call(this.deps.trainer, {
      runId,
      dataset: source.dataset,
      ...(source.data ? { data: source.data } : {}),
      maxMistakes,
      modelFiles: () => this.checkpointFiles(runId, graphFilePath),
      ...(source.backend ? { backend: source.backend } : {}),
    });
  }

  /** The run's model on given inputs (`shape` per sample, `values` row-major). */
  async predict(runId: string, graphFilePath: string | null, shape: readonly number[], values: readonly number[]): Promise<PredictResult> {
    const { predict } = this.deps.trainer;
    if (!predict) throw new Error('This host cannot run predictions: its trainer does not answer them');
    return predict.call(this.deps.trainer, { runId, shape, values, modelFiles: () => this.checkpointFiles(runId, graphFilePath) });
  }

  /** What the run trained on (its dataset and backend); also used by the loss landscape (services/insight). */
  async sourceOf(runId: string, graphFilePath: string | null): Promise<RunSource> {
    if (graphFilePath !== null) {
      const file = await this.deps.readGraph(graphFilePath);
      const run = (file.runs ?? []).find((r) => r.id === runId);
      if (run) {
        return {
          dataset: run.dataset ?? { id: run.config.dataset },
          ...(run.config.data ? { data: { spec: run.config.data, graphFilePath } } : {}),
          ...(BACKENDS.includes(run.backend) ? { backend: run.backend as Backend } : {}),
        };
      }
    }
    const started = this.deps.trainer.runSettings?.(runId);
    if (started) {
      const { data } = started.config;
      return {
        dataset: started.dataset,
        ...(data ? { data: { spec: data, ...(started.graphFilePath !== undefined ? { graphFilePath: started.graphFilePath } : {}) } } : {}),
        ...(started.config.backend ? { backend: started.config.backend } : {}),
      };
    }
    // A run not saved in a file, after a restart: its pending checkpoint says which data it trained on.
    const kept = await this.deps.checkpoints?.read(runId, graphFilePath).catch(() => undefined);
    if (kept?.status === 'ok' && kept.meta.dataset) return { dataset: kept.meta.dataset };
    throw new Error(
      graphFilePath === null
        ? `Run ${runId} was not trained here and the graph has not been saved: nothing says which data it trained on`
        : `Run ${runId} is not in ${graphFilePath}'s run history (save the file after the run, or pick another run)`,
    );
  }

  /**
   * A run on the user's own data is measured on that data only while it is the same: a file or folder that changed
   * (or went) since the run is refused here, before the trainer loads anything, naming the path and both hashes.
   */
  async assertDataUnchanged(runId: string, source: RunSource): Promise<void> {
    if (!source.data) return;
    await this.deps.allowDataPath?.(resolveDataPath(source.data.graphFilePath, source.data.spec.path));
    const status = await checkUserData(source.data.spec, source.data.graphFilePath);
    if (status.status !== 'same') throw new Error(`Cannot measure run ${runId} on its data: ${status.message}`);
  }

  /** The last user data loaded for samples (a gallery asks for a few at a time): its run, file and spec hash. */
  private samplesData: { key: string; data: LoadedUserData } | undefined;

  /**
   * Test-split samples for an evaluation: of the run's own data when it trained on the user's (loaded with its recorded
   * preprocessing, refused when changed; the last one kept for the next page of samples), else of the bundled dataset.
   */
  async datasetSamples(request: DatasetSamplesRequest, graphFilePath: string | null): Promise<DatasetSamples> {
    if (!request.run) return datasetSamples(request);
    // A bundled dataset needs no run: its samples come from the id and options even when the run's record is gone.
    const source = await this.sourceOf(request.run.runId, graphFilePath).catch((error: unknown) => {
      if (isDatasetId(request.dataset)) return undefined;
      throw error;
    });
    if (!source) return datasetSamples(request);
    if (!source.data) return datasetSamples({ ...request, dataset: source.dataset.id, ...(source.dataset.options ? { options: source.dataset.options } : {}) });
    const key = `${request.run.runId}\n${graphFilePath ?? ''}\n${source.data.spec.hash}`;
    if (this.samplesData?.key !== key) {
      await this.assertDataUnchanged(request.run.runId, source);
      this.samplesData = undefined; // the previous one goes before the next is loaded
      const { spec, graphFilePath: base } = source.data;
      this.samplesData = { key, data: await loadUserData(spec, base !== undefined ? { graphFilePath: base } : {}) };
    }
    return samplesOf(this.samplesData.data, request.indices);
  }

  /** The run's checkpoint files (beside the file or pending); throws saying why there are none. */
  async checkpointFiles(runId: string, graphFilePath: string | null): Promise<ModelFile[]> {
    if (!this.deps.checkpoints) throw new Error(`the trainer no longer holds the model of run ${runId} and this host keeps no checkpoints`);
    const read = await this.deps.checkpoints.read(runId, graphFilePath);
    if (read.status === 'ok') return read.files;
    throw new Error(`the trainer no longer holds its model and its checkpoint is ${read.status} (${read.reason})`);
  }
}

/** Most samples one `datasetSamples` request may ask for (the schema's bound). */
export const MAX_SAMPLES_PER_REQUEST = 1000;

/** Samples of a dataset's test split by index, built with the run's options (absent: defaults). */
export function datasetSamples(request: DatasetSamplesRequest): DatasetSamples {
  return samplesOf(loadDataset(request.dataset, request.options ?? {}), request.indices);
}

function samplesOf(data: LoadedDataset<DataInfo>, indices: readonly number[]): DatasetSamples {
  const { test, info } = data;
  const size = info.inputShape.reduce((a, b) => a * b, 1);
  const samples = indices.map((index) => {
    if (index >= test.count) throw new RangeError(`sample ${index} is not in the ${info.id} test split (0..${test.count - 1})`);
    // Regression data has no class labels (its targets are not samples' labels): 0.
    return { index, label: test.labels[index] ?? 0, values: Array.from(test.x.subarray(index * size, (index + 1) * size)) };
  });
  return { datasetId: info.id, inputShape: [...info.inputShape], classNames: [...info.classNames], samples };
}
