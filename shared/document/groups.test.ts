import { describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument } from './model';
import { addNode } from './edits';
import { groupNodes, groupOf, renameGroup, setGroupCollapsed, ungroup } from './groups';
import { deepFreeze } from './deepFreeze';

function doc3(): GraphDocument {
  let doc = emptyDocument();
  for (let i = 0; i < 3; i++) doc = addNode(doc, { type: 'Dense' });
  return deepFreeze(doc);
}

describe('groups', () => {
  it('groups known nodes, moving them out of other groups', () => {
    const doc = doc3();
    const a = groupNodes(doc, ['dense1', 'dense2', 'ghost', 'dense1'], 'A');
    expect(a.groups).toEqual([{ id: 'g1', name: 'A', nodeIds: ['dense1', 'dense2'] }]);
    const b = groupNodes(a, ['dense2', 'dense3'], 'B');
    expect(b.groups).toEqual([
      { id: 'g1', name: 'A', nodeIds: ['dense1'] },
      { id: 'g2', name: 'B', nodeIds: ['dense2', 'dense3'] },
    ]);
    expect(groupOf(b, 'dense2')?.name).toBe('B');
    expect(groupNodes(b, ['dense1'], 'C').groups.map((g) => g.id)).toEqual(['g2', 'g3']);
    expect(groupNodes(doc, ['ghost'], 'none')).toBe(doc);
  });

  it('ungroup, rename and collapse', () => {
    const doc = deepFreeze(groupNodes(doc3(), ['dense1'], 'A'));
    expect(ungroup(doc, 'g1').groups).toEqual([]);
    expect(ungroup(doc, 'g1').nodes).toBe(doc.nodes);
    expect(ungroup(doc, 'zzz')).toBe(doc);
    expect(renameGroup(doc, 'g1', 'B').groups[0]?.name).toBe('B');
    expect(renameGroup(doc, 'g1', 'A')).toBe(doc);
    expect(setGroupCollapsed(doc, 'g1', true).groups[0]?.collapsed).toBe(true);
    expect(setGroupCollapsed(doc, 'g1', false)).toBe(doc);
  });
});
