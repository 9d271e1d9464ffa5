/** Shared input-rank checks with messages that say what to insert to fix the graph. */
import { describeShape, fail, formatShape } from './shapes';
import type { Shape, ShapeResult } from './spec';

/**
 * Checks that a single input has one of the allowed ranks; returns a failing ShapeResult or undefined.
 * The hint names the layers that convert between ranks, because that is what the user must add.
 */
export function expectRank(layer: string, input: Shape, ranks: readonly number[], port = 0): ShapeResult | undefined {
  if (ranks.includes(input.length)) return undefined;
  const got = formatShape(input);
  if (ranks.length === 1 && ranks[0] === 1) {
    const hint =
      input.length === 3 ? 'add Flatten or GlobalAvgPool2D first' : input.length === 2 ? 'add Flatten or an LSTM/GRU first' : 'add Flatten first';
    return fail(`${layer} expects a flat vector but gets ${got} — ${hint}`, port);
  }
  if (ranks.includes(1) && ranks.includes(2) && ranks.length === 2) {
    return fail(`${layer} expects a flat vector (or a sequence) but gets ${got} — add Flatten or GlobalAvgPool2D first`, port);
  }
  if (ranks.length === 1 && ranks[0] === 3) {
    const hint = input.length === 1 ? `add Reshape to [h, w, c] first (e.g. [${input[0]}, 1, 1])` : 'add Reshape to [h, w, c] first';
    return fail(`${layer} expects an image (height × width × channels) but gets ${describeShape(input)} — ${hint}`, port);
  }
  if (ranks.length === 1 && ranks[0] === 2) {
    const hint = input.length === 3 ? `add Reshape to [${input[0]}, ${(input[1] ?? 1) * (input[2] ?? 1)}] first` : 'add Reshape to [time, features] or an Embedding first';
    return fail(`${layer} expects a sequence (time × features) but gets ${describeShape(input)} — ${hint}`, port);
  }
  return fail(`${layer} expects an input of rank ${ranks.join(' or ')} but gets ${got}`, port);
}
