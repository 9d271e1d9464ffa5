/**
 * The evaluation view's one door to the host: evaluate a kept run, fetch samples by index, predict on drawn or typed
 * inputs. Every evaluation component reads these types only, so the wire's own types are mapped here and nowhere else.
 */
import type { LabApi } from '../../../shared/contracts/api';
import { isDatasetId } from '../../../shared/contracts/trainer';
import type { EncodedImage } from '../../../shared/contracts/tryImage';
import { bytesToBase64 } from '../interop/interopChoices';
import type { DatasetSamples, RegressionEvaluation, RunEvaluation } from '../../../shared/contracts/evaluation';
import type { Calibration, ClassificationMetrics, MisclassifiedSample, PlaneExtent, PredictionSample } from '../../../shared/evaluation';

/** A model's answer over a decision-boundary grid: row-major `rows × columns × outputWidth` probabilities. */
export interface BoundaryFrame {
  readonly extent: PlaneExtent;
  readonly columns: number;
  readonly rows: number;
  readonly probabilities: ArrayLike<number>;
}

export interface FeatureRange {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

/** One evaluated classifier, on the test split it was trained with. Sample indices refer to that split. */
export interface ClassificationResult {
  readonly task: 'classification';
  readonly runId: string;
  readonly datasetId: string;
  readonly classNames: readonly string[];
  readonly inputKind: 'image' | 'vector';
  /** Per-sample input shape, no batch dimension (what `predict` wants). */
  readonly inputShape: readonly number[];
  readonly metrics: ClassificationMetrics;
  readonly calibration: Calibration;
  /** Most confident mistakes first (may be cut short: `mistakeCount` counts them all). */
  readonly mistakes: readonly MisclassifiedSample[];
  readonly mistakeCount: number;
  /** `cellSamples[t][p]`: the test samples of true class t predicted as p. */
  readonly cellSamples: readonly (readonly number[])[][];
  /** Which graph the run trained (`sha256:…`), when the run record says. */
  readonly graphHash?: string;
  /** 2-D data: the model over the plane, and the test points it is drawn under. */
  readonly boundary?: BoundaryFrame;
  readonly points?: readonly { readonly x: number; readonly y: number; readonly label: number }[];
  /** Vector data: each feature's range in the data (for "Try it" sliders). */
  readonly featureRanges?: readonly FeatureRange[];
}

/** One evaluated regression head, on its run's test split: every number in the target's own units. */
export interface RegressionResult {
  readonly task: 'regression';
  readonly runId: string;
  readonly datasetId: string;
  readonly inputShape: readonly number[];
  /** The library's RegressionMetrics; `pooled` may be absent from a host older than it. */
  readonly metrics: RegressionEvaluation['metrics'];
  /** `input`: the model rebuilds its input (an autoencoder), so the targets are the input's values. */
  readonly targets?: 'input';
  /** A bounded sample of (true, predicted) pairs, for the scatter. */
  readonly scatter?: PredictionSample;
  readonly graphHash?: string;
  /** Vector data (a regression on the user's table): each model input's range in the test split (for "Try it"). */
  readonly featureRanges?: readonly FeatureRange[];
}

export type EvaluationResult = ClassificationResult | RegressionResult;

/** A test sample as the gallery shows it. */
export interface SampleView {
  readonly index: number;
  readonly label: number;
  /** Image data: row-major H×W×channels levels in [0, 1]. */
  readonly pixels?: ArrayLike<number>;
  readonly width?: number;
  readonly height?: number;
  /** 1 (grey) or 3 (RGB); absent: 1. */
  readonly channels?: number;
  /** Ink on paper (MNIST's digits: 1 = ink) rather than a photo (the user's image folder: 1 = white). */
  readonly ink?: boolean;
  /** Vector data: the features. */
  readonly features?: readonly number[];
}

export interface Prediction {
  readonly outputs: readonly number[];
  readonly outputWidth: number;
}

/** What the evaluation view needs from a host. */
export interface EvaluationSource {
  evaluate(runId: string, path: string | null): Promise<EvaluationResult>;
  samples(runId: string, path: string | null, indices: readonly number[]): Promise<SampleView[]>;
  predict(runId: string, path: string | null, shape: readonly number[], values: ArrayLike<number>): Promise<Prediction>;
  /** An image file as the model's input (an image-folder run's "Try it"): decoded and resized by the host's loader. */
  encodeImage(bytes: Uint8Array, shape: readonly [number, number, 1 | 3]): Promise<EncodedImage>;
}

export const MAX_MISTAKES = 200;
/** Most test samples fetched for the scatter of a 2-D set / the ranges of vector features. */
const MAX_VECTOR_SAMPLES = 4000;
const SAMPLES_PER_REQUEST = 1000;

type EvaluatedData = RunEvaluation['data'];

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** Each feature's range over vector samples. */
export function featureRanges(samples: readonly { readonly values: readonly number[] }[], names?: readonly string[]): FeatureRange[] {
  const width = samples[0]?.values.length ?? 0;
  return range(0, width).map((f) => {
    let min = Infinity;
    let max = -Infinity;
    for (const s of samples) {
      const v = s.values[f]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { name: names?.[f] ?? `feature ${f + 1}`, min, max };
  });
}

/**
 * The view's result from the host's evaluation, plus — for vector data — the test samples themselves: the scatter
 * of a 2-D set and the ranges of the "Try it" sliders come from them.
 */
export function toEvaluationResult(evaluation: RunEvaluation, vectorSamples: DatasetSamples['samples'] = []): EvaluationResult {
  const { data } = evaluation;
  if (evaluation.task === 'regression') {
    return {
      task: 'regression',
      runId: evaluation.runId,
      datasetId: data.datasetId,
      inputShape: data.inputShape,
      metrics: evaluation.metrics,
      ...(evaluation.targets ? { targets: evaluation.targets } : {}),
      ...(evaluation.scatter ? { scatter: evaluation.scatter } : {}),
      ...(data.inputShape.length === 1 && vectorSamples.length > 0 ? { featureRanges: featureRanges(vectorSamples) } : {}),
    };
  }
  const inputKind = data.inputShape.length > 1 ? 'image' : 'vector';
  const twoD = inputKind === 'vector' && data.inputShape[0] === 2;
  return {
    task: 'classification',
    runId: evaluation.runId,
    datasetId: data.datasetId,
    classNames: evaluation.labels,
    inputKind,
    inputShape: data.inputShape,
    metrics: evaluation.metrics,
    calibration: evaluation.calibration,
    mistakes: evaluation.mistakes,
    mistakeCount: evaluation.mistakeCount,
    cellSamples: evaluation.cellSamples,
    ...(evaluation.boundary
      ? { boundary: { ...evaluation.boundary.grid, probabilities: evaluation.boundary.probabilities } }
      : {}),
    ...(twoD && vectorSamples.length > 0 ? { points: vectorSamples.map((s) => ({ x: s.values[0]!, y: s.values[1]!, label: s.label })) } : {}),
    ...(inputKind === 'vector' && vectorSamples.length > 0 ? { featureRanges: featureRanges(vectorSamples, twoD ? ['x', 'y'] : undefined) } : {}),
  };
}

/** The evaluation source backed by the LabApi. */
export function labEvaluationSource(api: LabApi): EvaluationSource {
  // The split the run was evaluated on: its dataset with the options it trained with (size, seed, test share).
  const datasetSamples = async (
    data: EvaluatedData,
    indices: readonly number[],
    run: { runId: string; path: string | null },
  ): Promise<DatasetSamples['samples']> => {
    const parts: DatasetSamples['samples'][] = [];
    for (let at = 0; at < indices.length; at += SAMPLES_PER_REQUEST) {
      const answer = await api.datasetSamples({
        dataset: data.datasetId,
        // A run on the user's own data: the host takes the samples from that data (issue 14).
        run,
        ...(data.datasetOptions ? { options: data.datasetOptions } : {}),
        split: 'test',
        indices: indices.slice(at, at + SAMPLES_PER_REQUEST),
      });
      parts.push(answer.samples);
    }
    return parts.flat();
  };
  const datasets = new Map<string, EvaluatedData>();
  return {
    async evaluate(runId, path) {
      const evaluation = await api.evaluateRun({ runId, path, maxMistakes: MAX_MISTAKES });
      const { data } = evaluation;
      datasets.set(runId, data);
      // Vector inputs (classifier or regression, not a model rebuilding its input): the "Try it" ranges.
      const vector = data.inputShape.length === 1 && !(evaluation.task === 'regression' && evaluation.targets === 'input');
      const samples = vector ? await datasetSamples(data, range(0, Math.min(data.sampleCount, MAX_VECTOR_SAMPLES)), { runId, path }) : [];
      return toEvaluationResult(evaluation, samples);
    },
    async samples(runId, path, indices) {
      const known = datasets.get(runId);
      if (!known) return [];
      const [height, width, channels] = known.inputShape;
      const image = known.inputShape.length > 1;
      // The bundled image sets are digits (ink); any other image data is the user's photos.
      const ink = isDatasetId(known.datasetId);
      return (await datasetSamples(known, indices, { runId, path })).map((s) => ({
        index: s.index,
        label: s.label,
        ...(image ? { pixels: s.values, width: width!, height: height!, channels: channels ?? 1, ink } : { features: s.values }),
      }));
    },
    async predict(runId, path, shape, values) {
      return api.predict({ runId, path, shape: [...shape], values: Array.from(values) });
    },
    async encodeImage(bytes, shape) {
      const [height, width, channels] = shape;
      return api.encodeImage({ image: bytesToBase64(bytes), height, width, channels });
    },
  };
}
