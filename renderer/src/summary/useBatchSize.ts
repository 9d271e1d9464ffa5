/**
 * The batch size memory estimates use: the graph's training batch size, so the summary and the training panel
 * always agree. Changing it here changes the training config.
 */
import { DEFAULT_TRAINING_CONFIG, MAX_BATCH_SIZE } from '../../../shared/format/trainingConfig';
import { documentStore, useDocumentStore } from '../store/documentStore';

export function useBatchSize(): number {
  return useDocumentStore((s) => s.training?.batchSize ?? DEFAULT_TRAINING_CONFIG.batchSize);
}

export function setBatchSize(n: number): void {
  if (!Number.isInteger(n) || n < 1) return;
  const state = documentStore.getState();
  const training = state.training ?? DEFAULT_TRAINING_CONFIG;
  const batchSize = Math.min(n, MAX_BATCH_SIZE);
  if (training.batchSize !== batchSize) state.setTraining({ ...training, batchSize });
}
