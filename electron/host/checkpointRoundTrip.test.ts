/**
 * A trained model travels with its file: a real run in the real trainer process → captured into the pending store →
 * saved through the web handlers (beside the file) → reopened after the trainer is gone → the model loaded from the
 * sidecar predicts exactly what the trainer's model did; Export works from the checkpoint; Save As carries it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandlers, RunEvent } from '../../shared/contracts/api';
import type { ModelFile } from '../../shared/contracts/trainer';
import { createGraphFile } from '../../shared/format/graphFileSchema';
import { graphHash } from '../../shared/format/graphHash';
import type { RunSummary } from '../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../shared/format/trainingConfig';
import { checkpointDirFor, readCheckpoint } from '../services/checkpoints/checkpointStore';
import { CheckpointService } from '../services/checkpoints/CheckpointService';
import { loadModelFromFiles } from '../services/evaluation/modelFromFiles';
import { loadModelFromDir } from '../services/training/modelFiles';
import { XOR_MLP } from '../services/training/referenceGraphs';
import { TrainingHost } from '../services/training/TrainingHost';
import { Autosave } from './autosave';
import type { TrainingService } from './labServices';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';
import { workspaceFolder } from './workspaceFolders';
import { idleTrainingService, sampleRun } from '../services/testing/idleTraining';

const config: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, dataset: 'xor', backend: 'cpu', epochs: 5, learningRate: 0.05 };
const probe = () => tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1], [0.3, -0.7], [2.5, 0.1]]);

let dir: string;
let ws: string;
let stateDir: string;

function lab(training: TrainingService) {
  const folders = { workspace: ws, examples: path.join(dir, 'examples') };
  const checkpoints = new CheckpointService({ stateDir, boundary: workspaceFolder(folders), log: () => {} });
  checkpoints.attach(training);
  const handlers: ApiHandlers = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(stateDir),
    datasets: createDatasetService(),
    training,
    autosave: new Autosave(stateDir),
    checkpoints,
    appVersion: 'test',
  });
  return { handlers, checkpoints };
}

async function outputsOf(model: tfl.LayersModel): Promise<Uint8Array> {
  const input = probe();
  const output = model.predict(input) as tf.Tensor;
  const values = await output.data<'float32'>();
  tf.dispose([input, output]);
  return new Uint8Array(values.buffer.slice(0));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-ckpt-roundtrip-'));
  ws = path.join(dir, 'ws');
  stateDir = path.join(ws, '.neural-bricks');
  mkdirSync(ws);
  mkdirSync(path.join(dir, 'examples'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a trained model travels with its file', () => {
  let summary: RunSummary;
  let trainerFiles: ModelFile[];

  it('trains for real, captures the kept model, saves it beside the file and reopens it bit for bit', async () => {
    const trainer = new TrainingHost();
    try {
      const { handlers, checkpoints } = lab(trainer);
      const finished = new Promise<RunEvent>((resolve) => trainer.onRunEvent((e) => (e.event.type === 'finished' || e.event.type === 'failed') && resolve(e)));
      const { runId } = await handlers.startTraining({ graph: XOR_MLP, config });
      const end = await finished;
      if (end.event.type !== 'finished') throw new Error(`the run did not finish: ${JSON.stringify(end.event)}`);
      summary = end.event.summary;
      expect(summary).toMatchObject({ id: runId, status: 'completed', checkpoint: true, graphHash: graphHash(XOR_MLP) });
      // The model as the trainer holds it, before anything else happens to it.
      trainerFiles = await trainer.modelFiles(runId);
      await checkpoints.settled();
      expect(readdirSync(path.join(stateDir, 'checkpoints'))).toEqual([runId]);

      const file = createGraphFile(XOR_MLP, { training: config, runs: [summary] });
      const saved = await handlers.saveFile({ file, path: 'workspace/xor-net.nbrick' });
      expect(saved.checkpoints).toEqual([{ runId, status: 'ok' }]);
      expect(readdirSync(path.join(ws, 'xor-net.nbrick-runs', runId)).sort()).toEqual(['checkpoint.json', 'model.json', 'weights.bin']);
      // The saved record says so.
      const onDisk = JSON.parse(readFileSync(path.join(ws, 'xor-net.nbrick'), 'utf8'));
      expect(onDisk.runs[0]).toMatchObject({ checkpoint: true, graphHash: summary.graphHash });
    } finally {
      await trainer.dispose();
    }

    // A new lab: the trainer that trained the run is gone.
    const fresh = new TrainingHost();
    try {
      const { handlers } = lab(fresh);
      const opened = await handlers.openFile({ path: 'workspace/xor-net.nbrick' });
      expect(opened?.checkpoints).toEqual([{ runId: summary.id, status: 'ok' }]);

      const kept = await readCheckpoint(checkpointDirFor(path.join(ws, 'xor-net.nbrick'), summary.id), summary.id);
      if (kept.status !== 'ok') throw new Error(kept.reason);
      expect(kept.meta.graphHash).toBe(summary.graphHash);
      const fromTrainer = await loadModelFromFiles(trainerFiles);
      const fromSidecar = await loadModelFromDir(checkpointDirFor(path.join(ws, 'xor-net.nbrick'), summary.id));
      const expected = await outputsOf(fromTrainer);
      expect(await outputsOf(fromSidecar)).toEqual(expected);
      fromTrainer.dispose();
      fromSidecar.dispose();

      // Export: the fresh trainer holds no model for the run, the checkpoint answers.
      const exported = await handlers.exportModel({ runId: summary.id, name: 'xor' });
      expect(exported?.files).toHaveLength(2);
      const exportedModel = await loadModelFromDir(path.join(ws, exported!.directory.replace(/^workspace\//, '')));
      expect(await outputsOf(exportedModel)).toEqual(expected);
      exportedModel.dispose();

      // Save As to a new name: the sidecar travels, copied from the source file's sidecar.
      rmSync(path.join(stateDir, 'checkpoints'), { recursive: true, force: true });
      const copy = await handlers.saveFileAs({ file: opened!.file, suggestedName: 'xor-copy.nbrick', source: 'workspace/xor-net.nbrick' });
      expect(copy?.checkpoints).toEqual([{ runId: summary.id, status: 'ok' }]);
      const reopened = await handlers.openFile({ path: 'workspace/xor-copy.nbrick' });
      expect(reopened?.checkpoints).toEqual([{ runId: summary.id, status: 'ok' }]);
      const copied = await loadModelFromDir(checkpointDirFor(path.join(ws, 'xor-copy.nbrick'), summary.id));
      expect(await outputsOf(copied)).toEqual(expected);
      copied.dispose();
    } finally {
      await fresh.dispose();
    }
  }, 120_000);
});

describe('checkpoints never block a file', () => {
  const idle = (): TrainingService =>
    idleTrainingService({
      exportModel: async () => {
        throw new Error('the trainer no longer holds it');
      },
    });
  const claimed = (id: string): RunSummary => sampleRun(id, { config, final: { loss: 0.5 }, graphHash: graphHash(XOR_MLP) });

  it('opens a file whose checkpoint is damaged or missing, saying why; Export then says why too', async () => {
    const { handlers } = lab(idle());
    const file = createGraphFile(XOR_MLP, { training: config, runs: [claimed('run-gone'), claimed('run-bad')] });
    await handlers.saveFile({ file, path: 'workspace/broken.nbrick' });
    mkdirSync(path.join(ws, 'broken.nbrick-runs', 'run-bad'), { recursive: true });
    writeFileSync(path.join(ws, 'broken.nbrick-runs', 'run-bad', 'checkpoint.json'), '{not json');
    const opened = await handlers.openFile({ path: 'workspace/broken.nbrick' });
    expect(opened?.file.runs).toHaveLength(2);
    expect(opened?.checkpoints).toEqual([
      { runId: 'run-gone', status: 'missing', reason: expect.stringContaining('no checkpoint folder') },
      { runId: 'run-bad', status: 'damaged', reason: expect.stringContaining('checkpoint.json is not valid JSON') },
    ]);
    await expect(handlers.exportModel({ runId: 'run-bad' })).rejects.toThrow(/the trainer no longer holds it; and its checkpoint is damaged/);
  });

  it('names places by their page paths in reasons and errors, never by where the workspace is on the host', async () => {
    const { handlers } = lab(idle());
    const file = createGraphFile(XOR_MLP, { training: config, runs: [claimed('run-cut')] });
    await handlers.saveFile({ file, path: 'workspace/cut.nbrick' });
    const folder = path.join(ws, 'cut.nbrick-runs', 'run-cut');
    mkdirSync(folder, { recursive: true });
    const meta = { format: 'neural-bricks/checkpoint', formatVersion: 1, runId: 'run-cut', graphHash: graphHash(XOR_MLP), createdAt: '2026-12-06T10:00:00.000Z' };
    writeFileSync(path.join(folder, 'model.json'), '{}');
    writeFileSync(path.join(folder, 'weights.bin'), 'xx');
    writeFileSync(path.join(folder, 'checkpoint.json'), JSON.stringify({ ...meta, files: [{ name: 'weights.bin', bytes: 2, sha256: '0'.repeat(64) }] }));
    const opened = await handlers.openFile({ path: 'workspace/cut.nbrick' });
    const [report] = opened!.checkpoints;
    expect(report?.status).toBe('damaged');
    expect(report?.reason).toContain('workspace/cut.nbrick-runs/run-cut');
    expect(report?.reason).not.toContain(dir);
    const resaved = await handlers.saveFile({ file, path: 'workspace/cut.nbrick' });
    expect(resaved.checkpoints?.[0]?.reason).toContain('workspace/cut.nbrick-runs/run-cut');
    expect(JSON.stringify(resaved)).not.toContain(dir);
    // An error that names the file's folder on the host: the page reads its page path.
    const trainer: TrainingService = {
      ...idle(),
      // As the real trainer does when it no longer holds the model: it asks for the checkpoint.
      evaluate: async (request) => {
        await request.modelFiles();
        throw new Error('unreachable: the checkpoint is damaged');
      },
    };
    const evaluating = lab(trainer).handlers.evaluateRun({ runId: 'run-cut', path: 'workspace/cut.nbrick' });
    const message = await evaluating.then(() => '', (error: Error) => error.message);
    expect(message).toMatch(/its checkpoint is damaged \(.*workspace\/cut\.nbrick-runs\/run-cut/);
    expect(message).not.toContain(dir);
  });

  it('saves a file whose -runs folder is a link out of the workspace without writing there', async () => {
    const outside = path.join(dir, 'outside');
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, path.join(ws, 'linked.nbrick-runs'));
    const { handlers } = lab(idle());
    const saved = await handlers.saveFile({ file: createGraphFile(XOR_MLP, { runs: [claimed('run-1')] }), path: 'workspace/linked.nbrick' });
    expect(saved.checkpoints).toEqual([{ runId: 'run-1', status: 'damaged', reason: expect.stringMatching(/link to a place outside the workspace/) }]);
    expect(readdirSync(outside)).toEqual([]);
    expect((await handlers.openFile({ path: 'workspace/linked.nbrick' }))?.checkpoints[0]?.status).toBe('damaged');
  });
});
