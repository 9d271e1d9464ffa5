/** Merge layers join branches: Add and Multiply (elementwise, equal shapes) and Concatenate (along an axis). */
import { intParam, num } from './paramHelpers';
import { fail, formatShape, ok, product } from './shapes';
import type { LayerSpec, Shape, ShapeResult } from './spec';

export const MAX_MERGE_INPUTS = 8;

function sameShapes(type: string, inputs: readonly Shape[]): ShapeResult {
  const first = inputs[0];
  if (!first || inputs.length < 2) return fail(`${type} needs at least 2 inputs`);
  for (let i = 1; i < inputs.length; i++) {
    const s = inputs[i] ?? [];
    if (s.length !== first.length || s.some((d, k) => d !== first[k])) {
      return fail(`${type}: input ${i + 1} is ${formatShape(s)} but input 1 is ${formatShape(first)} — shapes must be equal`, i);
    }
  }
  return ok(first);
}

function elementwiseSpec(type: 'Add' | 'Multiply', className: string, description: string, symbol: string): LayerSpec {
  return {
    type,
    category: 'Merge',
    label: type,
    description,
    params: {},
    inputs: { min: 2, max: MAX_MERGE_INPUTS, ordered: false },
    inferShape: (inputs) => sameShapes(type, inputs),
    countParams: () => 0,
    flops: (inputs, out) => Math.max(0, inputs.length - 1) * product(out),
    summary: () => symbol,
    toTfjs: () => [{ className, config: {} }],
  };
}

export const addSpec = elementwiseSpec(
  'Add',
  'Add',
  'Adds its inputs elementwise; all must have the same shape. The join of a residual (skip) connection.',
  '+',
);
export const multiplySpec = elementwiseSpec(
  'Multiply',
  'Multiply',
  'Multiplies its inputs elementwise; all must have the same shape. Used for gating.',
  '×',
);

/** Converts a tfjs-style axis (batch is axis 0; negatives count from the end) to a per-sample axis index. */
export function sampleAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? rank + axis : axis - 1;
  return a >= 0 && a < rank ? a : undefined;
}

export const concatenateSpec: LayerSpec = {
  type: 'Concatenate',
  category: 'Merge',
  label: 'Concatenate',
  description:
    'Joins its inputs along one axis (by default the last: channels or features). All other dimensions must match. ' +
    'Input order matters: each port is one input.',
  params: {
    axis: intParam({
      label: 'Axis',
      help: 'Axis to join along, as in tfjs: -1 = last (channels); 1 = first per-sample axis (0 is the batch).',
      default: -1,
      min: -4,
      max: 4,
    }),
  },
  inputs: { min: 2, max: MAX_MERGE_INPUTS, ordered: true },
  inferShape: (inputs, p) => {
    const first = inputs[0];
    if (!first || inputs.length < 2) return fail('Concatenate needs at least 2 inputs');
    const axisParam = num(p, 'axis');
    const axis = sampleAxis(axisParam, first.length);
    if (axis === undefined) {
      return fail(
        axisParam === 0
          ? 'Concatenate: axis 0 is the batch axis — use -1 (last) or 1…rank'
          : `Concatenate: axis ${axisParam} is out of range for ${formatShape(first)} inputs`,
      );
    }
    let total = first[axis] ?? 0;
    for (let i = 1; i < inputs.length; i++) {
      const s = inputs[i] ?? [];
      if (s.length !== first.length) {
        return fail(
          `Concatenate: input ${i + 1} is ${formatShape(s)} but input 1 is ${formatShape(first)} — they need the same number of dimensions`,
          i,
        );
      }
      for (let k = 0; k < s.length; k++) {
        if (k !== axis && s[k] !== first[k]) {
          return fail(
            `Concatenate: input ${i + 1} is ${formatShape(s)} but input 1 is ${formatShape(first)} — all dimensions except ` +
              `axis ${axisParam} must match (dimension ${k + 1}: ${s[k]} vs ${first[k]})`,
            i,
          );
        }
      }
      total += s[axis] ?? 0;
    }
    return ok(first.map((d, k) => (k === axis ? total : d)));
  },
  countParams: () => 0,
  flops: () => 0,
  summary: (p) => (num(p, 'axis') === -1 ? '‖ last axis' : `‖ axis ${num(p, 'axis')}`),
  toTfjs: (p) => [{ className: 'Concatenate', config: { axis: num(p, 'axis') } }],
};

export const mergeLayers: readonly LayerSpec[] = [addSpec, concatenateSpec, multiplySpec];
