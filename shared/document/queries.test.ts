import { describe, expect, it } from 'vitest';
import { addNode, connect } from './edits';
import { emptyDocument } from './model';
import { ancestors } from './queries';

describe('ancestors', () => {
  it('is the node and everything upstream of it, through both inputs of a merge, and nothing downstream or aside', () => {
    let d = emptyDocument('t');
    for (const id of ['in', 'a', 'b', 'add', 'out', 'stray']) d = addNode(d, { id, type: id === 'in' ? 'Input' : 'Dense' });
    for (const [s, t] of [['in', 'a'], ['a', 'b'], ['b', 'add'], ['a', 'add'], ['add', 'out']] as const) d = connect(d, { source: s, target: t, ...(t === 'add' && s === 'a' ? { targetPort: 1 } : {}) });
    expect([...ancestors(d, 'add')].sort()).toEqual(['a', 'add', 'b', 'in']);
    expect([...ancestors(d, 'in')]).toEqual(['in']);
  });
});
