/**
 * Normalizer-free (Brock, De, Smith & Simonyan 2021, "High-Performance Large-Scale Image Recognition Without
 * Normalization"): a residual CNN without BatchNorm at a high learning rate diverges or lags; the same net with
 * scaled weight standardisation (WSConv2D), SkipInit at the end of each branch and adaptive gradient clipping trains.
 */
import type { VariantSpec } from '../experiments/variants';
import type { GraphDocument } from '../document/model';
import { DEFAULT_AGC_LAMBDA, DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../format/trainingConfig';
import { GraphBuilder } from './buildGraph';
import { describeAccuracy, finalAccuracy, findResult, hasEdge, percent } from './measure';
import type { Lesson, LessonVariantResult } from './types';

export const NF_LESSON_RATE = 0.03;
export const NF_MNIST_LIMIT = 2000;

/** ResNet-mini without BatchNorm: stem + two residual blocks; `nf` uses WSConv2D and a SkipInit before each Add. */
export function residualCnn(nf: boolean): GraphDocument {
  const conv = nf ? 'WSConv2D' : 'Conv2D';
  const b = new GraphBuilder();
  const input = b.node('input', 'Input', { kind: 'image', height: 28, width: 28, channels: 1 });
  const stem = b.then(input, 'stem', conv, { filters: 16, kernelSize: [3, 3], strides: [2, 2], padding: 'same', activation: 'relu' });
  let prev = stem;
  for (const [block, filters, stride] of [[1, 16, 1], [2, 32, 2]] as const) {
    const c1 = b.then(prev, `b${block}_conv1`, conv, { filters, kernelSize: [3, 3], strides: [stride, stride], padding: 'same', activation: 'linear' });
    const r1 = b.then(c1, `b${block}_relu1`, 'Activation', { activation: 'relu' });
    let branch = b.then(r1, `b${block}_conv2`, conv, { filters, kernelSize: [3, 3], padding: 'same', activation: 'linear' });
    if (nf) branch = b.then(branch, `b${block}_skip`, 'SkipInit', {});
    let shortcut = prev;
    if (stride !== 1) shortcut = b.then(prev, `b${block}_proj`, conv, { filters, kernelSize: [1, 1], strides: [stride, stride], padding: 'same', activation: 'linear' }, 1);
    const add = b.then(branch, `b${block}_add`, 'Add', {});
    b.edge(shortcut, add, 1);
    prev = b.then(add, `b${block}_relu`, 'Activation', { activation: 'relu' });
  }
  const gap = b.then(prev, 'gap', 'GlobalAvgPool2D', {});
  b.then(gap, 'out', 'Output', { task: 'classification', units: 10 });
  return b.build(nf ? 'NF-ResNet mini' : 'ResNet mini without BatchNorm', 'Two residual blocks on MNIST digits');
}

const config: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'mnist',
  optimizer: 'adam',
  learningRate: NF_LESSON_RATE,
  batchSize: 64,
  epochs: 3,
  validationSplit: 0.1,
  seed: 42,
  workers: 1,
};
const agc = { kind: 'agc', lambda: DEFAULT_AGC_LAMBDA } as const;

const NAMES = { plain: 'no BatchNorm, plain', nf: 'normalizer-free (WSConv2D + SkipInit + AGC)' } as const;

function variants(): VariantSpec[] {
  return [
    { name: NAMES.plain, changes: ['Conv2D, no BatchNorm, no SkipInit, no clipping'], graph: residualCnn(false), config },
    {
      name: NAMES.nf,
      changes: ['every Conv2D → WSConv2D', 'SkipInit (α₀ = 0) before each Add', `adaptive gradient clipping λ ${DEFAULT_AGC_LAMBDA}`],
      graph: residualCnn(true),
      config: { ...config, clip: agc },
    },
  ];
}

const MARGIN = 0.1;

function evaluate(results: readonly LessonVariantResult[]) {
  const plain = findResult(results, NAMES.plain);
  const nf = findResult(results, NAMES.nf);
  const accPlain = finalAccuracy(plain?.summary) ?? 0.1;
  const accNf = finalAccuracy(nf?.summary);
  const passed = accNf !== undefined && accNf - accPlain >= MARGIN;
  const numbers =
    `At learning rate ${NF_LESSON_RATE} the residual net without BatchNorm reached ${describeAccuracy(plain)}; with ` +
    `WSConv2D, SkipInit and AGC it reached ${describeAccuracy(nf)}.`;
  const verdict = passed
    ? ` The normalizer-free net was ${percent(accNf! - accPlain)} ahead: standardised weights keep each layer's output ` +
      'in scale, SkipInit starts every block as the identity, and AGC caps steps that are large for a weight — the jobs ' +
      'BatchNorm did, without it.'
    : ` The expected lead of at least ${percent(MARGIN)} for the normalizer-free net did not show in this run.`;
  return { passed, conclusion: numbers + verdict };
}

const adds = (doc: GraphDocument) => doc.nodes.filter((n) => n.type === 'Add');

export const normalizerFree: Lesson = {
  id: 'normalizer-free',
  title: 'Normalizer-free',
  minutes: 12,
  intro:
    'Residual nets usually rely on BatchNorm. Take it out and, at a high learning rate, the signal grows block after ' +
    'block and training lags or blows up. Normalizer-free nets get BatchNorm\'s benefits another way: weight-standardised ' +
    'convolutions (WSConv2D), a SkipInit multiplier starting at 0 at the end of each residual branch, and adaptive ' +
    'gradient clipping (AGC). You will convert a small ResNet step by step and compare it with the plain one on MNIST.',
  citation: 'Brock, De, Smith & Simonyan 2021, "High-Performance Large-Scale Image Recognition Without Normalization"',
  start: { graph: residualCnn(false), config },
  dataset: { id: 'mnist', options: { limit: NF_MNIST_LIMIT } },
  steps: [
    {
      id: 'wsconv',
      text: 'Replace every Conv2D with a WSConv2D (same filters, kernel and strides; keep the wiring).',
      check: (doc) => !doc.nodes.some((n) => n.type === 'Conv2D') && doc.nodes.some((n) => n.type === 'WSConv2D'),
    },
    {
      id: 'skipinit',
      text: 'Put a SkipInit at the end of each residual branch: b1_conv2 → SkipInit → b1_add, and likewise for b2.',
      check: (doc) =>
        [1, 2].every((i) => doc.nodes.some((n) => n.type === 'SkipInit' && hasEdge(doc, `b${i}_conv2`, n.id) && hasEdge(doc, n.id, `b${i}_add`))) &&
        adds(doc).length >= 2,
    },
    {
      id: 'agc',
      text: `In Training settings, set Clipping to AGC with λ ${DEFAULT_AGC_LAMBDA}.`,
      check: (_doc, c) => c.clip?.kind === 'agc' && c.clip.lambda === DEFAULT_AGC_LAMBDA,
    },
  ],
  variants,
  evaluate,
};
