import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainerEvent } from '../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { selectBackend } from '../backends/selectBackend';
import { loadDataset } from '../datasets/loadDataset';
import { loadModelFromDir } from './modelFiles';
import { SPIRALS_MLP, XOR_MLP } from './referenceGraphs';
import { TrainingHost } from './TrainingHost';

const host = new TrainingHost();
afterAll(() => host.dispose());

function config(patch: Partial<TrainingConfig>): TrainingConfig {
  return { ...DEFAULT_TRAINING_CONFIG, backend: 'cpu', ...patch };
}

/** Resolves with the first event matching `predicate` (and all events seen until then). */
function waitFor(predicate: (e: TrainerEvent) => boolean, timeoutMs = 30_000): Promise<{ event: TrainerEvent; seen: TrainerEvent[] }> {
  const seen: TrainerEvent[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out; saw ${seen.map((e) => e.type).join(', ')}`));
    }, timeoutMs);
    const off = host.onEvent((e) => {
      seen.push(e);
      if (predicate(e)) {
        clearTimeout(timer);
        off();
        resolve({ event: e, seen });
      }
    });
  });
}

describe('TrainingHost', () => {
  it('runs a training in a child process and streams validated events', async () => {
    const done = waitFor((e) => e.type === 'finished' || e.type === 'failed');
    const runId = await host.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 15, learningRate: 0.05 }) });
    const { event, seen } = await done;
    expect(event.type).toBe('finished');
    if (event.type !== 'finished') return;
    expect(event.runId).toBe(runId);
    expect(event.summary.status).toBe('completed');
    expect(event.summary.final.accuracy).toBe(1);
    expect(seen[0]).toMatchObject({ type: 'started', runId, trainSize: 256, valSize: 64, testSize: 80, backend: { name: 'cpu' } });
    expect(seen.filter((e) => e.type === 'epoch')).toHaveLength(15);
    expect(host.currentRunId).toBeUndefined();
  });

  it('pauses, resumes and stops at batch boundaries', async () => {
    const cfg = config({ dataset: 'spirals', epochs: 500, batchSize: 8 });
    const firstBatch = waitFor((e) => e.type === 'batch');
    const runId = await host.start({ graph: SPIRALS_MLP, config: cfg });
    await firstBatch;
    const paused = waitFor((e) => e.type === 'paused');
    host.pause(runId);
    await paused;
    // Nothing trains while paused.
    const quiet = waitFor((e) => e.type === 'batch' || e.type === 'epoch', 300).catch(() => 'quiet');
    expect(await quiet).toBe('quiet');
    const resumed = waitFor((e) => e.type === 'resumed');
    host.resume(runId);
    await resumed;
    const finished = waitFor((e) => e.type === 'finished');
    host.stop(runId);
    const { event } = await finished;
    expect(event.type === 'finished' && event.summary.status).toBe('stopped');
  });

  it('reports a killed trainer as failed and starts the next run in a fresh process', async () => {
    const firstBatch = waitFor((e) => e.type === 'batch');
    const runId = await host.start({ graph: SPIRALS_MLP, config: config({ dataset: 'spirals', epochs: 500 }) });
    await firstBatch;
    const pid = host.trainerPid!;
    const failed = waitFor((e) => e.type === 'failed');
    process.kill(pid, 'SIGKILL');
    const { event } = await failed;
    expect(event).toMatchObject({ type: 'failed', runId, reason: 'trainer process exited unexpectedly (signal SIGKILL)' });
    expect(host.currentRunId).toBeUndefined();

    const next = waitFor((e) => e.type === 'finished' || e.type === 'failed');
    await host.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 2 }) });
    const after = await next;
    expect(after.event.type).toBe('finished');
    expect(host.trainerPid).not.toBe(pid);
  });

  it('turns setup problems into failed events and refuses invalid requests', async () => {
    const failed = waitFor((e) => e.type === 'failed');
    await host.start({ graph: XOR_MLP, config: config({ dataset: 'mnist', epochs: 1 }) });
    const { event } = await failed;
    expect(event.type === 'failed' && event.reason).toContain("Input 'input' is 2 but dataset 'mnist' gives 28×28×1");
    await expect(host.start({ graph: XOR_MLP, config: { ...config({}), epochs: 0 } })).rejects.toThrow(/Invalid start request: config.epochs/);
    await expect(host.start({ graph: XOR_MLP, config: config({}), dataset: { id: 'xor', options: { samples: 2 } } })).rejects.toThrow(/samples/);
  });

  it('refuses to steer a run it never started, and says when a run has already ended', async () => {
    const steer = (action: 'pause' | 'resume' | 'stop', runId: string) => Promise.resolve().then(() => host[action](runId));
    for (const action of ['pause', 'resume', 'stop'] as const) {
      await expect(steer(action, 'run-never-issued')).rejects.toThrow(/No run run-never-issued/);
    }
    const done = waitFor((e) => e.type === 'finished' || e.type === 'failed');
    const runId = await host.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 2 }) });
    await done;
    await expect(steer('pause', runId)).rejects.toThrow(`Run ${runId} has already ended`);
    await expect(steer('resume', runId)).rejects.toThrow(`Run ${runId} has already ended`);
    // A Stop that races the end of its run is what the user wanted anyway: it succeeds and does nothing.
    await expect(steer('stop', runId)).resolves.toBeUndefined();
  });

  it('starts a new run right after a stop, without waiting for the stopped run to report its end', async () => {
    const firstBatch = waitFor((e) => e.type === 'batch');
    const first = await host.start({ graph: SPIRALS_MLP, config: config({ dataset: 'spirals', epochs: 500 }) });
    await firstBatch;
    const secondDone = waitFor((e) => e.type === 'finished' && e.runId !== first);
    await host.stop(first);
    const second = await host.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 3 }) });
    expect(second).not.toBe(first);
    const { event, seen } = await secondDone;
    expect(event.type === 'finished' && event.summary.status).toBe('completed');
    expect(seen.find((e) => e.runId === first && e.type === 'finished')).toMatchObject({ summary: { status: 'stopped' } });
    expect(seen.filter((e) => e.runId === second && e.type === 'epoch')).toHaveLength(3);
    // While a run is genuinely active (not stopping), a second start is still refused.
    const busy = await host.start({ graph: SPIRALS_MLP, config: config({ dataset: 'spirals', epochs: 500 }) });
    const ended = waitFor((e) => e.type === 'finished' && e.runId === busy);
    await expect(Promise.resolve().then(() => host.start({ graph: XOR_MLP, config: config({ dataset: 'xor' }) }))).rejects.toThrow(
      `A training run (${busy}) is already in progress; stop it first`,
    );
    await host.stop(busy);
    await ended;
  });

  it('trains the graph as it was when the run started, whatever happens to the object afterwards', async () => {
    const graph = structuredClone(XOR_MLP);
    const started = waitFor((e) => e.type === 'started');
    const starting = host.start({ graph, config: config({ dataset: 'xor', epochs: 2 }) });
    (graph.nodes[1]!.params as Record<string, unknown>).units = 3; // an edit made on the canvas just after Start
    const done = waitFor((e) => e.type === 'finished' || e.type === 'failed');
    await starting;
    const { event } = await started;
    expect(event.type === 'started' && event.params).toBe(2 * 16 + 16 + 16 * 2 + 2);
    expect((await done).event.type).toBe('finished');
  });

  it('dispose ends the trainer and reports the active run as shut down', async () => {
    const own = new TrainingHost();
    const events: TrainerEvent[] = [];
    own.onEvent((e) => events.push(e));
    const firstBatch = new Promise<void>((resolve) => own.onEvent((e) => e.type === 'batch' && resolve()));
    const runId = await own.start({ graph: SPIRALS_MLP, config: config({ dataset: 'spirals', epochs: 500 }) });
    await firstBatch;
    await own.dispose();
    expect(events.at(-1)).toEqual({ type: 'failed', runId, reason: 'the trainer process was shut down' });
    await expect(own.start({ graph: XOR_MLP, config: config({}) })).rejects.toThrow('shut down');
  });

  it('dispose kills a trainer that ignores SIGTERM, after the grace period', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nb-stubborn-'));
    try {
      const entry = path.join(dir, 'stubborn.mjs');
      // A trainer stuck in a long kernel: it takes the start, never answers, and ignores SIGTERM.
      await writeFile(entry, "process.on('SIGTERM', () => {}); process.on('message', () => {}); setInterval(() => {}, 1000); console.log('ready');\n");
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      const own = new TrainingHost({ entry, killGraceMs: 200, onLog: (line) => line === 'ready' && ready() });
      const events: TrainerEvent[] = [];
      own.onEvent((e) => events.push(e));
      const runId = await own.start({ graph: XOR_MLP, config: config({ dataset: 'xor' }) });
      const pid = own.trainerPid!;
      await isReady;
      const t0 = performance.now();
      await own.dispose();
      expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
      expect(() => process.kill(pid, 0)).toThrow(); // gone
      expect(events).toEqual([{ type: 'failed', runId, reason: 'the trainer process was shut down' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('quotes the error of a trainer that cannot even start', async () => {
    const own = new TrainingHost({ entry: path.join(tmpdir(), 'no-such-trainer-entry.mjs') });
    const failed = new Promise<TrainerEvent>((resolve) => own.onEvent((e) => e.type === 'failed' && resolve(e)));
    const runId = await own.start({ graph: XOR_MLP, config: config({ dataset: 'xor' }) });
    expect(await failed).toMatchObject({
      runId,
      reason: expect.stringMatching(/^trainer process exited unexpectedly \(exit code 1\): Error: Cannot find module .*no-such-trainer-entry\.mjs/),
    });
    await own.dispose();
  });

  it('names an out-of-memory death of the trainer', async () => {
    // A 24 MB heap cannot hold the trainer (tsx, tfjs; MNIST itself now lives outside the JS heap in typed arrays):
    // V8 aborts the child, as a real OOM would.
    const own = new TrainingHost({ execArgv: ['--import', 'tsx', '--max-old-space-size=24'] });
    const failed = new Promise<TrainerEvent>((resolve) => own.onEvent((e) => e.type === 'failed' && resolve(e)));
    await own.start({ graph: XOR_MLP, config: config({ dataset: 'mnist' }) });
    const event = await failed;
    expect(event.type === 'failed' && event.reason).toMatch(/^trainer process exited unexpectedly \(signal SIGABRT\): .*heap out of memory/);
    await own.dispose();
  });
});

describe('TrainingHost.exportModel', () => {
  const own = new TrainingHost();
  const dirs: string[] = [];
  afterAll(async () => {
    await own.dispose();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'nb-export-'));
    dirs.push(d);
    return d;
  };
  const next = (predicate: (e: TrainerEvent) => boolean) =>
    new Promise<TrainerEvent>((resolve) => {
      const off = own.onEvent((e) => {
        if (predicate(e)) {
          off();
          resolve(e);
        }
      });
    });

  it('writes model.json + weights.bin that load back as the trained model (same test loss as the trainer measured)', async () => {
    const started = next((e) => e.type === 'started');
    const finished = next((e) => e.type === 'finished' || e.type === 'failed');
    // Few epochs on purpose: a half-trained spirals net has a distinctive loss that only the trained weights give.
    const runId = await own.start({ graph: SPIRALS_MLP, config: config({ dataset: 'spirals', epochs: 5, batchSize: 32 }) });
    const startedEvent = await started;
    const params = startedEvent.type === 'started' ? startedEvent.params : -1;
    const done = await finished;
    expect(done.type).toBe('finished');
    if (done.type !== 'finished') return;
    const testLoss = done.summary.final.testLoss!;
    const testAccuracy = done.summary.final.testAccuracy!;
    expect(testLoss).toBeGreaterThan(0);

    const dir = path.join(await tempDir(), 'nested', 'spirals');
    const written = await own.exportModel(runId, dir);
    expect(written).toEqual([path.join(dir, 'model.json'), path.join(dir, 'weights.bin')]);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']); // no temporary files left behind
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect((await readFile(path.join(dir, 'weights.bin'))).byteLength).toBe(params * 4);

    await selectBackend('cpu');
    const model = await loadModelFromDir(dir);
    expect(model.countParams()).toBe(params);
    // The trainer evaluated its in-memory model on the spirals test split; the loaded files must score the same.
    const { test, info } = loadDataset('spirals');
    const x = tf.tensor(test.x, [test.count, ...info.inputShape]);
    const y = tf.oneHot(tf.tensor1d(test.labels, 'int32'), info.classes);
    const probs = model.predict(x) as tf.Tensor;
    const loss = tf.mean(tfl.metrics.categoricalCrossentropy(y, probs)).dataSync()[0]!;
    const accuracy = tf.mean(tfl.metrics.categoricalAccuracy(y, probs)).dataSync()[0]!;
    expect(loss).toBeCloseTo(testLoss, 4);
    expect(accuracy).toBeCloseTo(testAccuracy, 6);
    tf.dispose([x, y, probs]);
    model.dispose();
  });

  it('exports a stopped run, refuses a running one, and drops the old model when a new run starts', async () => {
    const firstBatch = next((e) => e.type === 'batch');
    const runId = await own.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 5000, batchSize: 4 }) });
    await firstBatch;
    await expect(own.exportModel(runId, await tempDir())).rejects.toThrow(/still training/);
    const stopped = next((e) => e.type === 'finished');
    own.stop(runId);
    const event = await stopped;
    expect(event.type === 'finished' && event.summary.status).toBe('stopped');
    const dir = await tempDir();
    await own.exportModel(runId, dir);
    const loaded = await loadModelFromDir(dir);
    expect(loaded.countParams()).toBe(2 * 16 + 16 + 16 * 2 + 2);
    loaded.dispose();
    await expect(own.exportModel('run-unknown', await tempDir())).rejects.toThrow(`only the last finished run (${runId}) can be exported`);

    const done = next((e) => e.type === 'finished' || e.type === 'failed');
    const second = await own.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 2 }) });
    await done;
    await expect(own.exportModel(runId, await tempDir())).rejects.toThrow(`only the last finished run (${second}) can be exported`);
    await own.exportModel(second, await tempDir());
  });

  it('says so when the trainer holding the model has died', async () => {
    const done = next((e) => e.type === 'finished');
    const runId = await own.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 2 }) });
    await done;
    const pid = own.trainerPid!;
    const gone = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (own.trainerPid === undefined) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    process.kill(pid, 'SIGKILL');
    await gone;
    await expect(own.exportModel(runId, await tempDir())).rejects.toThrow(/no longer holds it/);
  });
});
