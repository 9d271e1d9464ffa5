/**
 * Training as the hosts (web host, Electron main) see it. It lives with the training services, below the hosts,
 * because the one implementation, TrainerSupervisor, is a service; host/labServices.ts re-exports it.
 */
import type { RunEvent } from '../../../shared/contracts/api';
import type { DatasetRef } from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';

export interface TrainingService {
  /**
   * Starts a run and resolves to its id. The run trains the graph as it is now: later changes to `graph` do not
   * reach it. If the previous run is stopping, waits (briefly) for it to end; if a run is active, rejects.
   */
  start(request: { graph: GraphDocument; config: TrainingConfig; dataset: DatasetRef }): Promise<string>;
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
  onRunEvent(listener: (event: RunEvent) => void): () => void;
  /** Ends every run and the trainer process. */
  dispose(): Promise<void>;
}
