import { describe, expect, it } from 'vitest';
import type { RunTelemetry } from '../../../../shared/contracts/telemetry';
import { buildOverlay } from './overlayModel';
import { colorAt } from './overlayScale';

const telemetry: RunTelemetry = {
  batchesPerEpoch: 10,
  steps: [1, 11, 21],
  nodes: {
    dense1: { gradNorm: [1e-4, 1e-5, 1e-5], activationStd: [0.5, 0.6, null], deadFraction: [0.1, 0.2, 0.3] },
    dense2: { gradNorm: [1e-2, 1e-3, 1e-3], weightNorm: [2, 2, 2] },
    bn1: { gammaMean: [1, 1, 1.1] },
  },
};

describe('buildOverlay', () => {
  it('colours each node by its latest value on the graph-relative scale and keeps every latest signal', () => {
    const model = buildOverlay('gradients', telemetry);
    expect(model.scale).toMatchObject({ log: true, min: -5, max: -3 });
    const d1 = model.nodes.get('dense1')!;
    expect(d1.color).toBe(colorAt(0));
    expect(model.nodes.get('dense2')!.color).toBe(colorAt(1));
    expect(d1.valueText).toBe('1.00e-5');
    expect(d1.latest).toEqual({ gradNorm: 1e-5, activationStd: 0.6, deadFraction: 0.3 });
    expect(d1.step).toBe(21);
    expect(d1.spark).toHaveLength(1);
  });

  it('leaves nodes without the mode signal uncoloured (not zero)', () => {
    const bn = buildOverlay('gradients', telemetry).nodes.get('bn1')!;
    expect(bn.color).toBeUndefined();
    expect(bn.valueText).toBe('—');
    expect(bn.latest).toEqual({ gammaMean: 1.1 });
  });

  it('reuses the object of a node whose data did not change, so it does not re-render', () => {
    const first = buildOverlay('dead', telemetry);
    const next: RunTelemetry = {
      ...telemetry,
      nodes: { ...telemetry.nodes, dense2: { ...telemetry.nodes['dense2']!, weightNorm: [2, 2, 3] } },
    };
    const second = buildOverlay('dead', next, first);
    expect(second.nodes.get('dense1')).toBe(first.nodes.get('dense1'));
    expect(second.nodes.get('dense2')).not.toBe(first.nodes.get('dense2'));
    // Another mode draws other values: nothing is reused.
    expect(buildOverlay('gradients', telemetry, first).nodes.get('dense1')).not.toBe(first.nodes.get('dense1'));
  });
});
