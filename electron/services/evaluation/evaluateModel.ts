/**
 * The evaluation engine: a trained model on the test split of its run's dataset. One batched predict, then every
 * number from shared/evaluation, so the trainer (for the app) and the CLI answer the same, and the accuracy equals
 * the run's recorded `testAccuracy` (trainModel scores its test split with the same predict and the same function).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_MAX_MISTAKES, MAX_SCATTER_POINTS, type RunEvaluation } from '../../../shared/contracts/evaluation';
import {
  calibrationOf,
  classificationMetricsOf,
  confusionCellSamples,
  misclassifiedSamples,
  predictionSample,
  readClassOutputs,
  regressionMetrics,
} from '../../../shared/evaluation';
import type { DatasetOptions } from '../../../shared/format/datasetRef';
import type { DataInfo, LoadedDataset } from '../datasets/loadDataset';
import { planeGridFor, predictBoundary } from './planeBoundary';
import { predictBatched } from './predictBatched';

export type OutputTask = 'classification' | 'binary' | 'regression';

/**
 * What the model's head does, read from its last layer as the Output brick builds it (a Dense layer): softmax →
 * classification, sigmoid → binary (one unit), anything else → regression.
 */
export function outputTaskOf(model: tfl.LayersModel): OutputTask {
  const last = model.layers[model.layers.length - 1];
  const activation = (last?.getConfig() as { activation?: unknown } | undefined)?.activation;
  if (activation === 'softmax') return 'classification';
  if (activation === 'sigmoid') return 'binary';
  return 'regression';
}

export interface EvaluateModelOptions {
  readonly runId: string;
  /** The backend in use, reported with the result. */
  readonly backend: string;
  /** Most mistakes listed (most confident first); default DEFAULT_MAX_MISTAKES. */
  readonly maxMistakes?: number;
  /** Evaluation chunk size; default evaluationBatchSize(model), as in training. */
  readonly batchSize?: number;
  /** The options `data` was loaded with, reported with the result so its samples can be fetched again. */
  readonly datasetOptions?: DatasetOptions;
}

/** Scores `model` on `data.test`. Throws when the model's output does not fit the dataset, naming both. */
export function evaluateModel(model: tfl.LayersModel, data: LoadedDataset<DataInfo>, options: EvaluateModelOptions): RunEvaluation {
  const started = performance.now();
  const { info, test } = data;
  const task = outputTaskOf(model);
  const predictions = predictBatched(model, test.x, test.count, info.inputShape, options.batchSize);
  const common = {
    runId: options.runId,
    data: {
      datasetId: info.id,
      ...(options.datasetOptions && Object.keys(options.datasetOptions).length > 0 ? { datasetOptions: { ...options.datasetOptions } } : {}),
      split: 'test' as const,
      sampleCount: test.count,
      inputShape: [...info.inputShape],
    },
    backend: options.backend,
  };
  if (task === 'regression' && data.targetWidth !== undefined && test.targets) {
    // User tables (issue 14): the targets are standardised inside; predictions and targets go back to the file's units.
    const width = data.targetWidth;
    if (predictions.outputWidth !== width) {
      throw new Error(`the model's regression output has ${predictions.outputWidth} values per sample; '${info.id}' has ${width} target${width === 1 ? '' : 's'}`);
    }
    const { mean, std } = data.targetScale ?? { mean: 0, std: 1 };
    const n = test.count * width;
    const targets = new Float32Array(n);
    const outputs = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      targets[i] = test.targets[i]! * std + mean;
      outputs[i] = predictions.outputs[i]! * std + mean;
    }
    const metrics = regressionMetrics(targets, outputs, { outputCount: width, sampleCount: test.count });
    const scatter = predictionSample(targets, outputs, { outputCount: width, output: width === 1 ? 0 : null, maxPoints: MAX_SCATTER_POINTS });
    return { task: 'regression', ...common, metrics, scatter, elapsedMs: performance.now() - started };
  }
  if (task === 'regression') {
    // Our datasets have no regression targets: a regression head reconstructs its input (see trainModel's targets).
    const size = info.inputShape.reduce((a, b) => a * b, 1);
    if (predictions.outputWidth !== size) {
      throw new Error(`the model's regression output has ${predictions.outputWidth} values per sample; dataset '${info.id}' has no regression targets of that size`);
    }
    const targets = test.x.subarray(0, test.count * size);
    const metrics = regressionMetrics(targets, predictions.outputs, { outputCount: size, sampleCount: test.count });
    // One output: its own pairs; several (the pixels of an image): pooled, like the residual histogram.
    const scatter = predictionSample(targets, predictions.outputs, { outputCount: size, output: size === 1 ? 0 : null, maxPoints: MAX_SCATTER_POINTS });
    return { task: 'regression', ...common, metrics, targets: 'input', scatter, elapsedMs: performance.now() - started };
  }
  const expectedWidth = task === 'binary' ? 1 : info.classes;
  if (predictions.outputWidth !== expectedWidth) {
    throw new Error(
      `the model outputs ${predictions.outputWidth} values per sample but dataset '${info.id}' has ${info.classes} classes` +
        (task === 'binary' ? ' (a binary head has one sigmoid unit)' : ''),
    );
  }
  const outputs = readClassOutputs(predictions.outputs, test.count, predictions.outputWidth);
  const mistakes = misclassifiedSamples(test.labels, outputs);
  const grid = planeGridFor(data);
  return {
    task: 'classification',
    ...common,
    labels: [...info.classNames],
    metrics: classificationMetricsOf(test.labels, outputs),
    calibration: calibrationOf(test.labels, outputs),
    mistakes: mistakes.slice(0, options.maxMistakes ?? DEFAULT_MAX_MISTAKES),
    mistakeCount: mistakes.length,
    cellSamples: confusionCellSamples(test.labels, outputs),
    ...(grid ? { boundary: predictBoundary(model, grid) } : {}),
    elapsedMs: performance.now() - started,
  };
}
