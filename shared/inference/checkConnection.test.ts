import { describe, expect, it } from 'vitest';
import { buildGraph } from './buildGraph';
import { checkConnection } from './checkConnection';

const doc = buildGraph(
  [
    ['input', 'Input', { kind: 'image', height: 8, width: 8, channels: 3 }],
    ['conv', 'Conv2D', { filters: 4 }],
    ['flat', 'Flatten'],
    ['dense', 'Dense'],
    ['cat', 'Concatenate'],
    ['add', 'Add'],
    ['out', 'Output'],
  ],
  [
    ['input', 'conv'],
    ['conv', 'flat'],
    ['flat', 'dense'],
    ['conv', 'cat', 0],
    ['conv', 'add'],
  ],
);

describe('checkConnection', () => {
  it('accepts a fitting edge', () => {
    expect(checkConnection(doc, 'dense', 'out', 0)).toEqual({ ok: true });
    expect(checkConnection(doc, 'input', 'cat', 1)).toEqual({ ok: true });
    expect(checkConnection(doc, 'input', 'add', 0)).toEqual({ ok: true });
  });

  it('refuses cycles', () => {
    expect(checkConnection(doc, 'flat', 'cat', 1)).toEqual({
      ok: false,
      reason: "Concatenate: 'flat' gives 256 but 'conv' gives 8×8×4 — inputs need the same number of dimensions",
    });
    const cyclic = checkConnection(doc, 'add', 'add', 0);
    expect(cyclic).toEqual({ ok: false, reason: 'A layer cannot feed into itself' });
    const loop = buildGraph([['a', 'Input'], ['b', 'Add'], ['c', 'Dense']], [['a', 'b'], ['b', 'c']]);
    expect(checkConnection(loop, 'c', 'b', 0)).toEqual({ ok: false, reason: "This edge would make a cycle: 'b' already leads to 'c'" });
  });

  it('refuses an occupied single-input or ordered port', () => {
    expect(checkConnection(doc, 'input', 'flat', 0)).toMatchObject({ ok: false, reason: expect.stringContaining("already has an input (from 'conv')") });
    expect(checkConnection(doc, 'input', 'cat', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('Input 1 of') });
    expect(checkConnection(doc, 'input', 'dense', 1)).toMatchObject({ ok: false, reason: 'Dense has no input 2' });
    expect(checkConnection(doc, 'dense', 'input', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('no inputs') });
  });

  it('refuses ranks that can never fit, with the layer message', () => {
    expect(checkConnection(doc, 'conv', 'out', 0)).toEqual({
      ok: false,
      reason: 'Output expects a flat vector but gets 8×8×4 — add Flatten or GlobalAvgPool2D first',
    });
    expect(checkConnection(doc, 'dense', 'add', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('same number of dimensions') });
  });
});
