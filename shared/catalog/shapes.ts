/** Small shape helpers shared by the layer specs: formatting for messages and tfjs's output-length formulas. */
import type { Shape, ShapeResult } from './spec';

/** `[7, 7, 16]` → `7×7×16`; a vector `[64]` → `64`. */
export function formatShape(shape: Shape): string {
  return shape.length === 0 ? 'a scalar' : shape.join('×');
}

/** Describes a shape in words for error messages: "a flat vector of 64", "7×7×16 (an image)". */
export function describeShape(shape: Shape): string {
  switch (shape.length) {
    case 1:
      return `a flat vector of ${shape[0]}`;
    case 2:
      return `a sequence ${formatShape(shape)} (time × features)`;
    case 3:
      return `an image ${formatShape(shape)} (height × width × channels)`;
    default:
      return formatShape(shape);
  }
}

export function product(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function lastDim(shape: Shape): number {
  return shape[shape.length - 1] ?? 0;
}

export function ok(shape: Shape): ShapeResult {
  return { ok: true, shape };
}

export function fail(message: string, port?: number): ShapeResult {
  return port === undefined ? { ok: false, message } : { ok: false, message, port };
}

/** Output length of a convolution or pooling window along one axis, as tfjs-layers computes it. */
export function convOutputLength(input: number, kernel: number, padding: string, stride: number, dilation = 1): number {
  const dilatedKernel = kernel + (kernel - 1) * (dilation - 1);
  const length = padding === 'same' ? input : input - dilatedKernel + 1;
  return Math.floor((length + stride - 1) / stride);
}

/** Output length of a transposed convolution along one axis (tfjs-layers `deconvLength`). */
export function deconvOutputLength(input: number, kernel: number, padding: string, stride: number): number {
  return padding === 'same' ? input * stride : input * stride + Math.max(kernel - stride, 0);
}

export function pair(value: unknown, fallback: readonly [number, number]): readonly [number, number] {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number') {
    return [value[0], value[1]];
  }
  return fallback;
}
