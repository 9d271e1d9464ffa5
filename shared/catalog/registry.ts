/**
 * The layer catalog: every LayerSpec registered under its explicit type string. The built-in layers are registered
 * when this module loads; each category file exports its specs as an array, so adding a layer touches one file.
 */
import { convolutionLayers } from './convolution';
import { coreLayers } from './core';
import { inputSpec, outputSpec } from './io';
import { mergeLayers } from './merge';
import { normalizationLayers } from './normalization';
import { poolingLayers } from './pooling';
import { recurrentLayers } from './recurrent';
import type { LayerSpec } from './spec';

const specs = new Map<string, LayerSpec>();

/** Registers a spec; refuses a second spec for the same type string (as tfjs `registerClass` does). */
export function registerLayer(spec: LayerSpec): void {
  if (specs.has(spec.type)) throw new Error(`Layer type '${spec.type}' is already registered`);
  specs.set(spec.type, spec);
}

export function getLayerSpec(type: string): LayerSpec | undefined {
  return specs.get(type);
}

/** All registered specs in registration order (Input first, Output last). */
export function listLayerSpecs(): readonly LayerSpec[] {
  return [...specs.values()];
}

for (const spec of [
  inputSpec,
  ...coreLayers,
  ...convolutionLayers,
  ...poolingLayers,
  ...normalizationLayers,
  ...mergeLayers,
  ...recurrentLayers,
  outputSpec,
]) {
  registerLayer(spec);
}
