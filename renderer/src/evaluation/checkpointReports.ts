/**
 * What opening or saving the current file found about its runs' kept weights (missing, damaged, pruned): shown beside
 * each run and in its evaluation, never blocking. Replaced whenever a file is opened or saved; a new document has none.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { CheckpointReport } from '../../../shared/contracts/evaluation';

interface CheckpointReportsState {
  readonly byRun: ReadonlyMap<string, CheckpointReport>;
}

export const checkpointReportsStore = createStore<CheckpointReportsState>()(() => ({ byRun: new Map() }));

export function setCheckpointReports(reports: readonly CheckpointReport[] | undefined): void {
  checkpointReportsStore.setState({ byRun: new Map((reports ?? []).map((r) => [r.runId, r])) });
}

export function useCheckpointReport(runId: string | undefined): CheckpointReport | undefined {
  return useStore(checkpointReportsStore, (s) => (runId === undefined ? undefined : s.byRun.get(runId)));
}

export function useCheckpointReports(): ReadonlyMap<string, CheckpointReport> {
  return useStore(checkpointReportsStore, (s) => s.byRun);
}

/** A short warning for a run whose weights did not come back, or undefined when they did. */
export function checkpointWarning(report: CheckpointReport | undefined): string | undefined {
  if (!report || report.status === 'ok') return undefined;
  const what = report.status === 'missing' ? 'kept weights are missing' : 'kept weights are damaged';
  return report.reason ? `${what}: ${report.reason}` : what;
}
