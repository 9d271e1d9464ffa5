/**
 * One row of a user's table as the model sees it and back, for "Try it" on a table run: the fields a person fills in
 * (a number per numeric feature, a choice per categorical one), the encoding of those values with the run's fitted
 * preprocessing (standardisation, one-hot, exactly as the loader's applyPreprocessing does: a test in
 * electron/services/data/table checks both give the same inputs), the decoding of encoded test rows back into the
 * table's own units (to find each numeric field's range), and a regression output in the target's own units.
 *
 * Pure TypeScript: the renderer encodes locally and asks the host's existing `predict` with the encoded vector.
 */
import type { CategoricalFeature, NumericFeature, TableDataSpec } from './dataSpec';

export type TableRowValue = number | string;

/** A numeric field: its fitted mean and spread, so a person sees the column's own units. */
export interface NumericRowField {
  readonly kind: 'numeric';
  readonly name: string;
  readonly mean: number;
  readonly std: number;
}
/** A categorical field: one of the categories seen in training. */
export interface CategoricalRowField {
  readonly kind: 'categorical';
  readonly name: string;
  readonly categories: readonly string[];
}
export type TableRowField = NumericRowField | CategoricalRowField;

/** Thrown when a spec has not been fitted (no mean/std, no categories): nothing can be encoded with it. */
export class UnfittedSpecError extends Error {
  override readonly name = 'UnfittedSpecError';
}

/** The loader's scale: a zero (constant column) or absent std divides by 1. */
function scaleOf(std: number | undefined): number {
  return std !== undefined && std > 0 ? std : 1;
}

function numericField(feature: NumericFeature): NumericRowField {
  if (feature.mean === undefined || feature.std === undefined) {
    throw new UnfittedSpecError(`Column '${feature.name}' has no fitted mean/std: train on the data first`);
  }
  return { kind: 'numeric', name: feature.name, mean: feature.mean, std: feature.std };
}

function categoricalField(feature: CategoricalFeature): CategoricalRowField {
  if (!feature.categories) throw new UnfittedSpecError(`Column '${feature.name}' has no fitted categories: train on the data first`);
  return { kind: 'categorical', name: feature.name, categories: feature.categories };
}

/** The fields of one row, in the spec's feature order. Throws UnfittedSpecError naming the column when not fitted. */
export function tableRowFields(spec: TableDataSpec): TableRowField[] {
  return spec.features.map((f) => (f.kind === 'numeric' ? numericField(f) : categoricalField(f)));
}

/** How many numbers the model's Input takes for this spec (numeric: 1, categorical: one per category). */
export function encodedWidth(fields: readonly TableRowField[]): number {
  return fields.reduce((sum, f) => sum + (f.kind === 'numeric' ? 1 : f.categories.length), 0);
}

/**
 * The model's input for one row. `values[i]` belongs to `fields[i]`: a finite number for a numeric field, a category
 * for a categorical one (an unknown category encodes as all zeros, as the loader does). Throws naming the field when a
 * value has the wrong kind.
 */
export function encodeTableRow(fields: readonly TableRowField[], values: readonly TableRowValue[]): number[] {
  if (values.length !== fields.length) throw new RangeError(`expected ${fields.length} values (one per feature column), got ${values.length}`);
  const out: number[] = [];
  fields.forEach((field, i) => {
    const value = values[i];
    if (field.kind === 'numeric') {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`'${field.name}' needs a number, got ${JSON.stringify(value)}`);
      out.push((value - field.mean) / scaleOf(field.std));
    } else {
      if (typeof value !== 'string') throw new TypeError(`'${field.name}' needs one of its categories, got ${JSON.stringify(value)}`);
      for (const category of field.categories) out.push(category === value ? 1 : 0);
    }
  });
  return out;
}

/**
 * An encoded row back in the table's own units: numbers un-standardised, a one-hot block as its category (the largest
 * entry; all zeros — a category unseen in training — as `undefined`).
 */
export function decodeTableRow(fields: readonly TableRowField[], encoded: ArrayLike<number>): (TableRowValue | undefined)[] {
  const width = encodedWidth(fields);
  if (encoded.length !== width) throw new RangeError(`expected ${width} encoded numbers, got ${encoded.length}`);
  let at = 0;
  return fields.map((field) => {
    if (field.kind === 'numeric') return encoded[at++]! * scaleOf(field.std) + field.mean;
    let best = -1;
    let bestValue = 0;
    for (let c = 0; c < field.categories.length; c++) {
      const v = encoded[at + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    at += field.categories.length;
    return best >= 0 ? field.categories[best] : undefined;
  });
}

/**
 * A regression head's output in the target's own units: the trainer learns the standardised target (spec.target's
 * fitted mean/std), so the model's number is scaled back. Without a fitted mean/std the output is already in units.
 */
export function regressionInTargetUnits(spec: TableDataSpec, output: number): number {
  const { mean, std } = spec.target;
  return mean === undefined ? output : output * scaleOf(std) + mean;
}

/** A range per numeric field over decoded rows (for sliders), widened a little so the extremes are not at the ends. */
export function numericRanges(fields: readonly TableRowField[], rows: readonly (readonly (TableRowValue | undefined)[])[]): Map<string, { min: number; max: number }> {
  const ranges = new Map<string, { min: number; max: number }>();
  fields.forEach((field, i) => {
    if (field.kind !== 'numeric') return;
    let min = Infinity;
    let max = -Infinity;
    for (const row of rows) {
      const v = row[i];
      if (typeof v !== 'number') continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // No rows: mean ± 3 std covers nearly all of a column's values.
    if (!(min <= max)) {
      min = field.mean - 3 * scaleOf(field.std);
      max = field.mean + 3 * scaleOf(field.std);
    }
    ranges.set(field.name, { min, max });
  });
  return ranges;
}
