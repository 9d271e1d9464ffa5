/** The allowed range shown beside a numeric setting's label, e.g. `1 – 1,000,000`. */
import type { ParamSpec } from '../../../shared/catalog/spec';

/** Whole numbers get thousands separators (not `1e+6`, which reads as a typo); tiny fractions keep JS's short form. */
export function formatBound(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return String(n);
}

export function rangeText(spec: ParamSpec): string {
  if (spec.kind === 'int' || spec.kind === 'float' || spec.kind === 'ints') {
    return `${formatBound(spec.min)} – ${formatBound(spec.max)}`;
  }
  return '';
}
