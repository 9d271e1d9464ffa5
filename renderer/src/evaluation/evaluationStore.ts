/**
 * Which run the evaluation view shows, and what it found. Results are kept per run and file, so closing and
 * reopening the view does not evaluate again; opening another file starts afresh (its runs have other weights).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { MistakeOrder } from '../../../shared/evaluation';
import type { EvaluationResult, EvaluationSource } from './evaluationApi';
import type { CellSelection } from './sampleList';

export type EvaluationTab = 'results' | 'try';

export interface OpenEvaluation {
  readonly runId: string;
  readonly path: string | null;
}

interface EvaluationState {
  readonly open?: OpenEvaluation;
  readonly loading: boolean;
  readonly result?: EvaluationResult;
  readonly error?: string;
  readonly selection?: CellSelection;
  readonly order: MistakeOrder;
  readonly tab: EvaluationTab;
}

export const evaluationStore = createStore<EvaluationState>()(() => ({ loading: false, order: 'most-confident-first', tab: 'results' }));

export function useEvaluation<T>(selector: (state: EvaluationState) => T): T {
  return useStore(evaluationStore, selector);
}

const cache = new Map<string, EvaluationResult>();
const cacheKey = (runId: string, path: string | null) => `${path ?? ''}\n${runId}`;

export async function openEvaluation(source: EvaluationSource, runId: string, path: string | null): Promise<void> {
  const open = { runId, path };
  const cached = cache.get(cacheKey(runId, path));
  evaluationStore.setState({ open, loading: !cached, result: cached, error: undefined, selection: undefined, tab: 'results' });
  if (cached) return;
  try {
    const result = await source.evaluate(runId, path);
    cache.set(cacheKey(runId, path), result);
    if (evaluationStore.getState().open === open) evaluationStore.setState({ loading: false, result });
  } catch (error) {
    if (evaluationStore.getState().open === open) {
      evaluationStore.setState({ loading: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

export function closeEvaluation(): void {
  evaluationStore.setState({ open: undefined, result: undefined, error: undefined, selection: undefined, loading: false });
}

export function selectCell(selection: CellSelection | undefined): void {
  evaluationStore.setState({ selection });
}

export function setMistakeOrder(order: MistakeOrder): void {
  evaluationStore.setState({ order });
}

export function setEvaluationTab(tab: EvaluationTab): void {
  evaluationStore.setState({ tab });
}

/** Forget results of runs whose weights may have changed (another file opened, a run re-recorded). */
export function clearEvaluationCache(): void {
  cache.clear();
}
