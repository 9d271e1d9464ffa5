/** An edge labelled with the tensor shape it carries; skip connections dashed, broken ones red. */
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps, type EdgeTypes } from '@xyflow/react';
import { formatShape, type ShapeFlowEdge } from '../flowMapping';

function ShapeEdgeView(props: EdgeProps<ShapeFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const skip = data?.skip ?? false;
  const error = data?.error;
  const className = `shape-edge${skip ? ' is-skip' : ''}${error ? ' has-error' : ''}${selected ? ' is-selected' : ''}`;
  const text = data?.shape ? formatShape(data.shape) : error ? '✕' : '?';
  // A label wider than the gap it sits in would cover the nodes; the node faces show the same shape anyway.
  const fits = Math.abs(targetX - sourceX) >= text.length * 5.2 + 10 || Math.abs(targetY - sourceY) > 40;
  return (
    <>
      <BaseEdge id={id} path={path} className={className} {...(markerEnd ? { markerEnd } : {})} interactionWidth={18} />
      {fits || selected || error ? (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${skip ? ' is-skip' : ''}${error ? ' has-error' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`edge-label-${id}`}
            title={error ?? (skip ? 'Skip connection' : 'Tensor shape per sample')}
          >
            {text}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

export const edgeTypes: EdgeTypes = { shape: memo(ShapeEdgeView) } as EdgeTypes;
