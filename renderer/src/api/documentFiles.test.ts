import { afterAll, describe, expect, it } from 'vitest';
import type { LabApi, SavedFile } from '../../../shared/contracts/api';
import { checkpointReportsStore, setCheckpointReports } from '../evaluation/checkpointReports';
import { documentStore } from '../store/documentStore';
import { saveGraph, saveGraphAs } from './documentFiles';

const pruned = { runId: 'run-1', status: 'missing', reason: 'pruned: only the newest 1 are kept' } as const;
let answer: SavedFile;
const host = {
  saveFile: async () => answer,
  saveFileAs: async () => answer,
} as unknown as LabApi;
const globals = globalThis as { window?: unknown };
const hadWindow = 'window' in globals;
globals.window = { neuralBricks: host };
afterAll(() => {
  if (!hadWindow) delete globals.window;
});

describe('saving', () => {
  it("shows the save's checkpoint reports beside the runs: a run the save pruned reads missing", async () => {
    setCheckpointReports([{ runId: 'run-1', status: 'ok' }]);
    answer = { path: 'workspace/a.nbrick', name: 'a.nbrick', checkpoints: [pruned, { runId: 'run-2', status: 'ok' }] };
    expect(await saveGraphAs()).toBe(true);
    expect(checkpointReportsStore.getState().byRun.get('run-1')).toEqual(pruned);
    expect(documentStore.getState().filePath).toBe('workspace/a.nbrick');

    answer = { path: 'workspace/a.nbrick', name: 'a.nbrick', checkpoints: [{ runId: 'run-2', status: 'damaged', reason: 'weights.bin cut' }] };
    expect(await saveGraph()).toBe(true);
    expect([...checkpointReportsStore.getState().byRun.values()]).toEqual(answer.checkpoints);
  });

  it('leaves the reports alone when the host keeps no checkpoints', async () => {
    setCheckpointReports([pruned]);
    answer = { path: 'workspace/a.nbrick', name: 'a.nbrick' };
    await saveGraph();
    expect(checkpointReportsStore.getState().byRun.get('run-1')).toEqual(pruned);
  });
});
