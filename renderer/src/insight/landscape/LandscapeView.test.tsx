import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LossLandscape } from '../../../../shared/contracts/insight';
import { LandscapeResult } from './LandscapeView';

const bowl = (n: number, withOverflow = false): LossLandscape => {
  const axis = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  const losses = axis.flatMap((b) => axis.map((a) => 0.1 + a * a + b * b));
  if (withOverflow) losses[0] = null as unknown as number;
  return {
    runId: 'run-1',
    datasetId: 'mnist',
    samples: 256,
    seed: 1,
    range: 1,
    backend: 'wasm',
    centerLoss: 0.1,
    line: { alphas: axis, losses: axis.map((a) => 0.1 + a * a) },
    grid: { alphas: axis, betas: axis, losses },
    directionParams: 1000,
    elapsedMs: 1234,
  };
};

describe('LandscapeResult', () => {
  it('draws the line, one heatmap cell per grid point, contour lines and a colour legend', () => {
    const html = renderToStaticMarkup(<LandscapeResult result={bowl(9)} />);
    expect(html).toContain('data-testid="landscape-center">0.100<');
    expect(html.match(/class="nb-landscape-line"/g)).toHaveLength(1);
    expect(html.match(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="rgb/g)).toHaveLength(81);
    const contours = html.match(/class="nb-landscape-contour" d="M[^"]+"/g) ?? [];
    expect(contours.length).toBe(8);
    expect(html).toContain('aria-label="Colour legend: loss 0.100 to 2.10"');
  });

  it('marks overflowed points instead of colouring them', () => {
    const html = renderToStaticMarkup(<LandscapeResult result={bowl(5, true)} />);
    expect(html.match(/class="nb-landscape-overflow"/g)).toHaveLength(1);
  });

  it('names the run as the history does when told, else by its id', () => {
    expect(renderToStaticMarkup(<LandscapeResult result={bowl(3)} runLabel="Run 2" />)).toMatch(/>Run 2 · 256 mnist training samples/);
    expect(renderToStaticMarkup(<LandscapeResult result={bowl(3)} />)).toMatch(/>run run-1 · 256 mnist training samples/);
  });
});
