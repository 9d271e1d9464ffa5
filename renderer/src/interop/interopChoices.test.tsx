/** File → Export… / Import… in the page: which runs an export offers, upload checks, and what a result shows (static markup). */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CheckpointReport } from '../../../shared/contracts/evaluation';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import { ExportResult } from './ExportDialog';
import { bytesToBase64, graphNameFor, keptRunChoices, MAX_UPLOAD_BYTES, uploadProblem } from './interopChoices';

function run(id: string, extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    startedAt: '2026-01-01T00:00:00Z',
    status: 'completed',
    backend: 'cpu',
    config: DEFAULT_TRAINING_CONFIG,
    epochs: [],
    final: { loss: 0.5 },
    samplesPerSec: 1,
    wallTimeMs: 1,
    ...extra,
  } as RunSummary;
}

describe('keptRunChoices', () => {
  it('offers runs with a usable checkpoint, newest first, numbered as the run history numbers them', () => {
    const runs = [run('a', { checkpoint: true }), run('b'), run('c', { checkpoint: true, status: 'stopped' }), run('d', { checkpoint: true, status: 'failed' }), run('e', { checkpoint: true })];
    const reports = new Map<string, CheckpointReport>([['e', { runId: 'e', status: 'missing', reason: 'gone' }]]);
    const choices = keptRunChoices(runs, reports);
    expect(choices.map((c) => c.runId)).toEqual(['c', 'a']);
    expect(choices[0]!.label).toMatch(/^Run 3 · /);
    expect(choices[1]!.label).toMatch(/^Run 1 · /);
    expect(choices.map((c) => c.name)).toEqual(['Run 3', 'Run 1']);
    // The run that just ended here counts before its record says `checkpoint`.
    expect(keptRunChoices([run('b')], new Map(), 'b').map((c) => c.runId)).toEqual(['b']);
    expect(keptRunChoices([], new Map())).toEqual([]);
  });
});

describe('uploads', () => {
  it('need exactly one model JSON and fit one message', () => {
    expect(uploadProblem([])).toBe('Choose model.json and its weight files.');
    expect(uploadProblem([{ name: 'w.bin', size: 1 }])).toBe('None of the chosen files is a model JSON (.json).');
    expect(uploadProblem([{ name: 'a.json', size: 1 }, { name: 'B.JSON', size: 1 }])).toBe('Choose one model JSON at a time (chosen: a.json, B.JSON).');
    expect(uploadProblem([{ name: 'model.json', size: MAX_UPLOAD_BYTES }, { name: 'w.bin', size: 1 }])).toMatch(/upload limit is 36 MB/);
    expect(uploadProblem([{ name: 'model.json', size: 10 }, { name: 'w.bin', size: 10 }])).toBeUndefined();
  });

  it('encode bytes as base64 in chunks, and name the graph after the file', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(graphNameFor('model.json')).toBe('imported-model');
    expect(graphNameFor('cnn.JSON')).toBe('cnn');
  });
});

describe('ExportResult', () => {
  it('lists the files written and where the weights came from', () => {
    const html = renderToStaticMarkup(
      <ExportResult
        result={{ status: 'exported', format: 'onnx', directory: 'workspace/exports/x-onnx', files: ['workspace/exports/x-onnx/model.onnx', 'workspace/exports/x-onnx/README.md'], weightsFrom: 'trained, from run r1 (2 epochs)', runId: 'r1', summary: ['ONNX opset 13'] }}
      />,
    );
    expect(html).toContain('aria-label="ONNX export"');
    expect(html).toContain('data-directory="workspace/exports/x-onnx"');
    expect(html).toContain('<code>workspace/exports/x-onnx/model.onnx</code>');
    expect(html).toContain('Weights: trained, from run r1 (2 epochs)');
    expect(html).not.toContain('in the run history');
  });

  it('names the run as the Weights list and the run history do, beside its id', () => {
    const html = renderToStaticMarkup(
      <ExportResult
        result={{ status: 'exported', format: 'tfjs', directory: 'd', files: ['d/model.json'], weightsFrom: 'trained, from run r1 (2 epochs)', runId: 'r1', summary: [] }}
        runName="Run 2"
      />,
    );
    expect(html).toContain('Weights: trained, from run r1 (2 epochs) — Run 2 in the run history');
  });

  it('names each node a format cannot express, with its type and why', () => {
    const html = renderToStaticMarkup(
      <ExportResult result={{ status: 'unsupported', format: 'onnx', message: 'm', problems: [{ nodeId: 'rnn', type: 'LSTM', reason: "cannot use activation 'gelu'" }] }} />,
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain('Cannot export to ONNX: 1 node not supported. Nothing was written.');
    expect(html).toContain('<strong>rnn</strong> (LSTM): cannot use activation &#x27;gelu&#x27;');
  });
});
