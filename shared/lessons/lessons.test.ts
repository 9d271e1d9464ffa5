import { describe, expect, it } from 'vitest';
import { addNode, connect, disconnect, updateParams } from '../document/edits';
import type { GraphDocument } from '../document/model';
import type { RunSummary } from '../format/runSummary';
import type { TrainingConfig } from '../format/trainingConfig';
import { analyzeGraph } from '../inference/analyzeGraph';
import { LESSONS, getLesson, type Lesson, type LessonVariantResult } from './index';
import { bnMlp } from './batchNormLearningRate';
import { residualCnn } from './normalizerFree';

const lesson = (id: string): Lesson => getLesson(id)!;
const doneSteps = (l: Lesson, doc: GraphDocument, config: TrainingConfig, runs: readonly RunSummary[] = []) =>
  l.steps.filter((s) => s.check(doc, config, runs)).map((s) => s.id);

function summary(config: TrainingConfig, final: RunSummary['final'], extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id: `run-${Math.random().toString(36).slice(2)}`,
    startedAt: '2026-12-06T10:00:00.000Z',
    status: 'completed',
    backend: 'cpu',
    config,
    epochs: [],
    final,
    samplesPerSec: 1,
    wallTimeMs: 1,
    ...extra,
  };
}

describe('lessons', () => {
  it('have unique ids, a cited intro, steps, and valid starting graphs and variants', () => {
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      expect(l.citation).toMatch(/\d{4}/);
      expect(l.steps.length).toBeGreaterThan(0);
      expect(analyzeGraph(l.start.graph).issues.filter((i) => i.severity === 'error'), l.id).toEqual([]);
      const variants = l.variants();
      expect(variants.length).toBeGreaterThanOrEqual(2);
      expect(new Set(variants.map((v) => v.name)).size).toBe(variants.length);
      for (const v of variants) {
        expect(analyzeGraph(v.graph).issues.filter((i) => i.severity === 'error'), `${l.id}: ${v.name}`).toEqual([]);
        expect(v.config.dataset).toBe(l.dataset.id);
      }
      // No step is done on the starting graph: each asks for a change.
      expect(doneSteps(l, l.start.graph, l.start.config), l.id).toEqual([]);
    }
  });

  it('depth without skips: the steps follow the user wiring one residual block by hand', () => {
    const l = lesson('depth-without-skips');
    let doc = addNode(l.start.graph, { id: 'add_1', type: 'Add', position: { x: 0, y: 0 } });
    doc = connect(doc, { source: 'dense2', target: 'add_1', targetPort: 0 });
    expect(doneSteps(l, doc, l.start.config)).toEqual(['add-after-dense2']);
    doc = connect(doc, { source: 'stem', target: 'add_1', targetPort: 1 });
    expect(doneSteps(l, doc, l.start.config)).toEqual(['add-after-dense2', 'skip-edge']);
    doc = connect(doc, { source: 'add_1', target: 'dense3' });
    // dense2 → dense3 is still there: not done until it is removed.
    expect(doneSteps(l, doc, l.start.config)).not.toContain('add-feeds-dense3');
    doc = disconnect(doc, doc.edges.filter((e) => e.source === 'dense2' && e.target === 'dense3').map((e) => e.id));
    expect(doneSteps(l, doc, l.start.config)).toEqual(['add-after-dense2', 'skip-edge', 'add-feeds-dense3']);
    expect(analyzeGraph(doc).issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('BatchNorm: steps turn done with the norms in place and SGD at the large rate', () => {
    const l = lesson('batchnorm-learning-rate');
    expect(doneSteps(l, bnMlp(true), l.start.config)).toEqual(['bn1', 'bn-all']);
    expect(doneSteps(l, bnMlp(true), { ...l.start.config, learningRate: 2 })).toEqual(['bn1', 'bn-all', 'high-rate']);
    expect(doneSteps(l, bnMlp(false), { ...l.start.config, optimizer: 'adam', learningRate: 2 })).toEqual([]);
  });

  it('dead ReLUs: the training steps read the run history', () => {
    const l = lesson('dead-relus');
    const high = { ...l.start.config, learningRate: 3 };
    expect(doneSteps(l, l.start.graph, high)).toEqual(['high-rate']);
    const runs = [summary(high, { loss: 0.7 })];
    expect(doneSteps(l, l.start.graph, high, runs)).toEqual(['high-rate', 'train-high']);
    const low = { ...l.start.config, learningRate: 0.1 };
    expect(doneSteps(l, l.start.graph, low, runs)).toEqual(['train-high']);
    expect(doneSteps(l, l.start.graph, low, [...runs, summary(low, { loss: 0.3 })])).toEqual(['train-high', 'low-rate']);
  });

  it('normalizer-free: WSConv2D everywhere, SkipInit on each branch, AGC', () => {
    const l = lesson('normalizer-free');
    expect(doneSteps(l, residualCnn(true), l.start.config)).toEqual(['wsconv', 'skipinit']);
    expect(doneSteps(l, residualCnn(true), { ...l.start.config, clip: { kind: 'agc', lambda: 0.01 } })).toEqual(['wsconv', 'skipinit', 'agc']);
    // One Conv2D left is not done yet.
    const partly = updateParams(residualCnn(true), 'stem', {});
    const oneLeft = { ...partly, nodes: partly.nodes.map((n) => (n.id === 'stem' ? { ...n, type: 'Conv2D' } : n)) };
    expect(doneSteps(l, oneLeft, l.start.config)).toEqual(['skipinit']);
  });
});

describe('lesson evaluations read the measured numbers', () => {
  const resultsFor = (l: Lesson, acc: (name: string) => number | 'diverged', extra: (name: string) => Partial<RunSummary> = () => ({})) =>
    l.variants().map((v): LessonVariantResult => {
      const a = acc(v.name);
      return {
        name: v.name,
        summary:
          a === 'diverged'
            ? summary(v.config, { loss: 8 }, { status: 'failed', error: 'diverged', ...extra(v.name) })
            : summary(v.config, { loss: 1 - a, accuracy: a, valAccuracy: a, valLoss: 1 - a }, extra(v.name)),
      };
    });

  it('depth: passes on a clear gap, fails without one, and quotes the accuracies', () => {
    const l = lesson('depth-without-skips');
    const pass = l.evaluate(resultsFor(l, (n) => (n.includes('30 layers plain') ? 0.61 : n.includes('skips') ? 0.94 : 0.97)));
    expect(pass.passed).toBe(true);
    expect(pass.conclusion).toContain('61 %');
    expect(pass.conclusion).toContain('94 %');
    expect(pass.conclusion).toContain('97 %');
    const fail = l.evaluate(resultsFor(l, () => 0.9));
    expect(fail.passed).toBe(false);
    expect(fail.conclusion).toContain('did not show');
  });

  it('BatchNorm: the normalised net must still learn at the large rate', () => {
    const l = lesson('batchnorm-learning-rate');
    const pass = l.evaluate(resultsFor(l, (n) => (n === 'no BatchNorm · lr 2' ? 'diverged' : 0.95)));
    expect(pass.passed).toBe(true);
    expect(pass.conclusion).toContain('diverged');
    expect(l.evaluate(resultsFor(l, (n) => (n === 'no BatchNorm · lr 2' ? 'diverged' : n === 'BatchNorm · lr 2' ? 0.6 : 0.95))).passed).toBe(false);
  });

  it('dead ReLUs: needs the dead-unit telemetry, not only the accuracies', () => {
    const l = lesson('dead-relus');
    const telemetry = (dead: number) => ({
      telemetry: {
        batchesPerEpoch: 1,
        steps: [1, 2],
        nodes: Object.fromEntries(['h1', 'h2', 'h3'].map((id) => [id, { deadFraction: [0, dead] }])),
      },
    });
    const acc = (n: string) => (n === 'ReLU · lr 3' ? 0.5 : 0.62);
    const pass = l.evaluate(resultsFor(l, acc, (n) => telemetry(n === 'ReLU · lr 3' ? 0.56 : 0.05)));
    expect(pass.passed).toBe(true);
    expect(pass.conclusion).toContain('56 %');
    expect(pass.conclusion).toContain('5 %');
    expect(l.evaluate(resultsFor(l, acc)).passed).toBe(false);
    expect(l.evaluate(resultsFor(l, acc, () => telemetry(0.4))).passed).toBe(false);
  });

  it('normalizer-free: a missing variant counts as not measured', () => {
    const l = lesson('normalizer-free');
    const all = resultsFor(l, (n) => (n.startsWith('normalizer-free') ? 0.73 : 0.1));
    expect(l.evaluate(all).passed).toBe(true);
    const missing = all.map((r) => (r.name.startsWith('normalizer-free') ? { name: r.name, error: 'stopped before it ran' } : r));
    const result = l.evaluate(missing);
    expect(result.passed).toBe(false);
    expect(result.conclusion).toContain('did not run');
  });
});
