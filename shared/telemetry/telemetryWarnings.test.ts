import { describe, expect, it } from 'vitest';
import type { RecordedNodeTelemetry, RunTelemetry, TelemetrySignal } from '../contracts/telemetry';
import { runTelemetrySchema } from '../contracts/telemetry';
import { buildChain, type NodeTuple } from '../inference/buildGraph';
import { recentValue, residualSpan, telemetryWarnings } from './telemetryWarnings';
import { analyzeGraph } from '../inference/analyzeGraph';

const STEPS = 8;

/** A run whose every node keeps the given values at each step (a `number[]` gives the series itself). */
function telemetryOf(nodes: Record<string, Partial<Record<TelemetrySignal, number | (number | null)[]>>>): RunTelemetry {
  const recorded: Record<string, RecordedNodeTelemetry> = {};
  for (const [id, signals] of Object.entries(nodes)) {
    const series: Record<string, (number | null)[]> = {};
    for (const [signal, v] of Object.entries(signals)) series[signal] = Array.isArray(v) ? v : Array.from({ length: STEPS }, () => v);
    recorded[id] = series;
  }
  return runTelemetrySchema.parse({ batchesPerEpoch: 4, steps: Array.from({ length: STEPS }, (_, i) => i + 1), nodes: recorded });
}

function chain(depth: number, activation: string, inputSize = 16) {
  const nodes: NodeTuple[] = [['input', 'Input', { kind: 'vector', size: inputSize }]];
  for (let i = 1; i <= depth; i++) nodes.push([`d${i}`, 'Dense', { units: 16, activation }]);
  nodes.push(['output', 'Output', { task: 'classification', units: 2 }]);
  return buildChain(nodes);
}

describe('recentValue', () => {
  it('takes the median of the newest points, so one noisy sample does not decide', () => {
    expect(recentValue([1, 1, 1, 1, 1000])).toBe(1);
    expect(recentValue([5, null, 2, null, 4, 3])).toBe(3);
    expect(recentValue([null, null])).toBeUndefined();
    expect(recentValue([7])).toBe(7);
    expect(recentValue(undefined)).toBeUndefined();
  });
});

describe('telemetryWarnings', () => {
  it('flags the early layers of a 20-layer sigmoid chain as vanishing, not the late ones', () => {
    const doc = chain(20, 'sigmoid');
    // Each sigmoid layer passes back about a quarter of the gradient it gets.
    const nodes: Record<string, Partial<Record<TelemetrySignal, number>>> = { output: { gradNorm: 0.5, updateRatio: 1e-3 } };
    for (let i = 1; i <= 20; i++) nodes[`d${i}`] = { gradNorm: 0.5 * 0.25 ** (21 - i), updateRatio: 1e-3, saturatedFraction: 0.1 };
    const warnings = telemetryWarnings(telemetryOf(nodes), doc, { learningRate: 0.01 });
    const vanishing = warnings.filter((w) => w.kind === 'vanishing-gradients').map((w) => w.nodeId);
    expect(vanishing).toContain('d1');
    expect(vanishing).toContain('d10');
    expect(vanishing).not.toContain('d20');
    expect(vanishing).not.toContain('output');
    // In graph order, early layers first.
    expect(vanishing[0]).toBe('d1');
    expect(warnings.every((w) => w.kind === 'vanishing-gradients')).toBe(true);
    const first = warnings.find((w) => w.nodeId === 'd1')!;
    // d1 gets 0.5·0.25²⁰; the largest gradient after it is the output's 0.5.
    expect(first.message).toBe('Gradients reaching this layer (4.5e-13) are over 10⁹× smaller than after it (0.5): it barely learns.');
    expect(warnings.find((w) => w.nodeId === 'd17')!.message).toMatch(/are about 260× smaller than after it \(0\.5\)/);
    expect(first.fixes.map((f) => f.kind)).toEqual(['switch-activation', 'wrap-residual', 'insert-batchnorm']);
    expect(first.fixes[0]).toMatchObject({ from: 'sigmoid', to: 'relu', nodeId: 'd1' });
    expect(first.fixes[1]).toMatchObject({ inputId: 'input', firstId: 'd1', lastId: 'd2' });
  });

  it('gives no warnings for healthy data', () => {
    const doc = chain(6, 'relu');
    const nodes: Record<string, Partial<Record<TelemetrySignal, number>>> = { output: { gradNorm: 0.3, updateRatio: 1e-3, weightNorm: 3 } };
    for (let i = 1; i <= 6; i++) {
      nodes[`d${i}`] = { gradNorm: 0.1 + 0.02 * i, updateRatio: 2e-3, weightNorm: 4, activationMean: 0.4, activationStd: 0.8, deadFraction: 0.05 };
    }
    expect(telemetryWarnings(telemetryOf(nodes), doc, { learningRate: 0.01 })).toEqual([]);
  });

  it('flags more than half dead units and suggests leaky ReLU, then a lower learning rate', () => {
    const doc = chain(3, 'relu');
    const warnings = telemetryWarnings(
      telemetryOf({ d1: { gradNorm: 0.1, deadFraction: 0.2 }, d2: { gradNorm: 0.1, deadFraction: 0.75 }, d3: { gradNorm: 0.1, deadFraction: 0.5 } }),
      doc,
      { learningRate: 0.5 },
    );
    expect(warnings.map((w) => [w.nodeId, w.kind])).toEqual([['d2', 'dead-units']]);
    expect(warnings[0]!.message).toMatch(/^75 % of this layer's units/);
    expect(warnings[0]!.fixes).toEqual([
      { kind: 'switch-activation', label: 'Switch activation relu → leakyRelu', nodeId: 'd2', from: 'relu', to: 'leakyRelu' },
      { kind: 'lower-learning-rate', label: 'Lower the learning rate to 0.05', from: 0.5, to: 0.05 },
    ]);
  });

  it('is robust to one noisy sample at the end', () => {
    const doc = chain(2, 'relu');
    const spike = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9];
    expect(telemetryWarnings(telemetryOf({ d1: { deadFraction: spike }, d2: { deadFraction: 0.1 } }), doc)).toEqual([]);
    const sustained = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9];
    expect(telemetryWarnings(telemetryOf({ d1: { deadFraction: sustained } }), doc).map((w) => w.kind)).toEqual(['dead-units']);
  });

  it('flags exploding gradients by the gap to later layers and by huge update ratios', () => {
    const doc = chain(3, 'relu');
    const byGap = telemetryWarnings(telemetryOf({ d1: { gradNorm: 500 }, d2: { gradNorm: 1 }, d3: { gradNorm: 2 }, output: { gradNorm: 1 } }), doc, {
      learningRate: 0.1,
    });
    expect(byGap.map((w) => [w.nodeId, w.kind])).toEqual([['d1', 'exploding-gradients']]);
    expect(byGap[0]!.fixes.map((f) => f.kind)).toEqual(['lower-learning-rate', 'insert-batchnorm']);
    const byUpdate = telemetryWarnings(telemetryOf({ d2: { updateRatio: 0.8 }, d3: { updateRatio: 0.05 } }), doc);
    expect(byUpdate.map((w) => [w.nodeId, w.kind])).toEqual([['d2', 'exploding-gradients']]);
    expect(byUpdate[0]!.message).toMatch(/80 %/);
  });

  it('flags saturated sigmoids and suggests ReLU', () => {
    const doc = chain(2, 'tanh');
    const warnings = telemetryWarnings(telemetryOf({ d1: { saturatedFraction: 0.2 }, d2: { saturatedFraction: 0.8 } }), doc, { learningRate: 0.01 });
    expect(warnings.map((w) => [w.nodeId, w.kind])).toEqual([['d2', 'saturated']]);
    expect(warnings[0]!.fixes[0]).toMatchObject({ kind: 'switch-activation', from: 'tanh', to: 'relu' });
  });

  it('skips node ids that are no longer in the document', () => {
    const doc = chain(2, 'relu');
    expect(telemetryWarnings(telemetryOf({ gone7: { deadFraction: 1 }, d1: { deadFraction: 0.1 } }), doc)).toEqual([]);
    // A later node that is gone cannot make an earlier one look vanishing either.
    expect(telemetryWarnings(telemetryOf({ d1: { gradNorm: 1e-6 }, gone7: { gradNorm: 1 } }), doc)).toEqual([]);
  });
});

describe('residualSpan', () => {
  it('prefers a two-layer span whose output matches the input shape', () => {
    const doc = chain(4, 'relu');
    const analysis = analyzeGraph(doc);
    expect(residualSpan(doc, analysis, 'd2')).toEqual({ inputId: 'd1', lastId: 'd3' });
  });

  it('has none when no layer after gives the input shape back', () => {
    // Input size 8, Dense 16: d1's output never matches the Input's shape.
    const doc = chain(3, 'relu', 8);
    expect(residualSpan(doc, analyzeGraph(doc), 'd1')).toBeUndefined();
  });
});
