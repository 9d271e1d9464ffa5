/** Where data enters (Input) and where predictions leave (Output, which also defines loss and metrics). */
import { fail, formatShape, ok } from './shapes';
import { enumParam, intParam, num, str } from './paramHelpers';
import { expectRank } from './rankCheck';
import type { HeadDesc, LayerSpec, ResolvedParams, Shape } from './spec';

export const INPUT_KINDS = ['image', 'vector', 'sequence', 'tokens'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export const OUTPUT_TASKS = ['classification', 'binary', 'regression'] as const;
export type OutputTask = (typeof OUTPUT_TASKS)[number];

/** The per-sample shape an Input node produces. */
export function inputShape(p: ResolvedParams): Shape {
  switch (str(p, 'kind') as InputKind) {
    case 'image':
      return [num(p, 'height'), num(p, 'width'), num(p, 'channels')];
    case 'vector':
      return [num(p, 'size')];
    case 'sequence':
      return [num(p, 'length'), num(p, 'features')];
    case 'tokens':
      return [num(p, 'length')];
  }
}

const imageOnly = { param: 'kind', values: ['image'] } as const;

export const inputSpec: LayerSpec = {
  type: 'Input',
  category: 'Inputs',
  label: 'Input',
  description:
    'Where samples enter the network. Pick the kind of data: an image (height × width × channels), a flat vector, ' +
    'a sequence of feature vectors, or a sequence of token ids for an Embedding.',
  params: {
    kind: enumParam({ label: 'Kind', help: 'What one sample looks like.', default: 'vector', options: INPUT_KINDS }),
    height: intParam({ label: 'Height', help: 'Image height in pixels.', default: 28, min: 1, max: 4096, visibleWhen: imageOnly }),
    width: intParam({ label: 'Width', help: 'Image width in pixels.', default: 28, min: 1, max: 4096, visibleWhen: imageOnly }),
    channels: intParam({ label: 'Channels', help: '1 for grayscale, 3 for RGB.', default: 1, min: 1, max: 4096, visibleWhen: imageOnly }),
    size: intParam({
      label: 'Size',
      help: 'Number of features per sample.',
      default: 2,
      min: 1,
      max: 1_000_000,
      visibleWhen: { param: 'kind', values: ['vector'] },
    }),
    length: intParam({
      label: 'Length',
      help: 'Number of time steps (or tokens) per sample.',
      default: 16,
      min: 1,
      max: 100_000,
      visibleWhen: { param: 'kind', values: ['sequence', 'tokens'] },
    }),
    features: intParam({
      label: 'Features',
      help: 'Features per time step.',
      default: 8,
      min: 1,
      max: 100_000,
      visibleWhen: { param: 'kind', values: ['sequence'] },
    }),
  },
  inputs: { min: 0, max: 0, ordered: false },
  inferShape: (inputs, p) => (inputs.length > 0 ? fail('Input takes no inputs') : ok(inputShape(p))),
  countParams: () => 0,
  flops: () => 0,
  summary: (p) => (str(p, 'kind') === 'tokens' ? `${num(p, 'length')} tokens` : formatShape(inputShape(p))),
  toTfjs: (p) => [
    {
      className: 'InputLayer',
      config: { batchInputShape: [null, ...inputShape(p)], dtype: str(p, 'kind') === 'tokens' ? 'int32' : 'float32' },
    },
  ],
};

const HEADS: Readonly<Record<OutputTask, { activation: string; loss: HeadDesc['loss']; metrics: readonly string[] }>> = {
  classification: { activation: 'softmax', loss: 'categoricalCrossentropy', metrics: ['accuracy'] },
  binary: { activation: 'sigmoid', loss: 'binaryCrossentropy', metrics: ['accuracy'] },
  regression: { activation: 'linear', loss: 'meanSquaredError', metrics: [] },
};

/** Output units: binary heads always have one sigmoid unit (labels are 0/1). */
export function outputUnits(p: ResolvedParams): number {
  return str(p, 'task') === 'binary' ? 1 : num(p, 'units');
}

export const outputSpec: LayerSpec = {
  type: 'Output',
  category: 'Output',
  label: 'Output',
  description:
    'The prediction head: a Dense layer plus the loss. Classification uses softmax with categorical cross-entropy ' +
    '(units = number of classes); binary uses one sigmoid unit with binary cross-entropy; regression is linear with ' +
    'mean squared error (units = values to predict).',
  params: {
    task: enumParam({ label: 'Task', help: 'What the network predicts.', default: 'classification', options: OUTPUT_TASKS }),
    units: intParam({
      label: 'Units',
      help: 'Classes (classification) or values to predict (regression). Binary heads always have 1 unit.',
      default: 10,
      min: 1,
      max: 1_000_000,
      visibleWhen: { param: 'task', values: ['classification', 'regression'] },
    }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [1],
  inferShape: (inputs, p) => {
    const input = inputs[0];
    if (!input) return fail('Output needs an input');
    const rankError = expectRank('Output', input, [1]);
    if (rankError) return rankError;
    if (str(p, 'task') === 'classification' && num(p, 'units') < 2) {
      return fail("Output: classification needs at least 2 classes — use task 'binary' for a single yes/no unit");
    }
    return ok([outputUnits(p)]);
  },
  countParams: (inputs, _out, p) => (inputs[0]?.[0] ?? 0) * outputUnits(p) + outputUnits(p),
  flops: (inputs, _out, p) => 2 * (inputs[0]?.[0] ?? 0) * outputUnits(p) + 4 * outputUnits(p),
  summary: (p) => (str(p, 'task') === 'binary' ? 'binary · sigmoid' : `${num(p, 'units')} · ${HEADS[str(p, 'task') as OutputTask].activation}`),
  toTfjs: (p) => [
    {
      className: 'Dense',
      config: { units: outputUnits(p), activation: HEADS[str(p, 'task') as OutputTask].activation, useBias: true },
    },
  ],
  head: (p) => {
    const task = str(p, 'task') as OutputTask;
    const h = HEADS[task];
    return { task, loss: h.loss, metrics: h.metrics, units: outputUnits(p) };
  },
};

export const ioLayers: readonly LayerSpec[] = [inputSpec, outputSpec];
