import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphHash } from '../../../shared/format/graphHash';
import { runSummarySchema } from '../../../shared/format/runSummary';
import { checkpointDirFor, readCheckpoint } from '../../services/checkpoints/checkpointStore';
import { loadDataset } from '../../services/datasets/loadDataset';
import { loadModelFromDir } from '../../services/training/modelFiles';
import type { CliIo } from '../command';
import { main } from '../main';
import { buildDeepChain } from '../../../shared/inference/buildGraph';
import { createGraphFile } from '../../../shared/format/graphFileSchema';
import { MAX_NODES } from '../../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { runCli } from '../testing/runCli';

const repo = path.resolve(import.meta.dirname, '../../..');
const xorExample = path.join(repo, 'examples/xor.nbrick');
const spiralsExample = path.join(repo, 'examples/spirals.nbrick');

/**
 * Runs the real `bricks` binary and sends `signal` once the first epoch is reported on stderr;
 * resolves with the exit code and output.
 */
function trainUntilSignal(signal: NodeJS.Signals, ...argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/bricks.js'), 'train', ...argv], { cwd: repo });
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (!sent && /epoch 1\//.test(err)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
let dir: string;

const run = runCli;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bricks train', () => {
  it('trains with the file config overridden by flags and prints a summary', async () => {
    const { code, out, err } = await run('train', xorExample, '--epochs', '3', '--backend', 'cpu', '--seed', '9');
    expect(code).toBe(0);
    expect(err).toContain('Training xor.nbrick on xor with cpu');
    expect(err).toMatch(/epoch 3\/3 · loss/);
    expect(out).toMatch(/^xor\.nbrick: run completed after 3\/3 epochs in [\d.]+ s on cpu\n {2}train {2}loss/);
    expect(out).toMatch(/ {2}test {3}loss \d\.\d{4} {2}accuracy/);
    expect(out).toMatch(/speed {2}\d+ samples\/s/);
  });

  it('writes JSON lines with --json, ending in a valid run summary', async () => {
    const { code, out } = await run('train', xorExample, '--epochs', '2', '--backend', 'cpu', '--json', '--lr', '0.1', '--optimizer', 'sgd');
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'backend', name: 'cpu' });
    expect(lines[1]).toMatchObject({ type: 'started', trainSize: 256 });
    expect(lines.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);
    const summary = runSummarySchema.parse(lines.at(-1).summary);
    expect(summary.config).toMatchObject({ epochs: 2, learningRate: 0.1, optimizer: 'sgd', seed: 42, dataset: 'xor' });
  });

  it('--save-model writes a tfjs model that loads back and scores the same test accuracy', async () => {
    const modelDir = path.join(dir, 'model');
    const { code, out } = await run('train', xorExample, '--epochs', '5', '--backend', 'cpu', '--json', '--save-model', modelDir);
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines.find((l) => l.type === 'summary').summary;
    expect(lines.at(-1)).toEqual({ type: 'saved', dir: modelDir });
    const model = await loadModelFromDir(modelDir);
    const { test } = loadDataset('xor');
    const accuracy = tf.tidy(() => {
      const predicted = tf.argMax(model.predict(tf.tensor2d(test.x, [test.count, 2])) as tf.Tensor, -1);
      return tf.mean(tf.cast(tf.equal(predicted, tf.tensor1d(test.labels, 'int32')), 'float32')).dataSync()[0]!;
    });
    model.dispose();
    expect(accuracy).toBeCloseTo(summary.final.testAccuracy, 6);
  });

  it('--record appends the run to the file, which stays valid', async () => {
    const file = path.join(dir, 'xor-record.nbrick');
    await copyFile(xorExample, file);
    const before = JSON.parse(await readFile(file, 'utf8'));
    const { code } = await run('train', file, '--epochs', '1', '--backend', 'cpu', '--record');
    expect(code).toBe(0);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.runs.length).toBe((before.runs?.length ?? 0) + 1);
    expect(after.runs.at(-1)).toMatchObject({ status: 'completed', backend: 'cpu', config: { epochs: 1 } });
    expect(after.graph).toEqual(before.graph);
    // Without --record the file is untouched.
    const text = await readFile(file, 'utf8');
    await run('train', file, '--epochs', '1', '--backend', 'cpu');
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('--record keeps the trained model beside the file before recording it; bricks info reports it', async () => {
    const file = path.join(dir, 'xor-checkpoint.nbrick');
    await copyFile(xorExample, file);
    const { code, out } = await run('train', file, '--epochs', '2', '--backend', 'cpu', '--record');
    expect(code).toBe(0);
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    const record = runSummarySchema.parse(onDisk.runs.at(-1));
    expect(record).toMatchObject({ checkpoint: true, graphHash: graphHash(onDisk.graph) });
    const sidecar = checkpointDirFor(file, record.id);
    expect(out).toContain(`Kept the trained model beside the file in ${sidecar}`);
    expect((await readCheckpoint(sidecar, record.id)).status).toBe('ok');
    // The kept model is the trained one: it scores the recorded test accuracy.
    const model = await loadModelFromDir(sidecar);
    const { test } = loadDataset('xor');
    const accuracy = tf.tidy(() => {
      const predicted = tf.argMax(model.predict(tf.tensor2d(test.x, [test.count, 2])) as tf.Tensor, -1);
      return tf.mean(tf.cast(tf.equal(predicted, tf.tensor1d(test.labels, 'int32')), 'float32')).dataSync()[0]!;
    });
    model.dispose();
    expect(accuracy).toBeCloseTo(record.final.testAccuracy!, 6);

    const info = await run('info', file);
    expect(info.out).toMatch(/model/);
    expect(info.out).toMatch(/completed\s+cpu\s+xor\s+2\s.*\sok\n/);
    await writeFile(path.join(sidecar, 'weights.bin'), 'garbage');
    const damaged = await run('info', '--json', file);
    expect(damaged.code).toBe(0);
    expect(JSON.parse(damaged.out).checkpoints).toEqual([{ runId: record.id, status: 'damaged', reason: expect.stringMatching(/weights\.bin has 7 bytes/) }]);
    expect((await run('info', file)).out).toContain(`run ${record.id} model damaged: ${sidecar}: weights.bin has 7 bytes`);
  });

  it('--record keeps only the newest keepCheckpoints models; older records stay, their model reads as pruned', async () => {
    const file = path.join(dir, 'xor-keep.nbrick');
    const example = JSON.parse(await readFile(xorExample, 'utf8'));
    await writeFile(file, JSON.stringify({ ...example, training: { ...example.training, keepCheckpoints: 1 } }));
    expect((await run('train', file, '--epochs', '1', '--backend', 'cpu', '--record')).code).toBe(0);
    const second = await run('train', file, '--epochs', '1', '--backend', 'cpu', '--record');
    expect(second.out).toContain('Removed 1 older checkpoint(s): only the newest 1 are kept');
    const runs = JSON.parse(await readFile(file, 'utf8')).runs;
    expect(runs).toHaveLength(2);
    expect(await readdir(`${file}-runs`)).toEqual([runs[1].id]);
    const info = JSON.parse((await run('info', '--json', file)).out);
    expect(info.checkpoints).toEqual([
      { runId: runs[0].id, status: 'missing', reason: 'pruned: only the newest 1 are kept' },
      { runId: runs[1].id, status: 'ok' },
    ]);
  });

  it('Ctrl+C stops after the current batch and still prints the summary', async () => {
    let stopped = false;
    const io: CliIo = {
      stdout: { write: (s: string) => (out += s) },
      stderr: {
        write: (s: string) => {
          err += s;
          // Interrupt once the first epoch has been reported.
          if (!stopped && s.startsWith('epoch 1/')) {
            stopped = true;
            process.emit('SIGINT');
          }
        },
      },
    };
    let out = '';
    let err = '';
    const code = await main(['train', xorExample, '--epochs', '500', '--backend', 'cpu'], io);
    expect(code).toBe(130);
    expect(err).toContain('stopping after the current batch');
    expect(out).toMatch(/run stopped after \d+\/500 epochs/);
    expect(out).toMatch(/test {3}loss/);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('--workers 2 trains data-parallel and reports the worker count (started event, summary, text)', async () => {
    const json = await run('train', xorExample, '--epochs', '2', '--backend', 'wasm', '--workers', '2', '--json');
    expect(json.code).toBe(0);
    const lines = json.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.type === 'started')).toMatchObject({ workers: 2 });
    const summary = runSummarySchema.parse(lines.at(-1).summary);
    expect(summary.workers).toBe(2);
    expect(summary.config.workers).toBe(2);
    const text = await run('train', xorExample, '--epochs', '1', '--backend', 'wasm', '--workers', '2');
    expect(text.out).toMatch(/on wasm × 2 workers\n/);
    const bad = await run('train', xorExample, '--workers', '3');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('invalid training config: workers');
  }, 60_000);

  it('reports bad configs and graphs that do not fit the data', async () => {
    const bad = await run('train', xorExample, '--optimizer', 'nesterov');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('invalid training config: optimizer');
    const mismatch = await run('train', xorExample, '--dataset', 'mnist', '--backend', 'cpu');
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toContain("Input 'input' is 2 but dataset 'mnist' gives 28×28×1");
    const missing = await run('train', path.join(dir, 'nope.nbrick'));
    expect(missing.code).toBe(2);
    await writeFile(path.join(dir, 'x.nbrick'), '{');
    expect((await run('train', path.join(dir, 'x.nbrick'))).code).toBe(2);
  });

  it('a diverging run (spirals, learning rate 10, sgd) exits 1 and prints that it diverged, with advice', async () => {
    const { code, out } = await run('train', spiralsExample, '--dataset', 'spirals', '--lr', '10', '--optimizer', 'sgd', '--backend', 'wasm');
    expect(code).toBe(1);
    expect(out).toMatch(/spirals\.nbrick: run failed after/);
    expect(out).toMatch(/error {2}Training diverged: .*epoch 1, batch \d+.*Try a lower learning rate \(now 10; try 1\)/);
  });

  it('--record stores a diverged run as a valid failed record that reopens', async () => {
    const file = path.join(dir, 'spirals-diverged.nbrick');
    await copyFile(spiralsExample, file);
    const { code } = await run('train', file, '--lr', '10', '--optimizer', 'sgd', '--backend', 'wasm', '--record');
    expect(code).toBe(1);
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/NaN|Infinity|null/);
    const record = runSummarySchema.parse(JSON.parse(text).runs.at(-1));
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/^Training diverged/);
    // A diverged model (NaN weights) is not kept.
    expect(record.checkpoint).toBeUndefined();
    await expect(readdir(`${file}-runs`)).rejects.toThrow(/ENOENT/);
    expect((await run('validate', file)).code).toBe(0);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s on the real binary stops after the current batch, prints the summary (stopped), records it whole and exits %i', async (signal, exitCode) => {
    const file = path.join(dir, `xor-${signal}.nbrick`);
    await copyFile(xorExample, file);
    const { code, out, err } = await trainUntilSignal(signal, file, '--epochs', '5000', '--backend', 'cpu', '--no-progress', '--record');
    expect(err).toContain(`${signal}: stopping after the current batch`);
    expect(out).toMatch(/xor-SIG\w+\.nbrick: run stopped after \d+\/5000 epochs/);
    expect(out).toMatch(/test {3}loss/);
    expect(code).toBe(exitCode);
    const record = runSummarySchema.parse(JSON.parse(await readFile(file, 'utf8')).runs.at(-1));
    expect(record.status).toBe('stopped');
    // Atomic write: no temp file is left beside the graph.
    expect((await readdir(dir)).filter((name) => name.startsWith('.'))).toEqual([]);
  }, 60_000);

  it(`trains a ${MAX_NODES}-node chain (the loader's limit) for one epoch`, async () => {
    const file = path.join(dir, 'deep-chain.nbrick');
    await writeFile(file, serializeGraphFile(createGraphFile(buildDeepChain(MAX_NODES))));
    expect((await run('validate', file)).code).toBe(0);
    const { code, out, err } = await run('train', file, '--dataset', 'xor', '--samples', '64', '--epochs', '1', '--backend', 'cpu');
    expect(err).not.toContain('Maximum call stack');
    expect(out).toMatch(/deep-chain\.nbrick: run completed after 1\/1 epochs/);
    expect(code).toBe(0);
  }, 180_000);
});


describe('bricks train --telemetry', () => {
  const FIELDS = new Set(['gradNorm', 'weightNorm', 'updateRatio', 'activationMean', 'activationStd', 'deadFraction', 'saturatedFraction', 'gammaMean', 'gammaStd']);

  it('prints telemetry lines of the documented shape, the first from the first step, every K-th after', async () => {
    const { code, out } = await run('train', spiralsExample, '--epochs', '2', '--backend', 'wasm', '--telemetry', '4', '--json');
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const telemetry = lines.filter((l) => l['type'] === 'telemetry');
    expect(telemetry.length).toBeGreaterThanOrEqual(2); // more on a slower machine: at most 20 per second
    expect(telemetry[0]).toMatchObject({ epoch: 1, batch: 1 });
    const batchesPerEpoch = (lines.find((l) => l['type'] === 'batch') as { batchesPerEpoch: number }).batchesPerEpoch;
    for (const line of telemetry) {
      expect(Object.keys(line).sort()).toEqual(['batch', 'epoch', 'nodes', 'type']);
      const step = ((line['epoch'] as number) - 1) * batchesPerEpoch + (line['batch'] as number);
      expect((step - 1) % 4).toBe(0);
      const nodes = line['nodes'] as Record<string, Record<string, number>>;
      expect(Object.keys(nodes).length).toBeGreaterThan(0);
      for (const signals of Object.values(nodes)) {
        for (const [key, value] of Object.entries(signals)) {
          expect(FIELDS.has(key), key).toBe(true);
          expect(Number.isFinite(value)).toBe(true);
        }
      }
    }
    // Hidden Dense layers (ReLU in the spirals example) report all the weight and activation signals.
    const first = telemetry[0]!['nodes'] as Record<string, Record<string, number>>;
    const dense = Object.values(first).find((n) => n['deadFraction'] !== undefined)!;
    expect(Object.keys(dense).sort()).toEqual(['activationMean', 'activationStd', 'deadFraction', 'gradNorm', 'updateRatio', 'weightNorm']);
    const summary = lines.find((l) => l['type'] === 'summary') as { summary: { telemetry?: { steps: number[] } } };
    expect(summary.summary.telemetry?.steps[0]).toBe(1);
  });

  it('without the flag measures nothing; without --json prints the last sample as a table', async () => {
    const plain = await run('train', xorExample, '--epochs', '1', '--backend', 'wasm', '--json');
    expect(plain.out).not.toMatch(/"type":"telemetry"/);
    const text = await run('train', xorExample, '--epochs', '1', '--backend', 'wasm', '--telemetry');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/inside the network \(epoch 1, batch \d+\):/);
    expect(text.out).toMatch(/grad norm\s+update ratio/);
    const bad = await run('train', xorExample, '--telemetry', 'often');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/telemetryEvery/);
  });
});

describe('bricks train: learning-rate schedule, clipping, early stopping', () => {
  it('takes --lr-schedule/--warmup/--clip/--early-stop, prints them in the header and stores them in the summary', async () => {
    const { code, out, err } = await run(
      'train', xorExample, '--epochs', '3', '--backend', 'cpu', '--lr', '0.05',
      '--lr-schedule', 'cosine', '--warmup', '1', '--lr-min', '0.001', '--clip', 'agc', '--early-stop', 'val_loss:4',
    );
    expect(code).toBe(0);
    expect(err).toContain('learning rate 0.05, cosine to 0.001 after 1 warm-up epoch · clipping AGC λ 0.01 (first and last layers not clipped) · early stopping on val_loss, patience 4, restores the best epoch');
    expect(out).toMatch(/run completed after 3\/3 epochs/);
    const json = await run('train', xorExample, '--epochs', '2', '--backend', 'cpu', '--json', '--lr', '0.01', '--lr-step', '1:0.5', '--clip', 'norm:1.5', '--early-stop', 'accuracy:3', '--no-restore-best');
    expect(json.code).toBe(0);
    const lines = json.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = runSummarySchema.parse((lines.at(-1) as { summary: unknown }).summary);
    expect(summary.config.lrSchedule).toEqual({ kind: 'step', everyEpochs: 1, factor: 0.5 });
    expect(summary.config.clip).toEqual({ kind: 'norm', maxNorm: 1.5 });
    expect(summary.config.earlyStopping).toEqual({ metric: 'accuracy', patience: 3, restoreBest: false });
    // Batch events carry the scheduled rate.
    const batches = lines.filter((l) => l.type === 'batch') as { epoch: number; learningRate: number }[];
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) expect(b.learningRate).toBeCloseTo(0.01 * 0.5 ** (b.epoch - 1), 12);
  });

  it('says when early stopping ended the run', async () => {
    // --validation-split keeps 20 % for val_accuracy; XOR reaches 100 % quickly and cannot beat it.
    const { code, out } = await run('train', xorExample, '--epochs', '80', '--backend', 'cpu', '--lr', '0.05', '--early-stop', 'val_accuracy:2');
    expect(code).toBe(0);
    expect(out).toMatch(/run completed after \d+\/80 epochs/);
    expect(out).toMatch(/ {2}early {2}stopped at epoch \d+, best epoch \d+ restored/);
  });

  it('names the flag in every invalid option', async () => {
    const cases: [string[], string][] = [
      [['--lr-schedule', 'linear'], "--lr-schedule must be one of constant, step, exponential, cosine, got 'linear'"],
      [['--lr-schedule', 'step'], '--lr-schedule step needs --lr-step EPOCHS:FACTOR'],
      [['--lr-step', 'ten'], "--lr-step must be EPOCHS:FACTOR (e.g. 10:0.5), got 'ten'"],
      [['--lr-step', '0:0.5'], '--lr-step: everyEpochs'],
      [['--lr-step', '2:1.5'], '--lr-step: factor'],
      [['--lr-schedule', 'exponential'], '--lr-schedule exponential needs --lr-decay FACTOR'],
      [['--lr-decay', '2'], '--lr-decay: factor'],
      [['--lr-schedule', 'cosine', '--lr-decay', '0.9'], '--lr-decay applies to --lr-schedule exponential, not cosine'],
      [['--warmup', '-1'], '--warmup: warmupEpochs'],
      [['--clip', 'agc:0'], '--clip: lambda'],
      [['--clip', 'norm'], '--clip norm needs the maximum norm, e.g. norm:1.0'],
      [['--clip', 'norm:x'], "--clip norm: 'x' is not a number"],
      [['--clip', 'l2:1'], "--clip must be agc, agc:LAMBDA, norm:MAX_NORM or off, got 'l2:1'"],
      [['--early-stop', 'val_loss'], "--early-stop must be METRIC:PATIENCE (e.g. val_loss:5) or off, got 'val_loss'"],
      [['--early-stop', 'val_f1:3'], "--early-stop: metric must be one of val_loss, val_accuracy, loss, accuracy, got 'val_f1'"],
      [['--early-stop', 'val_loss:0'], '--early-stop: patience'],
      [['--no-restore-best'], '--no-restore-best needs early stopping'],
      [['--early-stop', 'val_loss:3', '--validation-split', '0'], '--early-stop val_loss needs validation data, but the validation split is 0 (--validation-split)'],
    ];
    for (const [flags, message] of cases) {
      const { code, err } = await run('train', xorExample, '--epochs', '1', '--backend', 'cpu', ...flags);
      expect(code, flags.join(' ')).toBe(2);
      expect(err, flags.join(' ')).toContain(message);
    }
  });
});
