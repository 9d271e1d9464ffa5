import { describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument } from './model';
import { addNode, connect } from './edits';
import { groupNodes } from './groups';
import { duplicateSubgraph, extractSubgraph, pasteFragment } from './clipboard';
import { deepFreeze } from './deepFreeze';

function chain(): GraphDocument {
  let doc = emptyDocument();
  doc = addNode(doc, { type: 'Input', params: { kind: 'vector', size: 2 } });
  doc = addNode(doc, { type: 'Conv2D', params: { kernelSize: [3, 3] }, position: { x: 10, y: 20 } });
  doc = addNode(doc, { type: 'Dense', params: { units: 4 }, position: { x: 30, y: 40 } });
  doc = connect(doc, { source: 'input1', target: 'conv1' });
  doc = connect(doc, { source: 'conv1', target: 'dense1' });
  doc = groupNodes(doc, ['conv1', 'dense1'], 'block');
  return deepFreeze(doc);
}

describe('clipboard', () => {
  it('duplicateSubgraph copies nodes with fresh ids, keeps internal edges and fully-copied groups, and offsets', () => {
    const doc = chain();
    const { document, idMap, newNodeIds } = duplicateSubgraph(doc, ['conv1', 'dense1'], { x: 100, y: 0 });
    expect(newNodeIds).toEqual(['conv2', 'dense2']);
    expect([...idMap]).toEqual([['conv1', 'conv2'], ['dense1', 'dense2']]);
    expect(document.nodes.slice(3)).toEqual([
      { id: 'conv2', type: 'Conv2D', params: { kernelSize: [3, 3] }, position: { x: 110, y: 20 } },
      { id: 'dense2', type: 'Dense', params: { units: 4 }, position: { x: 130, y: 40 } },
    ]);
    // Only the internal edge conv1→dense1 is copied; input1→conv1 crosses the selection boundary.
    expect(document.edges.slice(2)).toEqual([{ id: 'e3', source: 'conv2', target: 'dense2', targetPort: 0 }]);
    expect(document.groups.slice(1)).toEqual([{ id: 'g2', name: 'block', nodeIds: ['conv2', 'dense2'] }]);
    expect(document.nodes[1]?.params['kernelSize']).not.toBe(document.nodes[3]?.params['kernelSize']);
  });

  it('a fragment can be pasted repeatedly and into another document', () => {
    const fragment = deepFreeze(extractSubgraph(chain(), ['conv1']));
    expect(fragment.groups).toEqual([]);
    const once = pasteFragment(chain(), fragment).document;
    const twice = pasteFragment(once, fragment).document;
    expect(twice.nodes.map((n) => n.id)).toEqual(['input1', 'conv1', 'dense1', 'conv2', 'conv3']);
    const other = pasteFragment(emptyDocument('other'), fragment, { x: 0, y: 0 });
    expect(other.document.nodes).toEqual([{ id: 'conv1', type: 'Conv2D', params: { kernelSize: [3, 3] }, position: { x: 10, y: 20 } }]);
  });

  it('an empty selection returns the same document', () => {
    const doc = chain();
    expect(duplicateSubgraph(doc, []).document).toBe(doc);
  });
});
