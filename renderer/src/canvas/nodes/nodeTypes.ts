/** React Flow's node type map, built once at module level: one memo component per category look, plus blocks. */
import { memo, type ComponentType } from 'react';
import type { NodeProps, NodeTypes } from '@xyflow/react';
import type { LayerFlowNode, NodeLook } from '../flowMapping';
import { LayerNodeView } from './LayerNode';
import { BlockFrame, CollapsedBlock } from './BlockFrame';

const LOOKS: readonly NodeLook[] = [
  'inputs',
  'core',
  'convolution',
  'pooling',
  'normalization',
  'regularization',
  'activation',
  'merge',
  'recurrent',
  'output',
  'unknown',
];

/** One memo component per look, so React Flow can tell node kinds apart and styles stay per category. */
export const nodeTypes: NodeTypes = {
  ...Object.fromEntries(
    LOOKS.map((look) => {
      const component = memo(LayerNodeView) as ComponentType<NodeProps<LayerFlowNode>>;
      component.displayName = `LayerNode(${look})`;
      return [look, component];
    }),
  ),
  blockFrame: BlockFrame,
  collapsedBlock: CollapsedBlock,
} as NodeTypes;
