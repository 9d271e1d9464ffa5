import { describe, expect, it } from 'vitest';
import type { LabApi } from '../../../shared/contracts/api';
import type { ClassificationEvaluation, DatasetSamples, DatasetSamplesRequest, RegressionEvaluation } from '../../../shared/contracts/evaluation';
import { regressionMetrics } from '../../../shared/evaluation';
import { featureRanges, labEvaluationSource, toEvaluationResult, type ClassificationResult, type EvaluationResult } from './evaluationApi';
import { evaluationFixture } from './evaluationFixture.testing';

function hostEvaluation(inputShape: number[], sampleCount: number): ClassificationEvaluation {
  const fixture = evaluationFixture([0, 1, 1], [0.9, 0.1, 0.6, 0.4, 0.2, 0.8]);
  return {
    task: 'classification',
    runId: 'run-7',
    data: { datasetId: inputShape.length > 1 ? 'mnist' : 'spirals', split: 'test', sampleCount, inputShape },
    backend: 'cpu',
    elapsedMs: 3,
    labels: ['a', 'b'],
    metrics: fixture.metrics,
    calibration: fixture.calibration,
    mistakes: [...fixture.mistakes],
    mistakeCount: fixture.mistakeCount,
    cellSamples: fixture.cellSamples.map((row) => row.map((cell) => [...cell])),
    ...(inputShape.length === 1 ? { boundary: { grid: { extent: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }, columns: 1, rows: 1 }, outputWidth: 2, probabilities: [0.3, 0.7] } } : {}),
  };
}

function classification(result: EvaluationResult): ClassificationResult {
  if (result.task !== 'classification') throw new Error(`expected classification, got ${result.task}`);
  return result;
}

/** An autoencoder's evaluation on 2-D points: targets = inputs. */
function regressionEvaluation(): RegressionEvaluation {
  return {
    task: 'regression',
    runId: 'run-9',
    data: { datasetId: 'moons', split: 'test', sampleCount: 2, inputShape: [2] },
    backend: 'cpu',
    elapsedMs: 1,
    metrics: regressionMetrics([1, 2, 3, 4], [1.5, 2, 2.5, 4], { outputCount: 2 }),
    targets: 'input',
    scatter: { output: null, available: 4, trueValues: [1, 2, 3, 4], predictedValues: [1.5, 2, 2.5, 4] },
  };
}

/** A host answering evaluateRun and datasetSamples, recording the sample requests. */
function fakeApi(evaluation: ClassificationEvaluation | RegressionEvaluation) {
  const asked: number[][] = [];
  const requests: DatasetSamplesRequest[] = [];
  const api = {
    evaluateRun: async () => evaluation,
    datasetSamples: async (request: DatasetSamplesRequest): Promise<DatasetSamples> => {
      asked.push(request.indices);
      requests.push(request);
      const width = evaluation.data.inputShape.reduce((a, b) => a * b, 1);
      return {
        datasetId: evaluation.data.datasetId,
        inputShape: evaluation.data.inputShape,
        classNames: evaluation.task === 'classification' ? evaluation.labels : [],
        samples: request.indices.map((index) => ({ index, label: index % 2, values: Array.from({ length: width }, (_, f) => index + f / 10) })),
      };
    },
  } as unknown as LabApi;
  return { api, asked, requests };
}

describe('toEvaluationResult', () => {
  it('turns a 2-D run into points under its boundary, with the features’ ranges', () => {
    const samples = [
      { index: 0, label: 0, values: [-1, 2] },
      { index: 1, label: 1, values: [3, -4] },
    ];
    const result = classification(toEvaluationResult(hostEvaluation([2], 2), samples));
    expect(result.inputKind).toBe('vector');
    expect(result.points).toEqual([{ x: -1, y: 2, label: 0 }, { x: 3, y: -4, label: 1 }]);
    expect(result.featureRanges).toEqual([{ name: 'x', min: -1, max: 3 }, { name: 'y', min: -4, max: 2 }]);
    expect(result.boundary).toEqual({ extent: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }, columns: 1, rows: 1, probabilities: [0.3, 0.7] });
  });

  it('treats a multi-dimensional input as images, without points', () => {
    const result = classification(toEvaluationResult(hostEvaluation([28, 28, 1], 3)));
    expect(result).toMatchObject({ inputKind: 'image', classNames: ['a', 'b'], mistakeCount: 1 });
    expect(result.points).toBeUndefined();
  });

  it('keeps a regression as a regression: its metrics, targets and scatter sample as the host sent them', () => {
    const evaluation = regressionEvaluation();
    expect(toEvaluationResult(evaluation)).toEqual({
      task: 'regression',
      runId: 'run-9',
      datasetId: 'moons',
      inputShape: [2],
      metrics: evaluation.metrics,
      targets: 'input',
      scatter: evaluation.scatter,
    });
  });

  it('names features by position when there are more than two', () => {
    expect(featureRanges([{ values: [1, 5, 0] }, { values: [2, 4, 0] }]).map((r) => [r.name, r.min, r.max])).toEqual([
      ['feature 1', 1, 2],
      ['feature 2', 4, 5],
      ['feature 3', 0, 0],
    ]);
  });
});

describe('labEvaluationSource', () => {
  it('fetches every test point of a 2-D set in requests of at most 1,000', async () => {
    const { api, asked } = fakeApi(hostEvaluation([2], 2500));
    const result = classification(await labEvaluationSource(api).evaluate('run-7', 'a.nbrick'));
    expect(asked.map((indices) => indices.length)).toEqual([1000, 1000, 500]);
    expect(result.points).toHaveLength(2500);
    expect(result.points![2499]).toEqual({ x: 2499, y: 2499.1, label: 1 });
  });

  it('fetches no samples for a regression: the scatter comes with the evaluation', async () => {
    const { api, asked } = fakeApi(regressionEvaluation());
    const result = await labEvaluationSource(api).evaluate('run-9', null);
    expect(result.task).toBe('regression');
    expect(asked).toEqual([]);
  });

  it("asks for the samples of the split the run was evaluated on: its dataset with the run's options, naming the run (its own data, issue 14)", async () => {
    const evaluation = hostEvaluation([28, 28, 1], 3);
    const { api, requests } = fakeApi({ ...evaluation, data: { ...evaluation.data, datasetOptions: { limit: 30 } } });
    const source = labEvaluationSource(api);
    await source.evaluate('run-7', null);
    await source.samples('run-7', null, [1, 2]);
    expect(requests).toEqual([{ dataset: 'mnist', run: { runId: 'run-7', path: null }, options: { limit: 30 }, split: 'test', indices: [1, 2] }]);
    const plain = fakeApi(hostEvaluation([2], 3));
    await labEvaluationSource(plain.api).evaluate('run-7', 'workspace/a.nbrick');
    expect(plain.requests).toEqual([{ dataset: 'spirals', run: { runId: 'run-7', path: 'workspace/a.nbrick' }, split: 'test', indices: [0, 1, 2] }]);
  });

  it('fetches image samples only when the gallery asks, as pixels of the input’s height and width', async () => {
    const { api, asked } = fakeApi(hostEvaluation([28, 28, 1], 3));
    const source = labEvaluationSource(api);
    await source.evaluate('run-7', null);
    expect(asked).toEqual([]);
    const [sample] = await source.samples('run-7', null, [2]);
    expect(sample).toMatchObject({ index: 2, label: 0, width: 28, height: 28 });
    expect(sample!.pixels).toHaveLength(784);
  });
});
