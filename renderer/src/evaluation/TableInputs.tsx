/**
 * "Try it" for a run on the user's own table: one field per feature column in the table's own units (a slider and a
 * number for a numeric column, a choice for a categorical one), encoded here with the run's fitted preprocessing
 * (shared/data/tableRow.ts: the loader's standardisation and one-hot), and the model's answer: class probabilities, or
 * for a regression the predicted value in the target's units.
 */
import { useMemo, useState } from 'react';
import type { TableDataSpec } from '../../../shared/data/dataSpec';
import {
  decodeTableRow,
  encodeTableRow,
  encodedWidth,
  numericRanges,
  regressionInTargetUnits,
  tableRowFields,
  UnfittedSpecError,
  type TableRowField,
  type TableRowValue,
} from '../../../shared/data/tableRow';
import type { EvaluationSource, FeatureRange } from './evaluationApi';
import { ProbabilityBars } from './ProbabilityBars';
import { useDebouncedPrediction } from './useDebouncedPrediction';
import { onStep } from './VectorInputs';

export interface TableInputsProps {
  readonly spec: TableDataSpec;
  readonly runId: string;
  readonly source: EvaluationSource;
  readonly path: string | null;
  /** The encoded test rows' ranges (min/max per model input), read back into the table's units for the sliders. */
  readonly featureRanges?: readonly FeatureRange[];
  /** Classification: the class names, in output order. Absent: a regression head. */
  readonly classNames?: readonly string[];
}

const stepOf = (min: number, max: number) => {
  const span = max - min;
  return span > 0 ? Number((span / 200).toPrecision(1)) : 0.01;
};

/** Slider ranges in the table's units: each encoded range's ends decoded (standardising is monotonic). */
function rangesOf(fields: readonly TableRowField[], featureRanges: readonly FeatureRange[] | undefined) {
  if (!featureRanges || featureRanges.length !== encodedWidth(fields)) return numericRanges(fields, []);
  return numericRanges(fields, [decodeTableRow(fields, featureRanges.map((r) => r.min)), decodeTableRow(fields, featureRanges.map((r) => r.max))]);
}

/** A middle value to start from: the training mean (on the slider's step), the first category. */
function startValues(fields: readonly TableRowField[], ranges: ReturnType<typeof rangesOf>): TableRowValue[] {
  return fields.map((f) => {
    if (f.kind === 'categorical') return f.categories[0]!;
    const r = ranges.get(f.name)!;
    return onStep(Math.min(r.max, Math.max(r.min, f.mean)), stepOf(r.min, r.max));
  });
}

const formatValue = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(4)).toString());

export function TableInputs({ spec, runId, source, path, featureRanges, classNames }: TableInputsProps) {
  const fields = useMemo(() => {
    try {
      return tableRowFields(spec);
    } catch (error) {
      if (error instanceof UnfittedSpecError) return error;
      throw error;
    }
  }, [spec]);
  if (fields instanceof UnfittedSpecError) return <p className="nb-muted">{fields.message}</p>;
  return <TableFields fields={fields} spec={spec} runId={runId} source={source} path={path} featureRanges={featureRanges} classNames={classNames} />;
}

function TableFields({ fields, spec, runId, source, path, featureRanges, classNames }: TableInputsProps & { readonly fields: readonly TableRowField[] }) {
  const ranges = useMemo(() => rangesOf(fields, featureRanges), [fields, featureRanges]);
  const [values, setValues] = useState<TableRowValue[]>(() => startValues(fields, ranges));
  const shape = useMemo(() => [encodedWidth(fields)], [fields]);
  const encoded = useMemo(() => encodeTableRow(fields, values), [fields, values]);
  const { prediction, error, pending } = useDebouncedPrediction(source, runId, path, shape, encoded);
  const set = (i: number, value: TableRowValue) => {
    if (typeof value === 'number' && !Number.isFinite(value)) return;
    setValues((old) => old.map((v, j) => (j === i ? value : v)));
  };
  const regression = classNames === undefined;
  const predicted = regression && prediction ? regressionInTargetUnits(spec, prediction.outputs[0]!) : undefined;
  return (
    <div className="nb-try-vector nb-try-table">
      <div className="nb-features" role="group" aria-label="Feature columns">
        {fields.map((field, i) =>
          field.kind === 'numeric' ? (
            <NumericField key={field.name} name={field.name} range={ranges.get(field.name)!} value={values[i] as number} onChange={(v) => set(i, v)} />
          ) : (
            <label key={field.name} className="nb-feature">
              <span>{field.name}</span>
              <select aria-label={field.name} value={values[i] as string} onChange={(e) => set(i, e.target.value)}>
                {field.categories.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              <span />
            </label>
          ),
        )}
      </div>
      {regression ? (
        <p className="nb-try-regression" aria-label="Predicted value" aria-busy={pending} data-value={predicted ?? ''}>
          Predicted {spec.target.name}: <strong>{predicted === undefined ? '—' : formatValue(predicted)}</strong>
        </p>
      ) : (
        <ProbabilityBars prediction={prediction} classNames={classNames} pending={pending} />
      )}
      {error ? (
        <p className="nb-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A typed entry as a number: undefined while it is empty or not (yet) a number, e.g. "" or "-". */
export function typedNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A numeric column's slider and number. What is typed is kept as typed until it is a number (emptying the field to
 * type another value does not try 0 meanwhile); leaving the field shows the value in use again. A value outside the
 * test rows' range is allowed and said so: the model saw nothing like it.
 */
function NumericField({ name, range, value, onChange }: { name: string; range: { min: number; max: number }; value: number; onChange: (v: number) => void }) {
  const step = stepOf(range.min, range.max);
  const [draft, setDraft] = useState<string>();
  const outside = value < range.min || value > range.max;
  return (
    <label className="nb-feature">
      <span>{name}</span>
      <input
        type="range"
        aria-label={`${name} slider`}
        min={range.min}
        max={range.max}
        step={step}
        value={value}
        onChange={(e) => {
          setDraft(undefined);
          onChange(onStep(Number(e.target.value), step));
        }}
      />
      <input
        type="number"
        aria-label={name}
        step={step}
        value={draft ?? value}
        onChange={(e) => {
          setDraft(e.target.value);
          const typed = typedNumber(e.target.value);
          if (typed !== undefined) onChange(typed);
        }}
        onBlur={() => setDraft(undefined)}
      />
      {outside ? (
        <span className="nb-muted" role="note" aria-label={`${name} outside the test rows`} style={{ gridColumn: '2 / -1' }}>
          Outside the test rows ({formatValue(range.min)} – {formatValue(range.max)}): the model saw nothing like it, so its answer is a guess.
        </span>
      ) : null}
    </label>
  );
}
