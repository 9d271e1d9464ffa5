import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SignalPropagation } from '../../../../shared/contracts/insight';
import { SignalPlot } from './SignalView';

const result: SignalPropagation = {
  datasetId: 'mnist',
  samples: 256,
  seed: 42,
  backend: 'wasm',
  elapsedMs: 40,
  nodes: [
    { nodeId: 'input', type: 'Input', layer: 'input', shape: [28, 28, 1], channels: 1, avgSquaredMean: 0.017, avgVariance: 0.095 },
    { nodeId: 'conv1', type: 'Conv2D', layer: 'conv1', shape: [28, 28, 8], channels: 8, avgSquaredMean: 0.002, avgVariance: 0.01 },
    { nodeId: 'dead', type: 'Dense', layer: 'dead', shape: [4], channels: 4, avgSquaredMean: 0, avgVariance: 0 },
    { nodeId: 'out', type: 'Output', layer: 'out', shape: [10], channels: 10, avgSquaredMean: 0.01, avgVariance: 1e-5 },
  ],
};

describe('SignalPlot', () => {
  it('gives each node a labelled hover column and draws both lines, naming what cannot go on the log scale', () => {
    const html = renderToStaticMarkup(<SignalPlot result={result} />);
    expect(html.match(/class="nb-signal-column"/g)).toHaveLength(4);
    expect(html).toContain('<title>conv1 (Conv2D): squared mean 0.00200, variance 0.0100</title>');
    expect(html.match(/<polyline class="nb-signal-line/g)).toHaveLength(2);
    expect(html.match(/<circle class="nb-signal-variance"/g)).toHaveLength(3);
    expect(html).toContain('not on the log scale (zero or overflow): dead');
  });
});
