/**
 * The narrow view both hosts (web host, Electron main) have of the Node services. Keeping it an interface lets the
 * web host's tests drive the server with real files and datasets but a trainer they control.
 */
import type { ApiHandlers, DatasetInfo, DatasetPreview, GraphFile } from '../../shared/contracts/api';
import type { CheckpointService } from '../services/checkpoints/CheckpointService';
import type { TrainingService } from '../services/training/TrainingService';
import type { ConfinedFolder } from '../services/files/workspaceFiles';
import type { ExistingFile } from '../services/files/writeGraphFileAtomic';
import type { Autosave } from './autosave';
import { graphFileForStart, type DataPaths } from './dataHandlers';
import type { DataJobs } from '../services/data/dataJobs';

/** Training lives with the services (its implementation, TrainerSupervisor, is one); re-exported for the hosts. */
export type { TrainingService } from '../services/training/TrainingService';

export interface DatasetService {
  list(): Promise<DatasetInfo[]>;
  preview(dataset: string, count: number): Promise<DatasetPreview>;
}

export interface GraphFileStore {
  /** Reads, migrates and validates; throws an Error naming the file and the problem. */
  read(absolutePath: string): Promise<GraphFile>;
  /**
   * Canonical JSON, written atomically, after checking that the loader would open it again. With `folder` the write
   * is confined to it (the web host's workspace); without, it goes where the path leads (a path the user chose).
   */
  write(absolutePath: string, file: GraphFile, options?: GraphWriteOptions): Promise<void>;
}

export interface GraphWriteOptions {
  readonly folder?: ConfinedFolder;
  /** How the file is named in errors (`workspace/a.nbrick`). */
  readonly label?: string;
  /** Default `replace`; Save As without the user's confirmation says `refuse`. */
  readonly existing?: ExistingFile;
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
  /** Trained models kept beside saved files; without it (some tests) no checkpoints are kept or reported. */
  readonly checkpoints?: CheckpointService;
  /** Long data requests (issue 14) with progress and cancel; the host forwards its progress as `dataProgress`. */
  readonly dataJobs?: DataJobs;
}

/** The API methods both hosts answer the same way: straight from the dataset, training and autosave services. */
export type ServiceHandlers = Pick<
  ApiHandlers,
  'listDatasets' | 'previewDataset' | 'startTraining' | 'pauseTraining' | 'resumeTraining' | 'stopTraining' | 'takeRecovery'
>;

/**
 * `paths`: how the host reads a start request's `path` (the open file) and which data it may read, for runs on the
 * user's own data; without it such a run resolves its data as given (tests).
 */
export function createServiceHandlers(
  deps: Pick<LabServices, 'datasets' | 'training' | 'autosave'>,
  paths?: Pick<DataPaths, 'graphPath' | 'allowData' | 'unsavedGraphLocation'>,
): ServiceHandlers {
  return {
    async listDatasets() {
      return deps.datasets.list();
    },
    async previewDataset({ dataset, count }) {
      return deps.datasets.preview(dataset, count);
    },
    async startTraining({ graph, config, dataset, path }) {
      // The user's own data resolves beside the open file, in folders the host may read (checked before the trainer).
      const graphFilePath = paths ? await graphFileForStart(paths, { path, config }) : undefined;
      // Without an explicit dataset the run uses the one its config names.
      return {
        runId: await deps.training.start({
          graph,
          config,
          dataset: dataset ?? { id: config.dataset },
          ...(graphFilePath !== undefined ? { graphFilePath } : {}),
        }),
      };
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
