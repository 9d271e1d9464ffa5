/**
 * Telemetry through the real pipeline (runTraining → trainModel → probe), on wasm with 1 and 2 workers: events come
 * for the first step and then every K steps, validate against the contract, end up downsampled in the run record,
 * do not change what the run learns, and the data-parallel path reports the same full-batch gradient norms.
 */
import { describe, expect, it } from 'vitest';
import { telemetryEventSchema, type TelemetrySample } from '../../../../shared/contracts/telemetry';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../../shared/format/trainingConfig';
import { runSummarySchema } from '../../../../shared/format/runSummary';
import { chainGraph } from '../referenceGraphs';
import { runTraining } from '../runTraining';
import { recorded } from '../../../../shared/telemetry/telemetryRecorder';

const MLP = chainGraph('telemetry MLP', [
  ['input', 'Input', { kind: 'vector', size: 2 }],
  ['h1', 'Dense', { units: 32, activation: 'relu' }],
  ['h2', 'Dense', { units: 32, activation: 'tanh' }],
  ['output', 'Output', { task: 'classification', units: 2 }],
]);

const config = (patch: Partial<TrainingConfig>): TrainingConfig => ({
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'moons',
  backend: 'wasm',
  epochs: 2,
  batchSize: 16,
  shuffle: false,
  ...patch,
});

async function train(patch: Partial<TrainingConfig>, telemetry = true) {
  const samples: TelemetrySample[] = [];
  const result = await runTraining(MLP, { id: 'moons', options: { samples: 400 } }, config(patch), {
    telemetry,
    callbacks: { onTelemetry: (e) => samples.push(e) },
  });
  return { samples, summary: result.summary };
}

describe('telemetry in a training run', () => {
  it('comes from the first step and then every K steps, valid, and is kept downsampled in the record', async () => {
    const { samples, summary } = await train({ telemetryEvery: 3 });
    expect(samples[0]).toMatchObject({ epoch: 1, batch: 1, step: 1 });
    // At least the first step and one more: how many more depends on speed (never more than 20 per second).
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const s of samples) {
      expect((s.step - 1) % 3).toBe(0);
      expect(telemetryEventSchema.safeParse({ type: 'telemetry', runId: 'r', ...s }).success).toBe(true);
      expect(Object.keys(s.nodes).sort()).toEqual(['h1', 'h2', 'output']);
    }
    expect(samples[0]!.nodes['h1']).toHaveProperty('deadFraction');
    expect(samples[0]!.nodes['h2']).toHaveProperty('saturatedFraction');
    expect(runSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary.telemetry?.steps).toEqual(samples.map((s) => s.step));
    expect(summary.telemetry?.nodes['h1']?.gradNorm).toEqual(samples.map((s) => recorded(s.nodes['h1']!.gradNorm)));
  });

  it('changes nothing the run learns, and telemetryEvery 0 (or the caller) turns it off', async () => {
    const measured = await train({ telemetryEvery: 1 });
    const off = await train({ telemetryEvery: 0 });
    const notAsked = await train({}, false);
    expect(off.samples).toHaveLength(0);
    expect(off.summary.telemetry).toBeUndefined();
    expect(notAsked.samples).toHaveLength(0);
    expect(measured.summary.epochs).toEqual(off.summary.epochs);
    expect(measured.summary.final).toEqual(off.summary.final);
  });

  it('2 workers report the same full-batch gradient norms as 1 worker on the first step', async () => {
    const one = await train({ telemetryEvery: 1000, workers: 1, epochs: 1 });
    const two = await train({ telemetryEvery: 1000, workers: 2, epochs: 1 });
    const a = one.samples[0]!.nodes;
    const b = two.samples[0]!.nodes;
    for (const id of ['h1', 'h2', 'output']) {
      expect(Math.abs(b[id]!.gradNorm! - a[id]!.gradNorm!) / a[id]!.gradNorm!).toBeLessThan(1e-4);
      expect(Math.abs(b[id]!.weightNorm! - a[id]!.weightNorm!) / a[id]!.weightNorm!).toBeLessThan(1e-4);
      // Activations: the main replica's half of the batch, so only their presence is compared.
      expect(b[id]!.activationStd).toBeGreaterThan(0);
    }
  });
});
