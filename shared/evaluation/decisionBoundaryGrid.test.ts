import { describe, expect, it } from 'vitest';
import { dataExtent, decisionBoundaryGrid } from './decisionBoundaryGrid';

describe('dataExtent', () => {
  it('widens the data range by the margin on every side', () => {
    expect(dataExtent([0, 0, 10, 20, 5, 5], 0.1)).toEqual({ xMin: -1, xMax: 11, yMin: -2, yMax: 22 });
  });

  it('gives a flat axis ±1 and no points the square [−1, 1]², ignoring non-finite points', () => {
    expect(dataExtent([3, 0, 3, 4], 0)).toEqual({ xMin: 2, xMax: 4, yMin: 0, yMax: 4 });
    expect(dataExtent([])).toEqual({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 });
    expect(dataExtent([NaN, 5, 0, 0, 1, 1], 0)).toEqual({ xMin: 0, xMax: 1, yMin: 0, yMax: 1 });
    expect(() => dataExtent([1, 2, 3])).toThrow(RangeError);
  });
});

describe('decisionBoundaryGrid', () => {
  it('places one point at the centre of every cell, top row first', () => {
    const grid = decisionBoundaryGrid([0, 0, 10, 20], { resolution: { columns: 4, rows: 2 } });
    // Extent x ∈ [−1, 11] (cells 3 wide), y ∈ [−2, 22] (cells 12 high).
    expect(grid.extent).toEqual({ xMin: -1, xMax: 11, yMin: -2, yMax: 22 });
    expect([grid.columns, grid.rows]).toEqual([4, 2]);
    expect(grid.points).toBeInstanceOf(Float32Array);
    expect(Array.from(grid.points)).toEqual([0.5, 16, 3.5, 16, 6.5, 16, 9.5, 16, 0.5, 4, 3.5, 4, 6.5, 4, 9.5, 4]);
  });

  it('defaults to 64 × 64 cells and covers a given extent instead of the data', () => {
    const grid = decisionBoundaryGrid([5, 5], { extent: { xMin: 0, xMax: 64, yMin: 0, yMax: 64 } });
    expect(grid.points).toHaveLength(64 * 64 * 2);
    expect(Array.from(grid.points.subarray(0, 2))).toEqual([0.5, 63.5]);
    expect(Array.from(grid.points.subarray(-2))).toEqual([63.5, 0.5]);
  });

  it('refuses a resolution or extent that makes no grid', () => {
    expect(() => decisionBoundaryGrid([0, 0, 1, 1], { resolution: 0 })).toThrow(RangeError);
    expect(() => decisionBoundaryGrid([0, 0, 1, 1], { resolution: 2.5 })).toThrow(RangeError);
    expect(() => decisionBoundaryGrid([], { extent: { xMin: 1, xMax: 1, yMin: 0, yMax: 1 } })).toThrow(RangeError);
  });
});
