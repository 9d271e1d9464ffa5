import { describe, expect, it } from 'vitest';
import { decisionBoundaryGrid } from '../../../shared/evaluation';
import { planePlot, pointsExtent } from './planePlot';

describe('planePlot', () => {
  const plot = planePlot({ xMin: -2, xMax: 2, yMin: -1, yMax: 1 }, { left: 10, top: 20, width: 400, height: 200 });

  it('maps the extent onto the box with y pointing up', () => {
    expect([plot.x(-2), plot.x(2), plot.x(0)]).toEqual([10, 410, 210]);
    expect([plot.y(1), plot.y(-1), plot.y(0)]).toEqual([20, 220, 120]);
  });

  it('puts each boundary grid cell centre at the centre of its pixel block, so the painted image lines up with points', () => {
    const grid = decisionBoundaryGrid([], { extent: plot.extent, resolution: { columns: 8, rows: 4 } });
    const cellW = plot.box.width / grid.columns;
    const cellH = plot.box.height / grid.rows;
    for (let row = 0; row < grid.rows; row++) {
      for (let column = 0; column < grid.columns; column++) {
        const at = 2 * (row * grid.columns + column);
        expect(plot.x(grid.points[at]!)).toBeCloseTo(plot.box.left + (column + 0.5) * cellW, 4);
        expect(plot.y(grid.points[at + 1]!)).toBeCloseTo(plot.box.top + (row + 0.5) * cellH, 4);
      }
    }
  });

  it('gives a scatter the boundary grid’s default extent', () => {
    const points = [{ x: 0, y: 0 }, { x: 10, y: 5 }];
    expect(pointsExtent(points)).toEqual(decisionBoundaryGrid([0, 0, 10, 5], { resolution: 1 }).extent);
  });
});
