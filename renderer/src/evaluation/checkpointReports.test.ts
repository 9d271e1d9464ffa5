import { describe, expect, it } from 'vitest';
import { checkpointReportsStore, checkpointWarning, setCheckpointReports } from './checkpointReports';

describe('checkpoint reports', () => {
  it('keeps the reports of the file opened last, by run', () => {
    setCheckpointReports([{ runId: 'a', status: 'ok' }, { runId: 'b', status: 'damaged', reason: 'weights.bin is 12 bytes, expected 4096' }]);
    setCheckpointReports([{ runId: 'c', status: 'missing' }]);
    expect([...checkpointReportsStore.getState().byRun.keys()]).toEqual(['c']);
    setCheckpointReports(undefined);
    expect(checkpointReportsStore.getState().byRun.size).toBe(0);
  });

  it('warns about missing and damaged weights only', () => {
    expect(checkpointWarning({ runId: 'a', status: 'ok' })).toBeUndefined();
    expect(checkpointWarning(undefined)).toBeUndefined();
    expect(checkpointWarning({ runId: 'c', status: 'missing' })).toBe('kept weights are missing');
    expect(checkpointWarning({ runId: 'b', status: 'damaged', reason: 'sha256 differs' })).toBe('kept weights are damaged: sha256 differs');
  });
});
