import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../shared/contracts/api';
import type { ModelFile } from '../../../shared/contracts/trainer';
import { emptyDocument } from '../../../shared/document/model';
import { createGraphFile, type GraphFile } from '../../../shared/format/graphFileSchema';
import type { RunSummary } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { confinedFolder } from '../files/workspaceFiles';
import { checkpointDirFor, pendingCheckpointDir, readCheckpoint } from './checkpointStore';
import { CheckpointService, MAX_PENDING_CHECKPOINTS } from './CheckpointService';
import { SAMPLE_GRAPH_HASH, sampleRun } from '../testing/idleTraining';

const HASH = SAMPLE_GRAPH_HASH;
const modelFiles = (runId: string): ModelFile[] => [
  { name: 'model.json', bytes: new TextEncoder().encode(`{"run":"${runId}"}`) },
  { name: 'weights.bin', bytes: Uint8Array.from(runId, (c) => c.charCodeAt(0)) },
];

const run = sampleRun;

function fileWith(runs: RunSummary[], keepCheckpoints?: number): GraphFile {
  const training = keepCheckpoints === undefined ? DEFAULT_TRAINING_CONFIG : { ...DEFAULT_TRAINING_CONFIG, keepCheckpoints };
  return createGraphFile(emptyDocument('net'), { training, runs });
}

let dir: string;
let ws: string;
let service: CheckpointService;
const logs: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-ckpt-service-'));
  ws = path.join(dir, 'ws');
  mkdirSync(ws);
  logs.length = 0;
  service = new CheckpointService({ stateDir: path.join(ws, '.state'), boundary: confinedFolder(ws, 'the workspace'), log: (l) => logs.push(l) });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Ends runs the way the trainer's events do, with a trainer that hands over their models. */
function finish(...ids: string[]) {
  const training = { modelFiles: async (runId: string) => modelFiles(runId) };
  for (const id of ids) service.onRunEvent({ runId: id, event: { type: 'finished', runId: id, summary: run(id) } } as RunEvent, training);
  return service.settled();
}

describe('CheckpointService', () => {
  it('captures finished runs that claim a checkpoint, and none of the others', async () => {
    const training = { modelFiles: async (runId: string) => modelFiles(runId) };
    service.onRunEvent({ runId: 'run-b', event: { type: 'finished', runId: 'run-b', summary: run('run-b', { checkpoint: undefined }) } } as RunEvent, training);
    service.onRunEvent({ runId: 'run-c', event: { type: 'failed', runId: 'run-c', reason: 'diverged' } } as RunEvent, training);
    await finish('run-a');
    expect(readdirSync(path.join(ws, '.state', 'checkpoints'))).toEqual(['run-a']);
    expect((await service.read('run-a', null)).status).toBe('ok');
  });

  it(`keeps at most ${MAX_PENDING_CHECKPOINTS} pending checkpoints, dropping the oldest run ids`, async () => {
    const ids = Array.from({ length: MAX_PENDING_CHECKPOINTS + 2 }, (_, i) => `run-${String(i).padStart(2, '0')}`);
    for (const id of ids) await finish(id);
    expect(readdirSync(path.join(ws, '.state', 'checkpoints')).sort()).toEqual(ids.slice(2));
  });

  it('keeps the newest keepCheckpoints beside the file; pruned runs keep their records and read as missing "pruned"', async () => {
    await finish('run-1', 'run-2', 'run-3');
    const target = path.join(ws, 'net.nbrick');
    const all = fileWith([run('run-1'), run('run-2'), run('run-3')]);
    expect(await service.carryTo(all, target)).toEqual(['run-1', 'run-2', 'run-3'].map((runId) => ({ runId, status: 'ok' })));
    expect(await service.prune(all, target)).toEqual([]);

    const keepOne = fileWith([run('run-1'), run('run-2', { status: 'failed', checkpoint: undefined }), run('run-3')], 1);
    expect(await service.carryTo(keepOne, target)).toEqual([
      { runId: 'run-1', status: 'missing', reason: 'pruned: only the newest 1 are kept' },
      { runId: 'run-3', status: 'ok' },
    ]);
    expect(await service.prune(keepOne, target)).toEqual(['run-1']);
    // run-2 is not claimed by this file: its folder is not ours to remove.
    expect(readdirSync(`${target}-runs`).sort()).toEqual(['run-2', 'run-3']);
    expect(await service.reportsFor(keepOne, target)).toEqual([
      { runId: 'run-1', status: 'missing', reason: 'pruned: only the newest 1 are kept' },
      { runId: 'run-3', status: 'ok' },
    ]);
    expect(keepOne.runs).toHaveLength(3);
  });

  it('reports damaged and missing checkpoints on open without throwing', async () => {
    await finish('run-1', 'run-2');
    const target = path.join(ws, 'net.nbrick');
    const file = fileWith([run('run-1'), run('run-2'), run('run-9')]);
    await service.carryTo(file, target);
    truncateSync(path.join(checkpointDirFor(target, 'run-2'), 'weights.bin'), 1);
    const reports = await service.reportsFor(file, target);
    expect(reports.map((r) => [r.runId, r.status])).toEqual([['run-1', 'ok'], ['run-2', 'damaged'], ['run-9', 'missing']]);
    expect(reports[1]!.reason).toMatch(/weights\.bin has 1 bytes/);
  });

  it('carries a checkpoint from the source file on Save As, and reports one found nowhere without failing', async () => {
    await finish('run-1');
    const source = path.join(ws, 'a.nbrick');
    const file = fileWith([run('run-1'), run('run-lost')]);
    await service.carryTo(file, source);
    rmSync(path.join(ws, '.state'), { recursive: true });
    const reports = await service.carryTo(file, path.join(ws, 'b.nbrick'), source);
    expect(reports[0]).toEqual({ runId: 'run-1', status: 'ok' });
    expect(reports[1]).toMatchObject({ runId: 'run-lost', status: 'missing' });
    expect((await readCheckpoint(checkpointDirFor(path.join(ws, 'b.nbrick'), 'run-1'), 'run-1')).status).toBe('ok');
  });

  it('refuses a -runs folder linked outside the workspace: nothing is written, read or deleted there', async () => {
    await finish('run-1', 'run-2');
    const outside = path.join(dir, 'outside');
    mkdirSync(outside);
    const target = path.join(ws, 'net.nbrick');
    symlinkSync(outside, `${target}-runs`);
    const file = fileWith([run('run-1'), run('run-2')], 1);
    const carried = await service.carryTo(file, target);
    expect(carried).toEqual([
      { runId: 'run-1', status: 'missing', reason: 'pruned: only the newest 1 are kept' },
      { runId: 'run-2', status: 'damaged', reason: expect.stringMatching(/link to a place outside the workspace/) },
    ]);
    expect(readdirSync(outside)).toEqual([]);
    mkdirSync(path.join(outside, 'run-1'));
    expect(await service.prune(file, target)).toEqual([]);
    expect(existsSync(path.join(outside, 'run-1'))).toBe(true);
    const reports = await service.reportsFor(file, target);
    expect(reports[1]).toMatchObject({ runId: 'run-2', status: 'damaged', reason: expect.stringMatching(/outside the workspace/) });
    // The pending copy is untouched and still usable.
    expect((await readCheckpoint(pendingCheckpointDir(path.join(ws, '.state'), 'run-2'), 'run-2')).status).toBe('ok');
  });
});
