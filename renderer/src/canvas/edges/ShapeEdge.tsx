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
  return (
    <>
      <BaseEdge id={id} path={path} className={className} {...(markerEnd ? { markerEnd } : {})} interactionWidth={18} />
      <EdgeLabelRenderer>
        <div
          className={`edge-label${skip ? ' is-skip' : ''}${error ? ' has-error' : ''}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          data-testid={`edge-label-${id}`}
          title={error ?? (skip ? 'Skip connection' : 'Tensor shape per sample')}
        >
          {data?.shape ? formatShape(data.shape) : error ? '✕' : '?'}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const edgeTypes: EdgeTypes = { shape: memo(ShapeEdgeView) } as EdgeTypes;
