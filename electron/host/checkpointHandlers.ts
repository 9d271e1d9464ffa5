/**
 * What both hosts do the same way with checkpoints around their own file dialogs: Export falls back to a run's kept
 * checkpoint when the trainer no longer holds its model (after a restart, or once the file is reopened).
 */
import { writeModelFiles } from '../services/training/writeModelFiles';
import type { LabServices } from './labServices';

/** Writes the run's model into `dir` (absolute, already confined by the caller); resolves to the paths, model.json first. */
export async function exportModelWithCheckpointFallback(
  deps: Pick<LabServices, 'training' | 'checkpoints'>,
  runId: string,
  dir: string,
  graphFilePath: string | null = null,
): Promise<string[]> {
  try {
    return await deps.training.exportModel(runId, dir);
  } catch (fromTrainer) {
    if (!deps.checkpoints) throw fromTrainer;
    const kept = await deps.checkpoints.read(runId, graphFilePath);
    if (kept.status !== 'ok') {
      const reason = fromTrainer instanceof Error ? fromTrainer.message : String(fromTrainer);
      throw new Error(`${reason}; and its checkpoint is ${kept.status} (${kept.reason})`, { cause: fromTrainer });
    }
    return writeModelFiles(dir, kept.files);
  }
}
