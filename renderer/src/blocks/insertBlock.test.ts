import { describe, expect, it } from 'vitest';
import { addNode, connect } from '../../../shared/document';
import { emptyDocument, type GraphDocument } from '../../../shared/document/model';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { BLOCK_TEMPLATES, getBlockTemplate } from './blockTemplates';
import { insertFragment, repeatGroup } from './insertBlock';

function imageStem(channels: number): GraphDocument {
  let d = emptyDocument('t');
  d = addNode(d, { id: 'in', type: 'Input', params: { kind: 'image', height: 16, width: 16, channels: 3 } });
  d = addNode(d, { id: 'stem', type: 'Conv2D', params: { filters: channels, kernelSize: [3, 3], padding: 'same' } });
  return connect(d, { source: 'in', target: 'stem' });
}

function errors(doc: GraphDocument) {
  return analyzeGraph(doc).issues.filter((i) => i.severity === 'error' && i.code !== 'no-output' && i.code !== 'dangling-output');
}

describe('block templates', () => {
  it('every template inserts as one group with no shape errors after an image layer', () => {
    for (const template of BLOCK_TEMPLATES) {
      if (template.id === 'mlp') continue;
      const doc = imageStem(16);
      const incoming = analyzeGraph(doc).nodes.get('stem')?.output;
      const result = insertFragment(doc, template.build(incoming), { x: 300, y: 0 }, 'stem');
      expect(result.document.groups).toHaveLength(1);
      expect(result.document.groups[0]?.nodeIds).toEqual(result.newNodeIds);
      expect(errors(result.document), template.id).toEqual([]);
    }
  });

  it('residual block uses an identity shortcut when channels match and a 1×1 projection otherwise', () => {
    const residual = getBlockTemplate('residual')!;
    expect(residual.build([16, 16, 32]).nodes.some((n) => n.key === 'shortcut')).toBe(false);
    expect(residual.build([16, 16, 8]).nodes.some((n) => n.key === 'shortcut')).toBe(true);
    for (const channels of [8, 32]) {
      const doc = imageStem(channels);
      const incoming = analyzeGraph(doc).nodes.get('stem')?.output;
      const result = insertFragment(doc, residual.build(incoming), { x: 0, y: 0 }, 'stem');
      expect(errors(result.document), `stem with ${channels} channels`).toEqual([]);
    }
    // Without the projection, a width change cannot be added back: the analysis says so.
    const noProjection = residual.build([16, 16, 32]);
    const bad = insertFragment(imageStem(8), noProjection, { x: 0, y: 0 }, 'stem');
    expect(errors(bad.document).some((i) => i.code === 'shape-mismatch')).toBe(true);
  });

  it('repeat ×N chains copies after the block and moves the downstream consumer to the last copy', () => {
    let doc = imageStem(16);
    const residual = getBlockTemplate('conv-bn-relu')!;
    const inserted = insertFragment(doc, residual.build([16, 16, 16]), { x: 300, y: 0 }, 'stem');
    doc = addNode(inserted.document, { id: 'gap', type: 'GlobalAvgPool2D' });
    doc = connect(doc, { source: inserted.exitId, target: 'gap' });
    const repeated = repeatGroup(doc, inserted.groupId, 2, () => ({ width: 190 }));
    expect(repeated.groups).toHaveLength(3);
    expect(repeated.nodes.length).toBe(doc.nodes.length + 6);
    const intoGap = repeated.edges.filter((e) => e.target === 'gap');
    expect(intoGap).toHaveLength(1);
    const lastGroup = repeated.groups[2]!;
    expect(lastGroup.nodeIds).toContain(intoGap[0]!.source);
    expect(errors(repeated)).toEqual([]);
  });
});
