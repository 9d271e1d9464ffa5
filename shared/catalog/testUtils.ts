/** Test helper (used only by *.test.ts): resolve params for a registered layer and infer its shape. */
import { getLayerSpec } from './registry';
import { resolveParams } from './resolveParams';
import type { LayerSpec, Params, ResolvedParams, Shape, ShapeResult } from './spec';

export function specOf(type: string): LayerSpec {
  const spec = getLayerSpec(type);
  if (!spec) throw new Error(`no spec for ${type}`);
  return spec;
}

export function resolved(type: string, params: Params = {}): ResolvedParams {
  const r = resolveParams(specOf(type), params);
  if (r.issues.length > 0) throw new Error(r.issues.map((i) => i.message).join('; '));
  return r.params;
}

export function infer(type: string, inputs: readonly Shape[], params: Params = {}): ShapeResult {
  return specOf(type).inferShape(inputs, resolved(type, params));
}
