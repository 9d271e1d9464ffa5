/**
 * The evaluation view's one door to the host: evaluate a kept run, fetch samples by index, predict on drawn or typed
 * inputs. Every evaluation component reads these types only, so the wire's own types are mapped here and nowhere else.
 */
import type { LabApi } from '../../../shared/contracts/api';
import type { Calibration, ClassificationMetrics, MisclassifiedSample, PlaneExtent } from '../../../shared/evaluation';

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

/** One evaluated run, on the test split it was trained with. Sample indices refer to that split. */
export interface EvaluationResult {
  readonly runId: string;
  readonly datasetId: string;
  readonly classNames: readonly string[];
  readonly inputKind: 'image' | 'vector';
  /** Per-sample input shape, no batch dimension (what `predict` wants). */
  readonly inputShape: readonly number[];
  readonly metrics: ClassificationMetrics;
  readonly calibration: Calibration;
  /** Most confident mistakes first (may be cut short: `metrics` counts them all). */
  readonly mistakes: readonly MisclassifiedSample[];
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

/** A test sample as the gallery shows it. */
export interface SampleView {
  readonly index: number;
  readonly label: number;
  /** Image data: row-major H×W grey levels in [0, 1]. */
  readonly pixels?: ArrayLike<number>;
  readonly width?: number;
  readonly height?: number;
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
}

export const MAX_MISTAKES = 200;

type Method = (request: unknown) => Promise<unknown>;

/** The host's method of that name, or undefined while this host does not offer it. */
function method(api: LabApi, name: string): Method | undefined {
  const fn = (api as unknown as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as Method).bind(api) : undefined;
}

export function isEvaluationAvailable(api: LabApi): boolean {
  return method(api, 'evaluateRun') !== undefined;
}

class UnavailableError extends Error {
  constructor(name: string) {
    super(`This host cannot ${name} yet.`);
  }
}

/** The evaluation source backed by the LabApi. */
export function labEvaluationSource(api: LabApi): EvaluationSource {
  return {
    async evaluate(runId, path) {
      const evaluateRun = method(api, 'evaluateRun');
      if (!evaluateRun) throw new UnavailableError('evaluate runs');
      return (await evaluateRun({ runId, path, maxMistakes: MAX_MISTAKES })) as EvaluationResult;
    },
    async samples(runId, path, indices) {
      const datasetSamples = method(api, 'datasetSamples');
      if (!datasetSamples) return [];
      return (await datasetSamples({ runId, path, indices: [...indices] })) as SampleView[];
    },
    async predict(runId, path, shape, values) {
      const predict = method(api, 'predict');
      if (!predict) throw new UnavailableError('predict');
      return (await predict({ runId, path, shape: [...shape], values: Array.from(values) })) as Prediction;
    },
  };
}
