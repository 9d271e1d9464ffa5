/**
 * Training as the hosts (web host, Electron main) see it. It lives with the training services, below the hosts,
 * because the one implementation, TrainerSupervisor, is a service; host/labServices.ts re-exports it.
 */
import type { RunEvent } from '../../../shared/contracts/api';
import type { PredictResult, RunEvaluation } from '../../../shared/contracts/evaluation';
import type { DatasetRef, ModelFile, UserDataRef } from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import type { InsightQueries } from '../insight/insightQueries';

export interface TrainingService {
  /**
   * Starts a run and resolves to its id. The run trains the graph as it is now: later changes to `graph` do not
   * reach it. If the previous run is stopping, waits (briefly) for it to end; if a run is active, rejects.
   */
  start(request: StartTrainingRequest): Promise<string>;
  /** Pause, resume and stop reject for a run id that was never started here, and say when a run already ended. */
  pause(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
  /** Stopping a run that has already ended succeeds and does nothing (a Stop can race the run's own end). */
  stop(runId: string): Promise<void>;
  /**
   * Writes the trained model of a finished or stopped run (tfjs layers: model.json + weights.bin) into `dir`, an
   * absolute folder the host chose; resolves to the absolute paths written, model.json first.
   */
  exportModel(runId: string, dir: string): Promise<string[]>;
  /**
   * The same model as bytes (model.json + weights.bin), for keeping it as a checkpoint. Optional: a host's test double
   * may leave it out, and then no checkpoint is captured.
   */
  modelFiles?(runId: string): Promise<ModelFile[]>;
  onRunEvent(listener: (event: RunEvent) => void): () => void;
  /** Evaluation and prediction (see {@link ModelQueries}); optional so a host's test double may leave them out. */
  evaluate?: ModelQueries['evaluate'];
  predict?: ModelQueries['predict'];
  runSettings?: ModelQueries['runSettings'];
  /** Signal propagation and loss landscapes (see InsightQueries); optional like evaluation. */
  signalPropagation?: InsightQueries['signalPropagation'];
  lossLandscape?: InsightQueries['lossLandscape'];
  cancelInsight?: InsightQueries['cancelInsight'];
  onInsightProgress?: InsightQueries['onInsightProgress'];
  /** Ends every run and the trainer process. */
  dispose(): Promise<void>;
}

export interface StartTrainingRequest {
  readonly graph: GraphDocument;
  readonly config: TrainingConfig;
  readonly dataset: DatasetRef;
  /** The document's .nbrick file (absolute), so a relative `config.data.path` resolves beside it. */
  readonly graphFilePath?: string;
}

/** What a run trained on: enough to rebuild its test split. */
export interface RunSettings {
  readonly config: TrainingConfig;
  readonly dataset: DatasetRef;
  /** Where `config.data`'s relative path resolves (the document's file when the run started). */
  readonly graphFilePath?: string;
}

export interface EvaluateModelRequest {
  readonly runId: string;
  /**
   * Read when the trainer holds no model for the run (neither its last run's nor the last one loaded): a checkpoint's
   * files. It throws (or resolves undefined) when there are none, and its Error says why.
   */
  readonly modelFiles: () => Promise<ModelFile[] | undefined>;
  /** The run's dataset (with its options): its test split is the one evaluated. */
  readonly dataset: DatasetRef;
  /** The run trained on the user's own data: its recorded spec (evaluated on that data's test split). */
  readonly data?: UserDataRef;
  readonly maxMistakes: number;
  /** The backend the run trained on, so the predictions are the ones its testAccuracy was computed from. */
  readonly backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

export interface PredictModelRequest {
  readonly runId: string;
  readonly shape: readonly number[];
  readonly values: readonly number[];
  /** As in {@link EvaluateModelRequest}. */
  readonly modelFiles: () => Promise<ModelFile[] | undefined>;
}

/** Questions about trained models, answered by the trainer (the one process with tfjs); TrainerSupervisor implements it. */
export interface ModelQueries {
  evaluate(request: EvaluateModelRequest): Promise<RunEvaluation>;
  predict(request: PredictModelRequest): Promise<PredictResult>;
  /** The settings of a run started by this host (kept for the last few hundred runs). */
  runSettings(runId: string): RunSettings | undefined;
}
