import { describe, expect, it } from 'vitest';
import { MIN_OPEN_ZOOM, START_MARGIN, openViewport } from './openViewport';

const PANE = { width: 740, height: 728 };

describe('openViewport', () => {
  it('frames a small graph whole, centred, no closer than 1.2', () => {
    const v = openViewport({ x: 0, y: 0, width: 176, height: 400 }, PANE, 'DOWN');
    expect(v.zoom).toBe(1.2);
    expect(v.x + (176 / 2) * v.zoom).toBeCloseTo(PANE.width / 2);
    expect(v.y + 200 * v.zoom).toBeCloseTo(PANE.height / 2);
  });

  it('shows a tall graph at the readable zoom from its top, centred across', () => {
    const v = openViewport({ x: 100, y: 50, width: 432, height: 2452 }, PANE, 'DOWN');
    expect(v.zoom).toBe(MIN_OPEN_ZOOM);
    expect(v.y + 50 * v.zoom).toBeCloseTo(START_MARGIN);
    expect(v.x + (100 + 216) * v.zoom).toBeCloseTo(PANE.width / 2);
  });

  it('starts a long left-to-right graph at its left end', () => {
    const v = openViewport({ x: 0, y: 0, width: 3000, height: 200 }, PANE, 'RIGHT');
    expect(v.zoom).toBe(MIN_OPEN_ZOOM);
    expect(v.x).toBeCloseTo(START_MARGIN);
    expect(v.y + 100 * v.zoom).toBeCloseTo(PANE.height / 2);
  });

  it('starts at the top-left corner when the graph is too wide to centre as well', () => {
    const v = openViewport({ x: 0, y: 0, width: 2000, height: 3000 }, PANE, 'DOWN');
    expect([v.x, v.y, v.zoom]).toEqual([START_MARGIN, START_MARGIN, MIN_OPEN_ZOOM]);
  });
});
