/**
 * Your own data through the web host's LabApi (issue 14), over a real workspace on disk: inspectData, proposeFromData
 * and checkData stay inside the workspace (a `..` path, an absolute one and a link leading out are refused), and a
 * run started the way the app starts it (startTraining with the open file's path → TrainerSupervisor → the real
 * trainer loop over an in-memory port) trains on a CSV and is evaluated with per-class results named by the CSV's
 * classes — and refused once the CSV changed.
 */
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRequest, type ApiHandlers, type ApiMethod } from '../../shared/contracts/api';
import { trainerToHostSchema, type HostToTrainer, type TrainerEvent } from '../../shared/contracts/trainer';
import { checkGraphFitsData } from '../../shared/data/checkGraphFitsData';
import { createGraphFile } from '../../shared/format/graphFileSchema';
import { serializeGraphFile } from '../../shared/format/serializeGraphFile';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../shared/format/trainingConfig';
import { serveTrainer } from '../services/training/serveTrainer';
import { TrainerSupervisor } from '../services/training/TrainerSupervisor';
import type { TrainerTransport } from '../services/training/trainerTransport';
import { idleTrainingService } from '../services/testing/idleTraining';
import { DataJobs } from '../services/data/dataJobs';
import type { DataProgress } from '../../shared/contracts/data';
import { Autosave } from './autosave';
import type { TrainingService } from './labServices';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';

const PENGUINS = path.resolve(__dirname, '../../examples/data/penguins.csv');

let dir: string;
let ws: string;
let outside: string;

function handlersWith(training: TrainingService): ApiHandlers {
  return createWebHandlers({
    folders: { workspace: ws, examples: path.join(dir, 'examples') },
    files: createGraphFileStore(),
    recent: createRecentFiles(path.join(ws, '.neural-bricks')),
    datasets: createDatasetService(),
    training,
    autosave: new Autosave(path.join(ws, '.neural-bricks')),
    appVersion: 'test',
  });
}

/** Every request goes through the same validation as on the wire. */
function call<M extends ApiMethod>(handlers: ApiHandlers, method: M, request: unknown) {
  return (handlers[method] as (r: unknown) => Promise<unknown>)(parseRequest(method, request));
}
const errorOf = async (promise: Promise<unknown>) => promise.then(() => 'no error', (e: unknown) => (e as Error).message);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-data-handlers-'));
  ws = path.join(dir, 'ws');
  outside = path.join(dir, 'outside');
  for (const folder of [path.join(ws, 'data'), outside, path.join(dir, 'examples')]) mkdirSync(folder, { recursive: true });
  copyFileSync(PENGUINS, path.join(ws, 'data', 'penguins.csv'));
  writeFileSync(path.join(outside, 'secret.csv'), 'a,b\n1,2\n3,4\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectData / proposeFromData / checkData in the web host', () => {
  it('reports progress of a job by its id, and a cancel stops it', async () => {
    const jobs = new DataJobs();
    const handlers = createWebHandlers({
      folders: { workspace: ws, examples: path.join(dir, 'examples') },
      files: createGraphFileStore(),
      recent: createRecentFiles(path.join(ws, '.neural-bricks')),
      datasets: createDatasetService(),
      training: idleTrainingService(),
      autosave: new Autosave(path.join(ws, '.neural-bricks')),
      dataJobs: jobs,
      appVersion: 'test',
    });
    const rows = ['a,b,c,label'];
    for (let i = 0; i < 300_000; i++) rows.push(`${i},${(i * 7) % 13},${(i % 5) / 3},${i % 3 ? 'x' : 'y'}`);
    writeFileSync(path.join(ws, 'data', 'big.csv'), rows.join('\n'));
    const progress: DataProgress[] = [];
    jobs.onProgress((p) => progress.push(p));
    const done = (await call(handlers, 'inspectData', { path: 'workspace/data/big.csv', jobId: 'job-1' })) as { rows: number };
    expect(done.rows).toBe(300_000);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.jobId === 'job-1' && p.message.endsWith('rows read'))).toBe(true);

    let cancelled = false;
    const unsubscribe = jobs.onProgress((p) => {
      if (p.jobId === 'job-2' && !cancelled) {
        cancelled = true;
        void call(handlers, 'cancelDataJob', { jobId: 'job-2' });
      }
    });
    expect(await errorOf(call(handlers, 'inspectData', { path: 'workspace/data/big.csv', jobId: 'job-2' }))).toBe('Data job job-2 was cancelled');
    unsubscribe();
    expect(cancelled).toBe(true);
  });

  it('inspects a table in the workspace, naming it by its page path', async () => {
    const handlers = handlersWith(idleTrainingService());
    const inspection = (await call(handlers, 'inspectData', { path: 'workspace/data/penguins.csv' })) as Awaited<ReturnType<ApiHandlers['inspectData']>>;
    expect(inspection?.kind).toBe('table');
    if (inspection?.kind !== 'table') return;
    expect(inspection.path).toBe('workspace/data/penguins.csv');
    expect(inspection.rows).toBe(344);
    const species = inspection.columns.find((c) => c.name === 'Species');
    expect(species?.type).toBe('categorical');
    expect(species?.valueCounts?.map((v) => v.value).sort()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(inspection.columns.find((c) => c.name === 'Body Mass (g)')?.type).toBe('numeric');
  });

  it('refuses data outside the workspace: .. segments, other roots, absolute paths and links leading out', async () => {
    const handlers = handlersWith(idleTrainingService());
    symlinkSync(path.join(outside, 'secret.csv'), path.join(ws, 'link.csv'));
    expect(await errorOf(call(handlers, 'inspectData', { path: 'workspace/../outside/secret.csv' }))).toMatch(/refused: empty, "\." or "\.\." segments/);
    expect(await errorOf(call(handlers, 'inspectData', { path: path.join(outside, 'secret.csv') }))).toMatch(/must start with "workspace\/"/);
    expect(await errorOf(call(handlers, 'inspectData', { path: 'workspace/link.csv' }))).toMatch(/"workspace\/link\.csv" refused: it is a link to a place outside/);
    expect(await errorOf(call(handlers, 'proposeFromData', { path: 'workspace/link.csv' }))).toMatch(/link to a place outside/);
    expect(await errorOf(call(handlers, 'inspectData', {}))).toMatch(/no file dialog/);
  });

  it('proposes a fitted spec (path relative to the graph file) and a graph that fits it', async () => {
    const handlers = handlersWith(idleTrainingService());
    const proposal = (await call(handlers, 'proposeFromData', {
      path: 'workspace/data/penguins.csv',
      graphPath: 'workspace/net.nbrick',
      target: 'Species',
    })) as Awaited<ReturnType<ApiHandlers['proposeFromData']>>;
    expect(proposal.spec.path).toBe('data/penguins.csv');
    expect(proposal.shape.task).toBe('classification');
    expect(proposal.shape.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    // 4 numeric columns, Island (3) and Sex (2 + missing handled by the policy) one-hot.
    expect(proposal.shape.inputShape[0]).toBeGreaterThanOrEqual(9);
    const shape = { name: 'penguins.csv', kind: 'table' as const, inputShape: proposal.shape.inputShape, task: proposal.shape.task, classNames: proposal.shape.classNames };
    expect(checkGraphFitsData(proposal.graph, shape)).toEqual([]);
    expect(proposal.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Dense', 'Output']);
    // A new document (no graph path) is taken to live in the workspace.
    const unsaved = (await call(handlers, 'proposeFromData', { path: 'workspace/data/penguins.csv', target: 'Body Mass (g)' })) as Awaited<ReturnType<ApiHandlers['proposeFromData']>>;
    expect(unsaved.spec.path).toBe('data/penguins.csv');
    expect(unsaved.shape.task).toBe('regression');
    expect(unsaved.graph.nodes.at(-1)?.params).toMatchObject({ task: 'regression', units: 1 });
    expect(await errorOf(call(handlers, 'proposeFromData', { path: 'workspace/data/penguins.csv', target: 'Colour' }))).toMatch(/has no column 'Colour'/);
  });

  it('checks a graph file\'s data: same, changed (naming both hashes), missing; data recorded outside is refused', async () => {
    const handlers = handlersWith(idleTrainingService());
    const { spec } = (await call(handlers, 'proposeFromData', { path: 'workspace/data/penguins.csv', graphPath: 'workspace/net.nbrick' })) as Awaited<
      ReturnType<ApiHandlers['proposeFromData']>
    >;
    writeFileSync(path.join(ws, 'net.nbrick'), '{}'); // checkData reads only the data; the graph file must exist
    expect(await call(handlers, 'checkData', { graphFilePath: 'workspace/net.nbrick', data: spec })).toEqual({ status: 'same', path: 'workspace/data/penguins.csv' });
    appendFileSync(path.join(ws, 'data', 'penguins.csv'), 'Adelie,Dream,40,18,190,3900,MALE\n');
    const changed = (await call(handlers, 'checkData', { graphFilePath: 'workspace/net.nbrick', data: spec })) as { status: string; message: string };
    expect(changed.status).toBe('changed');
    expect(changed.message).toContain('workspace/data/penguins.csv changed');
    expect(changed.message).not.toContain(ws);
    rmSync(path.join(ws, 'data', 'penguins.csv'));
    expect(await call(handlers, 'checkData', { graphFilePath: 'workspace/net.nbrick', data: spec })).toMatchObject({ status: 'missing' });
    const escaping = { ...spec, path: '../outside/secret.csv' };
    expect(await errorOf(call(handlers, 'checkData', { graphFilePath: 'workspace/net.nbrick', data: escaping }))).toMatch(/refused: data must be inside the workspace/);
  });
});

/** The real trainer loop in this process: messages validated and cloned, delivered asynchronously like IPC. */
function inMemoryTrainer(): TrainerTransport {
  const toHost: ((message: unknown) => void)[] = [];
  let toTrainer: ((message: unknown) => void) | undefined;
  const exits: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
  serveTrainer({
    post: (message) => {
      trainerToHostSchema.parse(message);
      const copy = structuredClone(message);
      setImmediate(() => toHost.forEach((listener) => listener(copy)));
    },
    onMessage: (listener) => (toTrainer = listener),
  });
  return {
    pid: 1,
    send: (message: HostToTrainer) => {
      const copy = structuredClone(message);
      setImmediate(() => toTrainer?.(copy));
    },
    onMessage: (listener) => void toHost.push(listener),
    onOutput: () => undefined,
    onExit: (listener) => void exits.push(listener),
    kill: () => setImmediate(() => exits.forEach((listener) => listener({ code: 0, signal: null }))),
  };
}

describe('a run on a CSV, started and evaluated as the app does', () => {
  it('trains through startTraining with the open file\'s path, evaluates per class with the CSV\'s class names, and refuses changed data', async () => {
    const supervisor = new TrainerSupervisor(() => inMemoryTrainer(), { onLog: () => undefined });
    try {
      const handlers = handlersWith(supervisor);
      const proposal = (await call(handlers, 'proposeFromData', {
        path: 'workspace/data/penguins.csv',
        graphPath: 'workspace/net.nbrick',
        target: 'Species',
      })) as Awaited<ReturnType<ApiHandlers['proposeFromData']>>;
      const config: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, dataset: 'penguins.csv', backend: 'cpu', epochs: 20, batchSize: 16, learningRate: 0.01, data: proposal.spec };
      writeFileSync(path.join(ws, 'net.nbrick'), '{}');

      // A relative data path with a file the host may not read, or data outside the workspace, never reaches the trainer.
      expect(await errorOf(call(handlers, 'startTraining', { graph: proposal.graph, config, path: '../net.nbrick' }))).toMatch(/refused/);
      expect(await errorOf(call(handlers, 'startTraining', { graph: proposal.graph, config: { ...config, data: { ...proposal.spec, path: '../outside/secret.csv' } }, path: 'workspace/net.nbrick' }))).toMatch(
        /data must be inside the workspace/,
      );

      let testSize = -1;
      const ended = new Promise<TrainerEvent>((resolve) =>
        supervisor.onRunEvent(({ event }) => {
          if (event.type === 'started') testSize = event.testSize;
          if (event.type === 'finished' || event.type === 'failed') resolve(event);
        }),
      );
      const { runId } = (await call(handlers, 'startTraining', { graph: proposal.graph, config, path: 'workspace/net.nbrick' })) as { runId: string };
      const end = await ended;
      if (end.type === 'failed') throw new Error(`run failed: ${end.reason}`);
      expect(end.type).toBe('finished');
      if (end.type !== 'finished') return;
      expect(end.summary.data?.kind).toBe('table');
      const testAccuracy = end.summary.final.testAccuracy ?? 0;
      expect(testAccuracy).toBeGreaterThan(0.9);

      // Not saved in a file yet: the host remembers what the run trained on (and where its data path resolves).
      const evaluation = (await call(handlers, 'evaluateRun', { runId, path: null })) as Awaited<ReturnType<ApiHandlers['evaluateRun']>>;
      expect(evaluation.task).toBe('classification');
      if (evaluation.task !== 'classification') return;
      expect(evaluation.labels).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(evaluation.metrics.accuracy).toBeCloseTo(testAccuracy, 5);
      expect(evaluation.metrics.perClass).toHaveLength(3);
      // The run's own test split of the CSV (15 % of 344 rows), not a bundled dataset's.
      expect(evaluation.data.sampleCount).toBe(testSize);
      expect(testSize).toBeGreaterThan(40);
      expect(testSize).toBeLessThan(60);
      expect(evaluation.metrics.perClass.reduce((n, c) => n + c.support, 0)).toBe(testSize);

      // The gallery's samples come from the same split of the CSV, encoded as the model saw them.
      const samples = (await call(handlers, 'datasetSamples', {
        dataset: evaluation.data.datasetId,
        run: { runId, path: null },
        split: 'test',
        indices: [0, testSize - 1],
      })) as Awaited<ReturnType<ApiHandlers['datasetSamples']>>;
      expect(samples.datasetId).toBe('penguins.csv');
      expect(samples.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(samples.samples.map((x) => x.values.length)).toEqual([proposal.shape.inputShape[0], proposal.shape.inputShape[0]]);
      expect(samples.samples.every((x) => x.label >= 0 && x.label < 3)).toBe(true);
      expect(await errorOf(call(handlers, 'datasetSamples', { dataset: 'penguins.csv', run: { runId, path: null }, split: 'test', indices: [testSize] }))).toMatch(/not in the penguins\.csv test split/);

      // Insight on the same data: signal propagation of the graph (its config.data beside the open file) and a loss
      // landscape around the run's weights, both on the CSV rather than a bundled dataset.
      const signal = (await call(handlers, 'signalPropagation', { graph: proposal.graph, config, path: 'workspace/net.nbrick', samples: 32 })) as Awaited<
        ReturnType<ApiHandlers['signalPropagation']>
      >;
      expect(signal.datasetId).toBe('penguins.csv');
      expect(signal.nodes.length).toBeGreaterThan(1);
      const landscape = (await call(handlers, 'lossLandscape', { runId, path: null, jobId: 'l-1', options: { samples: 64, lineSteps: 5, gridSize: 0 } })) as Awaited<
        ReturnType<ApiHandlers['lossLandscape']>
      >;
      expect(landscape.datasetId).toBe('penguins.csv');
      expect(landscape.centerLoss).toBeGreaterThan(0);
      expect(landscape.line.losses).toHaveLength(5);

      // Saved: the run's record in the file names its fitted spec, resolved beside the file.
      const saved = { ...createGraphFile(proposal.graph), training: config, runs: [end.summary] };
      writeFileSync(path.join(ws, 'net.nbrick'), serializeGraphFile(saved));
      const fromFile = (await call(handlers, 'evaluateRun', { runId, path: 'workspace/net.nbrick' })) as Awaited<ReturnType<ApiHandlers['evaluateRun']>>;
      expect(fromFile.task === 'classification' && fromFile.labels).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(fromFile.task === 'classification' && fromFile.metrics.accuracy).toBeCloseTo(testAccuracy, 5);

      appendFileSync(path.join(ws, 'data', 'penguins.csv'), 'Adelie,Dream,40,18,190,3900,MALE\n');
      expect(await errorOf(call(handlers, 'evaluateRun', { runId, path: 'workspace/net.nbrick' }))).toMatch(/changed since this graph recorded it/);
      expect(await errorOf(call(handlers, 'evaluateRun', { runId, path: null }))).toMatch(
        /Cannot measure run .+ on its data: The table workspace\/data\/penguins\.csv changed since this graph recorded it/,
      );
    } finally {
      await supervisor.dispose();
    }
  }, 120_000);
});

describe('a run on an image folder, started and evaluated as the app does', () => {
  it('proposes from the folder, trains, and evaluates with the folder\'s class names', async () => {
    cpSync(path.join(__dirname, '../services/data/fixtures/images/shapes'), path.join(ws, 'shapes'), { recursive: true });
    const supervisor = new TrainerSupervisor(() => inMemoryTrainer(), { onLog: () => undefined });
    try {
      const handlers = handlersWith(supervisor);
      const inspection = (await call(handlers, 'inspectData', { path: 'workspace/shapes' })) as Awaited<ReturnType<ApiHandlers['inspectData']>>;
      expect(inspection?.kind === 'imageFolder' && inspection.classes.map((c) => [c.name, c.thumbnails.length > 0])).toEqual([
        ['circle', true],
        ['square', true],
        ['triangle', true],
      ]);
      expect(inspection?.path).toBe('workspace/shapes');
      const proposal = (await call(handlers, 'proposeFromData', { path: 'workspace/shapes', graphPath: 'workspace/net.nbrick' })) as Awaited<
        ReturnType<ApiHandlers['proposeFromData']>
      >;
      expect(proposal.spec.path).toBe('shapes');
      writeFileSync(path.join(ws, 'net.nbrick'), '{}');
      const config: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, dataset: 'shapes', backend: 'cpu', epochs: 3, batchSize: 8, data: proposal.spec };
      const ended = new Promise<TrainerEvent>((resolve) =>
        supervisor.onRunEvent(({ event }) => {
          if (event.type === 'finished' || event.type === 'failed') resolve(event);
        }),
      );
      const { runId } = (await call(handlers, 'startTraining', { graph: proposal.graph, config, path: 'workspace/net.nbrick' })) as { runId: string };
      const end = await ended;
      if (end.type === 'failed') throw new Error(`run failed: ${end.reason}`);
      const evaluation = (await call(handlers, 'evaluateRun', { runId, path: null })) as Awaited<ReturnType<ApiHandlers['evaluateRun']>>;
      expect(evaluation.task === 'classification' && evaluation.labels).toEqual(['circle', 'square', 'triangle']);
      expect(evaluation.task === 'classification' && evaluation.metrics.perClass).toHaveLength(3);
      expect(evaluation.data.inputShape).toEqual(proposal.shape.inputShape);
      // The gallery's images come from the folder's test split, as the model saw them (H×W×C values each).
      const samples = (await call(handlers, 'datasetSamples', { dataset: evaluation.data.datasetId, run: { runId, path: null }, split: 'test', indices: [0] })) as Awaited<
        ReturnType<ApiHandlers['datasetSamples']>
      >;
      const [h = 0, w = 0, c = 0] = proposal.shape.inputShape;
      expect(samples.samples[0]!.values).toHaveLength(h * w * c);
      expect(samples.classNames).toEqual(['circle', 'square', 'triangle']);
    } finally {
      await supervisor.dispose();
    }
  }, 120_000);
});
