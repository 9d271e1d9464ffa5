/**
 * Depth without skips (He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition", Figure 1, in
 * miniature): a 30-layer plain MLP on the moons set does worse than a 2-layer one, and the same 30 layers with an
 * identity skip around every pair train as well as the shallow net.
 */
import { deriveVariants, type VariantSpec } from '../experiments/variants';
import type { GraphDocument } from '../document/model';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../format/trainingConfig';
import { GraphBuilder } from './buildGraph';
import { describeAccuracy, finalAccuracy, findResult, hasEdge, percent } from './measure';
import type { Lesson, LessonVariantResult } from './types';

export const DEEP_LAYERS = 30;
const SHALLOW_LAYERS = 2;
const WIDTH = 16;

/** stem, then `layers` Dense layers; with skips, an Add after every second one adds the pair's input back. */
export function mlp(layers: number, skips: boolean): GraphDocument {
  const b = new GraphBuilder();
  let prev = b.node('input', 'Input', { kind: 'vector', size: 2 });
  prev = b.then(prev, 'stem', 'Dense', { units: WIDTH, activation: 'relu' });
  let blockInput = prev;
  for (let i = 1; i <= layers; i++) {
    const dense = b.then(prev, `dense${i}`, 'Dense', { units: WIDTH, activation: 'relu' });
    if (skips && i % 2 === 0) {
      const add = b.then(dense, `add${i / 2}`, 'Add', {});
      b.edge(blockInput, add, 1);
      prev = add;
      blockInput = add;
    } else prev = dense;
  }
  b.then(prev, 'out', 'Output', { task: 'classification', units: 2 });
  const name = skips ? `${layers} layers with skips` : `${layers} layers, plain`;
  return b.build(name, `${layers} Dense layers of ${WIDTH} ReLU units on the moons set`);
}

const config: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'moons',
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 32,
  epochs: 15,
  validationSplit: 0.2,
  seed: 42,
  workers: 1,
};

const NAMES = {
  residual: `${DEEP_LAYERS} layers with skips`,
  plain: `${DEEP_LAYERS} layers plain`,
  shallow: `${SHALLOW_LAYERS} layers plain`,
} as const;

function variants(): VariantSpec[] {
  // The plain deep net is the residual one with its skip edges removed — the same layers, the same initial weights.
  const [withSkips, withoutSkips] = deriveVariants(mlp(DEEP_LAYERS, true), config, [{ kind: 'no-skips' }]);
  return [
    { ...withoutSkips!, name: NAMES.plain },
    { ...withSkips!, name: NAMES.residual },
    { name: NAMES.shallow, changes: [`${SHALLOW_LAYERS} Dense layers instead of ${DEEP_LAYERS}, no skips`], graph: mlp(SHALLOW_LAYERS, false), config },
  ];
}

/** The skips must beat the plain net clearly, and the plain deep net must trail the shallow one. */
const MARGIN = 0.1;

function evaluate(results: readonly LessonVariantResult[]) {
  const plain = findResult(results, NAMES.plain);
  const residual = findResult(results, NAMES.residual);
  const shallow = findResult(results, NAMES.shallow);
  const accPlain = finalAccuracy(plain?.summary) ?? 0;
  const accResidual = finalAccuracy(residual?.summary);
  const accShallow = finalAccuracy(shallow?.summary);
  const passed =
    accResidual !== undefined && accShallow !== undefined && accResidual - accPlain >= MARGIN && accShallow - accPlain >= MARGIN;
  const numbers =
    `The plain ${DEEP_LAYERS}-layer net reached ${describeAccuracy(plain)}, the same depth with identity skips ` +
    `${describeAccuracy(residual)}, and the ${SHALLOW_LAYERS}-layer net ${describeAccuracy(shallow)}.`;
  const trainPlain = plain?.summary?.status === 'completed' ? plain.summary.final.accuracy : undefined;
  // Low training accuracy too means the deep net failed to fit, not that it overfitted.
  const notOverfitting = trainPlain !== undefined && trainPlain <= accPlain + MARGIN / 2 ? ` (on its training data too: ${percent(trainPlain)}, so not overfitting)` : '';
  const verdict = passed
    ? ` Adding layers made the plain net worse${notOverfitting}, ${percent(accShallow! - accPlain)} below the shallow one, and ` +
      'the skip edges removed the problem: this is the degradation problem of He et al. 2016.'
    : ` The expected gap of at least ${percent(MARGIN)} between the plain deep net and the other two did not show in this run.`;
  return { passed, conclusion: numbers + verdict };
}

/** The Add the user inserted after dense2, if any. */
function addAfterDense2(doc: GraphDocument): string | undefined {
  return doc.nodes.find((n) => n.type === 'Add' && hasEdge(doc, 'dense2', n.id))?.id;
}

export const depthWithoutSkips: Lesson = {
  id: 'depth-without-skips',
  title: 'Depth without skips',
  minutes: 10,
  intro:
    `More layers should never hurt: a deep net could copy a shallow one and make the extra layers do nothing. Yet a plain ` +
    `stack of ${DEEP_LAYERS} ReLU layers learns worse than ${SHALLOW_LAYERS}, even on its training data. A skip edge that ` +
    'adds a block\'s input to its output lets each block start close to "do nothing", and depth stops hurting. ' +
    'You will wire one residual block by hand, then train three nets on the two moons: plain deep, deep with a skip ' +
    'around every pair of layers, and shallow.',
  citation: 'He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition", Figure 1',
  start: { graph: mlp(DEEP_LAYERS, false), config },
  dataset: { id: 'moons' },
  steps: [
    {
      id: 'add-after-dense2',
      text: 'Put an Add brick after dense2: drag Add from the palette (Merge) and connect dense2 to it.',
      check: (doc) => addAfterDense2(doc) !== undefined,
    },
    {
      id: 'skip-edge',
      text: 'Draw the skip edge from stem to that Add, so it adds the block\'s input back.',
      check: (doc) => {
        const add = addAfterDense2(doc);
        return add !== undefined && hasEdge(doc, 'stem', add);
      },
    },
    {
      id: 'add-feeds-dense3',
      text: 'Feed the Add into dense3 in place of dense2 (delete the edge dense2 → dense3, connect the Add to dense3).',
      check: (doc) => {
        const add = addAfterDense2(doc);
        return add !== undefined && hasEdge(doc, add, 'dense3') && !hasEdge(doc, 'dense2', 'dense3');
      },
    },
  ],
  variants,
  evaluate,
};
