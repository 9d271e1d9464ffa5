import { describe, expect, it } from 'vitest';
import { minimapCorner, minimapRect } from './minimapCorner';

const PANE = { width: 740, height: 728 };

describe('minimapCorner', () => {
  it('takes the bottom-right corner when it is empty', () => {
    expect(minimapCorner([{ x: 0, y: 0, width: 172, height: 65 }], [40, 40, 1], PANE)).toBe('bottom-right');
  });

  it('moves to the top right when a layer is under the bottom-right corner, and hides when both are taken', () => {
    const r = minimapRect('bottom-right', PANE);
    const under = { x: r.x + 10, y: r.y + 10, width: 50, height: 20 };
    expect(minimapCorner([under], [0, 0, 1], PANE)).toBe('top-right');
    const t = minimapRect('top-right', PANE);
    expect(minimapCorner([under, { x: t.x, y: t.y, width: 20, height: 20 }], [0, 0, 1], PANE)).toBe('hidden');
  });

  it('places nodes on screen with the zoom and pan', () => {
    const r = minimapRect('bottom-right', PANE);
    // At zoom 0.5 and no pan, a node at twice the corner's coordinates lands in it.
    const node = { x: 2 * (r.x + 20), y: 2 * (r.y + 20), width: 40, height: 40 };
    expect(minimapCorner([node], [0, 0, 0.5], PANE)).toBe('top-right');
    expect(minimapCorner([node], [-400, 0, 0.5], PANE)).toBe('bottom-right');
  });

  it('shows no minimap in a pane too small to spare the room', () => {
    expect(minimapCorner([], [0, 0, 1], { width: 300, height: 600 })).toBe('hidden');
  });
});
