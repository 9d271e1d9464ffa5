import { describe, expect, it } from 'vitest';
import { deriveVariants } from '../../../shared/experiments/variants';
import { graphHash } from '../../../shared/format/graphHash';
import { runSummarySchema } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { chainGraph } from '../training/referenceGraphs';
import { TrainingControl } from '../training/trainingControl';
import { runExperiment } from './runExperiment';

const MOONS = chainGraph('moons', [
  ['input', 'Input', { kind: 'vector', size: 2 }],
  ['h1', 'Dense', { units: 8, activation: 'tanh' }],
  ['h2', 'Dense', { units: 8, activation: 'tanh' }],
  ['output', 'Output', { task: 'classification', units: 2 }],
]);
const CONFIG: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, dataset: 'moons', epochs: 2, backend: 'cpu', seed: 5 };

describe('runExperiment', () => {
  it('trains every variant in turn on the same data split, each summary tagged with its variant and graph', async () => {
    const variants = deriveVariants(MOONS, CONFIG, [{ kind: 'activation', from: 'tanh', to: 'relu' }]);
    const events: string[] = [];
    const sizes: { index: number; trainSize: number; valSize: number; testSize: number }[] = [];
    const result = await runExperiment(variants, { id: 'moons', options: { samples: 200 } }, {
      experimentId: 'exp-test',
      training: { telemetry: false },
      callbacks: {
        onVariantStarted: (v) => events.push(`start ${v.index}`),
        trainingCallbacks: (v) => ({
          onStarted: (e) => sizes.push({ index: v.index, trainSize: e.trainSize, valSize: e.valSize, testSize: e.testSize }),
          onEpoch: (e) => events.push(`epoch ${v.index}:${e.epoch}`),
        }),
        onVariantFinished: (r) => events.push(`done ${r.index}`),
      },
    });
    expect(events).toEqual(['start 0', 'epoch 0:1', 'epoch 0:2', 'done 0', 'start 1', 'epoch 1:1', 'epoch 1:2', 'done 1']);
    expect(result.stopped).toBe(false);
    const [a, b] = result.variants;
    for (const [i, r] of result.variants.entries()) {
      expect(r.error).toBeUndefined();
      expect(r.summary!.status).toBe('completed');
      expect(r.summary!.variant).toEqual({ experimentId: 'exp-test', name: variants[i]!.name, changes: variants[i]!.changes });
      expect(r.summary!.graphHash).toBe(graphHash(variants[i]!.graph));
      expect(r.graphHash).toBe(r.summary!.graphHash);
      expect(r.summary!.id).toBe(r.runId);
      expect(r.params).toBe(2 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2);
      expect(r.wallTimeMs).toBeGreaterThan(0);
      expect(runSummarySchema.parse(r.summary)).toEqual(r.summary);
    }
    expect(a!.name).toBe('baseline');
    expect(b!.name).toBe('tanh → ReLU');
    expect(a!.graphHash).not.toBe(b!.graphHash);
    expect(a!.graphHash).toBe(graphHash(MOONS));
    // Same samples and the same split (same seed); different graphs learn differently.
    expect(sizes[0]).toMatchObject({ index: 0 });
    expect({ ...sizes[1], index: 0 }).toEqual(sizes[0]);
    expect(b!.summary!.dataset).toEqual(a!.summary!.dataset);
    expect(b!.summary!.config.seed).toBe(a!.summary!.config.seed);
    expect(b!.summary!.epochs).not.toEqual(a!.summary!.epochs);
  });

  it('Stop ends the running variant and starts no further one', async () => {
    const variants = deriveVariants(MOONS, { ...CONFIG, epochs: 50 }, [{ kind: 'learningRate', values: [0.1, 0.01, 0.001] }]);
    const control = new TrainingControl();
    const result = await runExperiment(variants, undefined, {
      control,
      training: { telemetry: false },
      callbacks: { trainingCallbacks: () => ({ onEpoch: (e) => (e.epoch === 1 ? control.stop() : undefined) }) },
    });
    expect(result.stopped).toBe(true);
    expect(result.variants.map((v) => v.summary?.status ?? (v.skipped ? 'skipped' : 'error'))).toEqual(['stopped', 'skipped', 'skipped']);
    expect(result.variants[0]!.summary!.variant!.name).toBe('baseline · lr 0.1');
  });

  it('a variant whose setup fails is reported with the reason and the rest still train', async () => {
    const variants = deriveVariants(MOONS, CONFIG, [{ kind: 'seed', values: [1, 2] }]);
    const broken = [{ ...variants[0]!, config: { ...variants[0]!.config, dataset: 'nope' } }, variants[1]!];
    const result = await runExperiment(broken, undefined, { training: { telemetry: false } });
    expect(result.variants[0]!.error).toMatch(/Unknown dataset 'nope'/);
    expect(result.variants[0]!.summary).toBeUndefined();
    expect(result.variants[1]!.summary!.status).toBe('completed');
    expect(result.variants[1]!.summary!.config.seed).toBe(2);
  });
});
