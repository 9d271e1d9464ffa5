import { describe, expect, it } from 'vitest';
import { logScale, viridis } from './colorScale';
import { cellPixels } from './paintHeatmap';

describe('cellPixels', () => {
  it('colours each cell row by row, zero at the dark end, the largest at the bright end, null transparent', () => {
    const rows = [
      { nodeId: 'a', values: [0, 1e-3] },
      { nodeId: 'b', values: [null, 1] },
    ];
    const pixels = cellPixels(rows, 2, logScale([1e-3, 1]));
    const cell = (r: number, c: number) => [...pixels.slice((r * 2 + c) * 4, (r * 2 + c) * 4 + 4)];
    expect(cell(0, 0)).toEqual([...viridis(0), 255]);
    expect(cell(0, 1)).toEqual([...viridis(0), 255]);
    expect(cell(1, 0)).toEqual([0, 0, 0, 0]);
    expect(cell(1, 1)).toEqual([...viridis(1), 255]);
  });

  it('leaves columns a row has no value for (a shorter series) transparent', () => {
    const pixels = cellPixels([{ nodeId: 'a', values: [0.5] }], 3, logScale([0.5]));
    expect(pixels[3]).toBe(255);
    expect(pixels[7]).toBe(0);
    expect(pixels[11]).toBe(0);
  });
});
