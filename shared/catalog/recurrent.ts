/** Recurrent layers read a sequence (time × features) step by step, keeping a memory. */
import { activationParam, CELL_ACTIVATIONS } from './activations';
import { bool, boolParam, intParam, num, str } from './paramHelpers';
import { expectRank } from './rankCheck';
import { fail, ok } from './shapes';
import type { LayerSpec, ResolvedParams, Shape } from './spec';

function recurrentSpec(type: 'LSTM' | 'GRU', gates: number, description: string): LayerSpec {
  const outShape = (input: Shape, p: ResolvedParams): Shape =>
    bool(p, 'returnSequences') ? [input[0] ?? 0, num(p, 'units')] : [num(p, 'units')];
  return {
    type,
    category: 'Recurrent',
    label: type,
    description,
    params: {
      units: intParam({ label: 'Units', help: 'Size of the memory (and of the output at each step).', default: 32, min: 1, max: 65_536 }),
      activation: activationParam('tanh', 'Activation of the candidate state and output (tanh is standard).', CELL_ACTIVATIONS),
      returnSequences: boolParam({
        label: 'Return sequences',
        help: 'Output every time step (T × units, to stack another recurrent layer) instead of only the last (units).',
        default: false,
      }),
      useBias: boolParam({ label: 'Use bias', help: 'Learned offsets for the gates.', default: true }),
    },
    inputs: { min: 1, max: 1, ordered: false },
    inputRanks: [2],
    inferShape: (inputs, p) => {
      const input = inputs[0];
      if (!input) return fail(`${type} needs an input`);
      return expectRank(type, input, [2]) ?? ok(outShape(input, p));
    },
    countParams: (inputs, _o, p) => {
      const f = inputs[0]?.[1] ?? 0;
      const u = num(p, 'units');
      return gates * (u * (f + u) + (bool(p, 'useBias') ? u : 0));
    },
    flops: (inputs, _o, p) => {
      const [t = 0, f = 0] = inputs[0] ?? [];
      const u = num(p, 'units');
      return t * gates * (2 * u * (f + u) + 6 * u);
    },
    summary: (p) => `${num(p, 'units')}${bool(p, 'returnSequences') ? ' · seq' : ''}`,
    toTfjs: (p) => [
      {
        className: type,
        config: {
          units: num(p, 'units'),
          activation: str(p, 'activation'),
          returnSequences: bool(p, 'returnSequences'),
          useBias: bool(p, 'useBias'),
        },
      },
    ],
  };
}

export const lstmSpec = recurrentSpec(
  'LSTM',
  4,
  'Long short-term memory: reads the sequence one step at a time with gates that decide what to remember and forget.',
);
export const gruSpec = recurrentSpec(
  'GRU',
  3,
  'Gated recurrent unit: a lighter LSTM with two gates; often trains as well with fewer parameters.',
);

export const recurrentLayers: readonly LayerSpec[] = [lstmSpec, gruSpec];
