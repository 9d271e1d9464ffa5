/**
 * A named block (GraphGroup): expanded, a frame behind its members whose header drags the whole block;
 * collapsed, one compact node standing in for them (edges crossing the boundary attach to it).
 */
import { memo, useState } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { BlockFrameNode, CollapsedBlockNode } from '../flowMapping';
import { formatCount } from '../../summary/formatNumbers';
import { blockActions } from '../blockActions';
import { useFlowDirection } from '../../layout/flowDirection';

/** The block's name; double-click to rename (Enter or leaving the field commits, Escape cancels). */
function BlockName({ groupId, name }: { groupId: string; name: string }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(name);
  if (!editing) {
    return (
      <span
        className="block-frame-name"
        title="Double-click to rename"
        onDoubleClick={() => {
          setDraft(name);
          setEditing(true);
        }}
      >
        {name}
      </span>
    );
  }
  const commit = () => {
    setEditing(false);
    if (draft.trim() && draft.trim() !== name) blockActions.rename(groupId, draft.trim());
  };
  return (
    <input
      className="block-frame-rename nodrag"
      aria-label="Block name"
      autoFocus
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setEditing(false);
      }}
    />
  );
}

function BlockFrameView({ data }: NodeProps<BlockFrameNode>) {
  const { group, params, errorCount } = data;
  return (
    <div className={`block-frame${errorCount ? ' has-error' : ''}`} data-testid={`block-${group.id}`}>
      <div className="block-frame-header">
        <BlockName groupId={group.id} name={group.name} />
        <span className="block-frame-meta">{formatCount(params)} p</span>
        <span className="block-frame-actions nodrag">
          <button type="button" aria-label={`Collapse block ${group.name}`} title="Collapse" onClick={() => blockActions.setCollapsed(group.id, true)}>
            ▁
          </button>
          <button type="button" aria-label={`Repeat block ${group.name}`} title="Repeat ×N" onClick={() => blockActions.promptRepeat(group.id)}>
            ×N
          </button>
          <button type="button" aria-label={`Save block ${group.name} to palette`} title="Save to palette" onClick={() => blockActions.saveToPalette(group.id)}>
            ☆
          </button>
          <button type="button" aria-label={`Ungroup ${group.name}`} title="Ungroup" onClick={() => blockActions.ungroup(group.id)}>
            ✕
          </button>
        </span>
      </div>
    </div>
  );
}

function CollapsedBlockView({ data, selected }: NodeProps<CollapsedBlockNode>) {
  const { group, params, errorCount } = data;
  const down = useFlowDirection() === 'DOWN';
  return (
    <div className={`collapsed-block${errorCount ? ' has-error' : ''}${selected ? ' is-selected' : ''}`} data-testid={`block-${group.id}`}>
      <Handle id="in-0" type="target" position={down ? Position.Top : Position.Left} />
      <div className="layer-node-head">
        <span className="layer-node-icon" aria-hidden>
          ▣
        </span>
        <span className="layer-node-title">
          <BlockName groupId={group.id} name={group.name} />
        </span>
      </div>
      <div className="layer-node-stats">
        <span>{group.nodeIds.length} layers</span>
        <span>{formatCount(params)} p</span>
      </div>
      {errorCount ? <div className="layer-node-error">{errorCount} error(s) inside</div> : null}
      <button type="button" className="nodrag expand-button" aria-label={`Expand block ${group.name}`} onClick={() => blockActions.setCollapsed(group.id, false)}>
        Expand
      </button>
      <Handle id="out" type="source" position={down ? Position.Bottom : Position.Right} />
    </div>
  );
}

export const BlockFrame = memo(BlockFrameView);
export const CollapsedBlock = memo(CollapsedBlockView);
