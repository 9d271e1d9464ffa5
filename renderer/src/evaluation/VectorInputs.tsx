/** "Try it" for vector data: a slider and a field per feature over the data's range, the answer updated live. */
import { useMemo, useState } from 'react';
import type { ClassificationResult, EvaluationSource, FeatureRange } from './evaluationApi';
import { ProbabilityBars } from './ProbabilityBars';
import { useDebouncedPrediction } from './useDebouncedPrediction';

/** The features' ranges: as the evaluation states them, else read off the 2-D test points. */
export function featureRangesOf(result: ClassificationResult): FeatureRange[] {
  if (result.featureRanges?.length) return [...result.featureRanges];
  const points = result.points ?? [];
  if (points.length === 0) return [];
  const span = (values: number[], name: string): FeatureRange => ({ name, min: Math.min(...values), max: Math.max(...values) });
  return [span(points.map((p) => p.x), 'x'), span(points.map((p) => p.y), 'y')];
}

const stepOf = (range: FeatureRange) => {
  const span = range.max - range.min;
  return span > 0 ? Number((span / 200).toPrecision(1)) : 0.01;
};

/** A slider's value on its step's decimals: 0.30000000000000004 would not fit (nor mean anything) in the number box. */
export function onStep(value: number, step: number): number {
  const decimals = Math.max(0, Math.min(12, -Math.floor(Math.log10(step))));
  return Number(value.toFixed(decimals));
}

export function VectorInputs({ result, source, path }: { result: ClassificationResult; source: EvaluationSource; path: string | null }) {
  const ranges = useMemo(() => featureRangesOf(result), [result]);
  const [values, setValues] = useState<number[]>(() => ranges.map((r) => onStep((r.min + r.max) / 2, stepOf(r))));
  const input = useMemo(() => (values.length === ranges.length && values.length > 0 ? values : undefined), [values, ranges]);
  const { prediction, error, pending } = useDebouncedPrediction(source, result.runId, path, result.inputShape, input);
  if (ranges.length === 0) return <p className="nb-muted">The evaluation did not say the features' ranges.</p>;
  const set = (i: number, value: number) => Number.isFinite(value) && setValues((old) => old.map((v, j) => (j === i ? value : v)));
  return (
    <div className="nb-try-vector">
      <div className="nb-features">
        {ranges.map((range, i) => (
          <label key={range.name} className="nb-feature">
            <span>{range.name}</span>
            <input type="range" aria-label={`${range.name} slider`} min={range.min} max={range.max} step={stepOf(range)} value={values[i]} onChange={(e) => set(i, onStep(Number(e.target.value), stepOf(range)))} />
            <input type="number" aria-label={range.name} step={stepOf(range)} value={values[i]} onChange={(e) => set(i, Number(e.target.value))} />
          </label>
        ))}
      </div>
      <ProbabilityBars prediction={prediction} classNames={result.classNames} pending={pending} />
      {error ? <p className="nb-error" role="alert">{error}</p> : null}
    </div>
  );
}
