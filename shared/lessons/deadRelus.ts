/**
 * Dead ReLUs: a too-large learning rate pushes ReLU units to where they output 0 for every input; they then get no
 * gradient and never come back. Telemetry counts them (deadFraction); a smaller rate or leaky ReLU avoids it.
 * (Lu, Shin, Su & Karniadakis 2020, "Dying ReLU and Initialization"; Maas, Hannun & Ng 2013 for leaky ReLU.)
 */
import { deriveVariants, type VariantSpec } from '../experiments/variants';
import type { GraphDocument } from '../document/model';
import type { RunSummary } from '../format/runSummary';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../format/trainingConfig';
import { GraphBuilder } from './buildGraph';
import { describeAccuracy, finalAccuracy, findResult, lastDeadFraction, percent } from './measure';
import type { Lesson, LessonVariantResult } from './types';

export const DEAD_LESSON_RATES = { high: 3, low: 0.1 } as const;
const RELU_NODES = ['h1', 'h2', 'h3'] as const;

export function reluMlp(): GraphDocument {
  const b = new GraphBuilder();
  let prev = b.node('input', 'Input', { kind: 'vector', size: 2 });
  for (const id of RELU_NODES) prev = b.then(prev, id, 'Dense', { units: 32, activation: 'relu' });
  b.then(prev, 'out', 'Output', { task: 'classification', units: 2 });
  return b.build('ReLU MLP', 'Three ReLU layers of 32 units on the spirals set');
}

const config: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'spirals',
  optimizer: 'sgd',
  learningRate: DEAD_LESSON_RATES.low,
  batchSize: 32,
  epochs: 20,
  validationSplit: 0.2,
  seed: 42,
  workers: 1,
  // Dead units are read from telemetry: measure often enough that the last sample is near the end of the run.
  telemetryEvery: 5,
};

const NAMES = {
  highRelu: `ReLU · lr ${DEAD_LESSON_RATES.high}`,
  lowRelu: `ReLU · lr ${DEAD_LESSON_RATES.low}`,
  highLeaky: `leaky ReLU · lr ${DEAD_LESSON_RATES.high}`,
} as const;

function variants(): VariantSpec[] {
  const { high, low } = DEAD_LESSON_RATES;
  const [reluHigh, reluLow, leakyHigh] = deriveVariants(reluMlp(), config, [
    { kind: 'activation', from: 'relu', to: 'leakyRelu' },
    { kind: 'learningRate', values: [high, low] },
  ]);
  return [
    { ...reluHigh!, name: NAMES.highRelu },
    { ...reluLow!, name: NAMES.lowRelu },
    { ...leakyHigh!, name: NAMES.highLeaky },
  ];
}

/** The high rate must kill at least this share of units, and the low rate at most half as many. */
const DEAD_AT_HIGH = 0.25;
const FIX_MARGIN = 0.05;

const dead = (s: RunSummary | undefined) => lastDeadFraction(s, RELU_NODES);

function evaluate(results: readonly LessonVariantResult[]) {
  const highRelu = findResult(results, NAMES.highRelu);
  const lowRelu = findResult(results, NAMES.lowRelu);
  const highLeaky = findResult(results, NAMES.highLeaky);
  const deadHigh = dead(highRelu?.summary);
  const deadLow = dead(lowRelu?.summary);
  const accHigh = finalAccuracy(highRelu?.summary) ?? 0.5;
  const accLow = finalAccuracy(lowRelu?.summary);
  const accLeaky = finalAccuracy(highLeaky?.summary);
  const passed =
    deadHigh !== undefined &&
    deadLow !== undefined &&
    accLow !== undefined &&
    deadHigh >= DEAD_AT_HIGH &&
    deadLow <= deadHigh / 2 &&
    accLow - accHigh >= FIX_MARGIN;
  const leakyHelped = accLeaky !== undefined && accLeaky - accHigh >= FIX_MARGIN;
  const deadText = (x: number | undefined) => (x === undefined ? 'an unmeasured share' : percent(x));
  const numbers =
    `At learning rate ${DEAD_LESSON_RATES.high}, ${deadText(deadHigh)} of the ReLU units were dead at the end and the net reached ` +
    `${describeAccuracy(highRelu)}; at ${DEAD_LESSON_RATES.low}, ${deadText(deadLow)} were dead and it reached ` +
    `${describeAccuracy(lowRelu)}; leaky ReLU at ${DEAD_LESSON_RATES.high} reached ${describeAccuracy(highLeaky)}.`;
  const verdict = passed
    ? ' The large steps pushed units into the region where ReLU outputs 0 for every input; with no gradient they ' +
      'never recovered, and the smaller rate kept them alive.' +
      (leakyHelped
        ? ' Leaky ReLU, which always passes some gradient, fixed it too without lowering the rate.'
        : ' Leaky ReLU cannot die, but at this rate plain SGD still overshot with it: here the rate itself was the problem.')
    : ` The expected effect — at least ${percent(DEAD_AT_HIGH)} dead at the high rate, half as many at the low one, and the ` +
      `lower rate ${percent(FIX_MARGIN)} more accurate — did not show in this run.`;
  return { passed, conclusion: numbers + verdict };
}

export const deadRelus: Lesson = {
  id: 'dead-relus',
  title: 'Dead ReLUs',
  minutes: 8,
  intro:
    'A ReLU outputs 0 for negative inputs and passes no gradient there. One step that is too large can push a unit\'s ' +
    'weights so that it is negative for every input: the unit is dead and nothing brings it back. You will train a ' +
    'small ReLU net with plain SGD at a high learning rate and watch the dead-unit view; the experiment then compares ' +
    'a lower rate and leaky ReLU.',
  citation: 'Lu, Shin, Su & Karniadakis 2020, "Dying ReLU and Initialization"; Maas, Hannun & Ng 2013 (leaky ReLU)',
  start: { graph: reluMlp(), config },
  dataset: { id: 'spirals' },
  steps: [
    {
      id: 'high-rate',
      text: `In Training settings, keep SGD and set the learning rate to ${DEAD_LESSON_RATES.high}.`,
      check: (_doc, c) => c.optimizer === 'sgd' && c.learningRate === DEAD_LESSON_RATES.high,
    },
    {
      id: 'train-high',
      text: 'Press Start, then choose "Dead units" in the Inside view: the dead layers turn dark, with a warning.',
      check: (_doc, _c, runs) => runs.some((r) => r.config.learningRate >= DEAD_LESSON_RATES.high && r.status !== 'failed'),
    },
    {
      id: 'low-rate',
      text: `Now lower the learning rate to ${DEAD_LESSON_RATES.low} and press Start again: the units stay alive.`,
      check: (_doc, c, runs) => c.learningRate === DEAD_LESSON_RATES.low && runs.some((r) => r.config.learningRate <= DEAD_LESSON_RATES.low),
    },
  ],
  variants,
  evaluate,
};
