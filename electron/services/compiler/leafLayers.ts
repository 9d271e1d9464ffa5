/**
 * The layers of a model with nested sub-models expanded (compileGraph assembles very deep graphs from segments),
 * in order. Iterative: a model may hold thousands of layers.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

/** A layer that is itself a model (a tfjs `Container`) has its own `layers`. */
function nestedLayers(layer: tfl.layers.Layer): readonly tfl.layers.Layer[] | undefined {
  const inner = (layer as Partial<Pick<tfl.LayersModel, 'layers'>>).layers;
  return Array.isArray(inner) ? inner : undefined;
}

export function leafLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const leaves: tfl.layers.Layer[] = [];
  const stack: tfl.layers.Layer[] = [...model.layers].reverse();
  while (stack.length > 0) {
    const layer = stack.pop()!;
    const inner = nestedLayers(layer);
    if (inner) for (let i = inner.length - 1; i >= 0; i--) stack.push(inner[i]!);
    else leaves.push(layer);
  }
  return leaves;
}
