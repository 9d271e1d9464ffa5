/**
 * The narrow view both hosts (web host, Electron main) have of the Node services. Keeping it an interface lets the
 * web host's tests drive the server with real files and datasets but a trainer they control.
 */
import type { ApiHandlers, DatasetInfo, DatasetPreview, GraphFile, RunEvent } from '../../shared/contracts/api';
import type { GraphDocument } from '../../shared/document/model';
import type { TrainingConfig } from '../../shared/format/trainingConfig';
import type { DatasetRef } from '../../shared/contracts/trainer';
import type { Autosave } from './autosave';

export interface TrainingService {
  start(request: { graph: GraphDocument; config: TrainingConfig; dataset: DatasetRef }): Promise<string>;
  pause(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
  stop(runId: string): Promise<void>;
  /**
   * Writes the trained model of a finished or stopped run (tfjs layers: model.json + weights.bin) into `dir`, an
   * absolute folder the host chose; resolves to the absolute paths written, model.json first.
   */
  exportModel(runId: string, dir: string): Promise<string[]>;
  onRunEvent(listener: (event: RunEvent) => void): () => void;
  /** Ends every run and the trainer process. */
  dispose(): Promise<void>;
}

export interface DatasetService {
  list(): Promise<DatasetInfo[]>;
  preview(dataset: string, count: number): Promise<DatasetPreview>;
}

export interface GraphFileStore {
  /** Reads, migrates and validates; throws an Error naming the file and the problem. */
  read(absolutePath: string): Promise<GraphFile>;
  /** Canonical JSON, written atomically. */
  write(absolutePath: string, file: GraphFile): Promise<void>;
}

export interface RecentFiles {
  list(): Promise<string[]>;
  add(absolutePath: string): Promise<void>;
}

/** The services both hosts are built on (each adds its own way of finding files). */
export interface LabServices {
  readonly files: GraphFileStore;
  readonly recent: RecentFiles;
  readonly datasets: DatasetService;
  readonly training: TrainingService;
  readonly autosave: Autosave;
}

/** The API methods both hosts answer the same way: straight from the dataset, training and autosave services. */
export type ServiceHandlers = Pick<
  ApiHandlers,
  'listDatasets' | 'previewDataset' | 'startTraining' | 'pauseTraining' | 'resumeTraining' | 'stopTraining' | 'takeRecovery'
>;

export function createServiceHandlers(deps: Pick<LabServices, 'datasets' | 'training' | 'autosave'>): ServiceHandlers {
  return {
    async listDatasets() {
      return deps.datasets.list();
    },
    async previewDataset({ dataset, count }) {
      return deps.datasets.preview(dataset, count);
    },
    async startTraining({ graph, config, dataset }) {
      // Without an explicit dataset the run uses the one its config names.
      return { runId: await deps.training.start({ graph, config, dataset: dataset ?? { id: config.dataset } }) };
    },
    async pauseTraining({ runId }) {
      await deps.training.pause(runId);
    },
    async resumeTraining({ runId }) {
      await deps.training.resume(runId);
    },
    async stopTraining({ runId }) {
      await deps.training.stop(runId);
    },
    async takeRecovery({ discard }) {
      return deps.autosave.takeRecovery(discard);
    },
  };
}
