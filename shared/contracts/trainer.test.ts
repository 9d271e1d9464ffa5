import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG } from '../format/trainingConfig';
import { describeSchemaError, hostToTrainerSchema, trainerRunEventSchema, trainerToHostSchema } from './trainer';

const graph = {
  metadata: { name: 'g' },
  nodes: [{ id: 'input', type: 'Input', params: { kind: 'vector', size: 2 }, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
};

describe('trainer contract', () => {
  it('accepts every host command', () => {
    const start = { type: 'start', runId: 'r1', graph, dataset: { id: 'xor', options: { samples: 100 } }, config: DEFAULT_TRAINING_CONFIG };
    expect(hostToTrainerSchema.parse(start)).toEqual(start);
    for (const type of ['pause', 'resume', 'stop']) expect(hostToTrainerSchema.parse({ type, runId: 'r1' })).toEqual({ type, runId: 'r1' });
  });

  it('rejects malformed commands with the JSON path', () => {
    const bad = hostToTrainerSchema.safeParse({ type: 'start', runId: 'r1', graph: { ...graph, nodes: 'x' }, dataset: { id: 'xor' }, config: DEFAULT_TRAINING_CONFIG });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(describeSchemaError(bad.error)).toMatch(/^graph\.nodes: /);
    expect(hostToTrainerSchema.safeParse({ type: 'explode', runId: 'r1' }).success).toBe(false);
    expect(hostToTrainerSchema.safeParse({ type: 'pause' }).success).toBe(false);
  });

  it('accepts trainer events and refuses non-finite metrics', () => {
    const batch = { type: 'batch', runId: 'r', epoch: 1, batch: 3, batchesPerEpoch: 10, loss: 0.5, accuracy: 0.75, samplesPerSec: 1000 };
    expect(trainerToHostSchema.parse(batch)).toEqual(batch);
    expect(trainerToHostSchema.safeParse({ ...batch, loss: Number.NaN }).success).toBe(false);
    expect(trainerToHostSchema.safeParse({ ...batch, batch: 0 }).success).toBe(false);
    const started = { type: 'started', runId: 'r', backend: { name: 'wasm', label: 'wasm', threads: 1 }, params: 10, trainSize: 8, valSize: 2, testSize: 2 };
    expect(trainerToHostSchema.parse(started)).toEqual(started);
    expect(trainerToHostSchema.parse({ type: 'failed', runId: 'r', reason: 'x', epoch: 2, batch: 5 })).toMatchObject({ epoch: 2 });
    expect(trainerToHostSchema.safeParse({ type: 'failed', runId: 'r', reason: '' }).success).toBe(false);
  });

  it('validates export requests and replies both ways', () => {
    expect(hostToTrainerSchema.parse({ type: 'exportModel', runId: 'r', requestId: 3 })).toEqual({ type: 'exportModel', runId: 'r', requestId: 3 });
    expect(hostToTrainerSchema.safeParse({ type: 'exportModel', runId: 'r' }).success).toBe(false);
    // The trainer names no paths: an export request carrying one is refused.
    expect(hostToTrainerSchema.safeParse({ type: 'exportModel', runId: 'r', requestId: 1, dir: '/tmp' }).success).toBe(false);
    const files = [
      { name: 'model.json', bytes: new TextEncoder().encode('{}') },
      { name: 'weights.bin', bytes: new Uint8Array([1, 2, 3, 4]) },
    ];
    const exported = { type: 'exported', runId: 'r', requestId: 3, files };
    expect(trainerToHostSchema.parse(exported)).toEqual(exported);
    for (const name of ['../model.json', 'a/b.bin', '.hidden', '']) {
      const bad = trainerToHostSchema.safeParse({ ...exported, files: [{ name, bytes: new Uint8Array() }] });
      expect(bad.success, name).toBe(false);
    }
    expect(trainerToHostSchema.safeParse({ ...exported, files: [{ name: 'w.bin', bytes: [1, 2] }] }).success).toBe(false);
    expect(trainerToHostSchema.parse({ type: 'exportFailed', runId: 'r', requestId: 3, reason: 'no model' })).toMatchObject({ reason: 'no model' });
    // Export replies are not run events: hosts keep them to themselves.
    expect(trainerRunEventSchema.safeParse(exported).success).toBe(false);
  });
});
