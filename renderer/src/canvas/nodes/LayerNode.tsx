/**
 * A layer on the canvas: name, key params, output shape, parameter count, and — when inference fails — the message,
 * on the node and on the offending input port. Registered once per category look in nodeTypes.ts.
 */
import { useState, type CSSProperties } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { formatShape, type LayerFlowNode, type NodeLook } from '../flowMapping';
import { formatCount } from '../../summary/formatNumbers';
import { OVERLAY_NONE, OVERLAY_OFF, useNodeOverlay } from '../../insight/overlay/overlayStore';
import { NodeSignalsCard, NodeSparkline, NodeWarningBadge } from '../../insight/overlay/NodeInsight';
import { useFlowDirection } from '../../layout/flowDirection';

const LOOK_ICON: Record<NodeLook, string> = {
  inputs: '⇥',
  core: '▦',
  convolution: '▩',
  pooling: '▾',
  normalization: '≈',
  regularization: '◌',
  activation: 'ƒ',
  merge: '⊕',
  recurrent: '↻',
  output: '◎',
  unknown: '?',
};

function handleTop(index: number, count: number): string {
  return `${((index + 1) / (count + 1)) * 100}%`;
}

export function LayerNodeView({ data, selected, type }: NodeProps<LayerFlowNode>) {
  const { node, spec, analysis, summary, issues, portErrors, inputHandles, hasOutput } = data;
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  const title = node.label?.trim() || spec?.label || node.type;
  const ordered = spec?.inputs.ordered ?? false;
  const firstError = errors[0]?.message;
  // Inside view: this node's own overlay entry (colour, sparkline, latest signals), see insight/overlay.
  const overlay = useNodeOverlay(node.id);
  const [hovered, setHovered] = useState(false);
  // Ports on the sides the graph flows through: inputs on top and output below when it runs top to bottom.
  const down = useFlowDirection() === 'DOWN';
  const shown = overlay !== OVERLAY_OFF && overlay !== OVERLAY_NONE ? overlay : undefined;
  const overlayClass = shown?.color ? ' has-overlay' : overlay !== OVERLAY_OFF ? ' overlay-none' : '';
  return (
    <div
      className={`layer-node look-${type}${errors.length ? ' has-error' : ''}${selected ? ' is-selected' : ''}${overlayClass}`}
      data-testid={`node-${node.id}`}
      data-node-type={node.type}
      title={firstError}
      aria-label={`${title} (${node.type})${firstError ? `: ${firstError}` : ''}`}
      {...(shown && hovered ? { 'aria-describedby': `node-signals-${node.id}` } : {})}
      style={shown?.color ? ({ '--overlay-color': shown.color } as CSSProperties) : undefined}
      onMouseEnter={overlay !== OVERLAY_OFF ? () => setHovered(true) : undefined}
      onMouseLeave={() => setHovered(false)}
    >
      {Array.from({ length: inputHandles }, (_, i) => {
        const portError = portErrors[i];
        return (
          <Handle
            key={i}
            id={`in-${i}`}
            type="target"
            position={down ? Position.Top : Position.Left}
            style={down ? { left: handleTop(i, inputHandles) } : { top: handleTop(i, inputHandles) }}
            className={portError ? 'port-error' : undefined}
            title={portError ?? (ordered ? `Input ${i + 1}` : 'Input')}
            data-testid={`port-${node.id}-in-${i}`}
            data-port-error={portError ?? undefined}
          >
            {ordered ? <span className="port-label">{i + 1}</span> : null}
          </Handle>
        );
      })}
      <div className="layer-node-head">
        <span className="layer-node-icon" aria-hidden>
          {LOOK_ICON[type as NodeLook] ?? '?'}
        </span>
        <span className="layer-node-title">{title}</span>
        {title !== node.type ? <span className="layer-node-type">{node.type}</span> : null}
      </div>
      {summary ? <div className="layer-node-summary">{summary}</div> : null}
      <div className="layer-node-stats">
        <span className="layer-node-shape" data-testid="node-output-shape" title="Output shape per sample">
          {analysis?.output ? formatShape(analysis.output) : '—'}
        </span>
        {analysis && analysis.params > 0 ? (
          <span className="layer-node-params" title={`${analysis.params.toLocaleString()} parameters`}>
            {formatCount(analysis.params)} p
          </span>
        ) : null}
      </div>
      {errors.length > 0 ? (
        <div className="layer-node-error" role="alert" data-testid="node-error">
          {errors[0]?.message}
          {errors.length > 1 ? ` (+${errors.length - 1})` : ''}
        </div>
      ) : warnings.length > 0 ? (
        <div className="layer-node-warning">{warnings[0]?.message}</div>
      ) : null}
      {shown?.color ? <NodeSparkline nodeId={node.id} overlay={shown} /> : null}
      {shown && hovered ? <NodeSignalsCard nodeId={node.id} title={title} overlay={shown} /> : null}
      <NodeWarningBadge nodeId={node.id} title={title} />
      {hasOutput ? <Handle id="out" type="source" position={down ? Position.Bottom : Position.Right} title="Output" /> : null}
    </div>
  );
}
