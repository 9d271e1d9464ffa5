/**
 * BatchNorm and the learning rate (Ioffe & Szegedy 2015; Santurkar, Tsipras, Ilyas & Madry 2018): the same MLP with
 * and without BatchNorm, trained with plain SGD at a modest and a large learning rate. Without BatchNorm the large
 * rate breaks training; with it the net still learns.
 */
import { deriveVariants, type VariantSpec } from '../experiments/variants';
import type { GraphDocument } from '../document/model';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../format/trainingConfig';
import { GraphBuilder } from './buildGraph';
import { describeAccuracy, finalAccuracy, findResult, hasEdge, percent } from './measure';
import type { Lesson, LessonVariantResult } from './types';

export const BN_LESSON_RATES = { low: 0.05, high: 2 } as const;
const HIDDEN = 3;
const WIDTH = 32;

/** Input → (Dense linear → [BatchNorm] → ReLU) × 3 → Output, named dense1/bn1/relu1… */
export function bnMlp(withNorm: boolean): GraphDocument {
  const b = new GraphBuilder();
  let prev = b.node('input', 'Input', { kind: 'vector', size: 2 });
  for (let i = 1; i <= HIDDEN; i++) {
    prev = b.then(prev, `dense${i}`, 'Dense', { units: WIDTH, activation: 'linear' });
    if (withNorm) prev = b.then(prev, `bn${i}`, 'BatchNorm', {});
    prev = b.then(prev, `relu${i}`, 'Activation', { activation: 'relu' });
  }
  b.then(prev, 'out', 'Output', { task: 'classification', units: 2 });
  return b.build(withNorm ? 'MLP with BatchNorm' : 'MLP without BatchNorm', `${HIDDEN} hidden layers of ${WIDTH} units on the circles set`);
}

const config: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'circles',
  optimizer: 'sgd',
  learningRate: BN_LESSON_RATES.low,
  batchSize: 32,
  epochs: 10,
  validationSplit: 0.2,
  seed: 42,
  workers: 1,
};

const name = (norm: boolean, lr: number) => `${norm ? 'BatchNorm' : 'no BatchNorm'} · lr ${lr}`;

function variants(): VariantSpec[] {
  const rates = [BN_LESSON_RATES.low, BN_LESSON_RATES.high];
  const specs = deriveVariants(bnMlp(true), config, [{ kind: 'no-norms' }, { kind: 'learningRate', values: rates }]);
  // deriveVariants orders them baseline × rates, then no-norms × rates.
  return specs.map((spec, i) => ({ ...spec, name: name(i < rates.length, rates[i % rates.length]!) }));
}

const MARGIN = 0.15;
/** At the large rate the normalised net must still have learned the circles (chance is 50 %). */
const LEARNED = 0.8;

function evaluate(results: readonly LessonVariantResult[]) {
  const { low, high } = BN_LESSON_RATES;
  const r = {
    plainLow: findResult(results, name(false, low)),
    plainHigh: findResult(results, name(false, high)),
    bnLow: findResult(results, name(true, low)),
    bnHigh: findResult(results, name(true, high)),
  };
  const accPlainHigh = finalAccuracy(r.plainHigh?.summary) ?? 0.5;
  const accBnHigh = finalAccuracy(r.bnHigh?.summary);
  const passed = accBnHigh !== undefined && accBnHigh >= LEARNED && accBnHigh - accPlainHigh >= MARGIN;
  const numbers =
    `At learning rate ${low} the net without BatchNorm reached ${describeAccuracy(r.plainLow)} and with BatchNorm ` +
    `${describeAccuracy(r.bnLow)}; at ${high} without BatchNorm ${describeAccuracy(r.plainHigh)}, with BatchNorm ` +
    `${describeAccuracy(r.bnHigh)}.`;
  const verdict = passed
    ? ` BatchNorm kept the ${high / low}× larger rate trainable (${percent(accBnHigh! - accPlainHigh)} ahead): normalising each ` +
      'layer\'s input makes the loss smoother, so bigger steps stay safe.'
    : ` The expected effect — BatchNorm at least ${percent(MARGIN)} ahead at the large rate and above ${percent(LEARNED)} — did not show in this run.`;
  return { passed, conclusion: numbers + verdict };
}

const between = (doc: GraphDocument, i: number) => {
  const norm = doc.nodes.find((n) => n.type === 'BatchNorm' && hasEdge(doc, `dense${i}`, n.id) && hasEdge(doc, n.id, `relu${i}`));
  return norm !== undefined && !hasEdge(doc, `dense${i}`, `relu${i}`);
};

export const batchNormLearningRate: Lesson = {
  id: 'batchnorm-learning-rate',
  title: 'BatchNorm and the learning rate',
  minutes: 10,
  intro:
    'A large learning rate makes big steps: fast when the loss surface is smooth, ruinous when it is not. BatchNorm ' +
    're-centres and re-scales each layer\'s input on every batch, which keeps the surface smoother, so the same net ' +
    'tolerates much larger steps. You will put BatchNorm into a small MLP, then train it with and without BatchNorm ' +
    `at learning rates ${BN_LESSON_RATES.low} and ${BN_LESSON_RATES.high} (plain SGD, the circles set).`,
  citation:
    'Ioffe & Szegedy 2015, "Batch Normalization"; Santurkar, Tsipras, Ilyas & Madry 2018, "How Does Batch Normalization Help Optimization?"',
  start: { graph: bnMlp(false), config },
  dataset: { id: 'circles' },
  steps: [
    {
      id: 'bn1',
      text: 'Insert a BatchNorm between dense1 and relu1 (dense1 → BatchNorm → relu1).',
      check: (doc) => between(doc, 1),
    },
    {
      id: 'bn-all',
      text: 'Do the same after dense2 and dense3.',
      check: (doc) => between(doc, 1) && between(doc, 2) && between(doc, 3),
    },
    {
      id: 'high-rate',
      text: `In Training settings, keep SGD and set the learning rate to ${BN_LESSON_RATES.high}.`,
      check: (_doc, c) => c.optimizer === 'sgd' && c.learningRate === BN_LESSON_RATES.high,
    },
  ],
  variants,
  evaluate,
};
