/** An edge labelled with the tensor shape it carries; skip connections dashed, broken ones red. */
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps, type EdgeTypes } from '@xyflow/react';
import { formatShape, type ShapeFlowEdge } from '../flowMapping';
import { OVERLAY_NONE, OVERLAY_OFF, useNodeOverlay } from '../../insight/overlay/overlayStore';
import { edgeWidthForStd, formatSignal } from '../../insight/overlay/overlayScale';

function ShapeEdgeView(props: EdgeProps<ShapeFlowEdge>) {
  const { id, source, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  // With the inside view on, the edge carries its source's activation scale (stroke width and a σ on the label).
  const overlay = useNodeOverlay(source);
  const std = overlay !== OVERLAY_OFF && overlay !== OVERLAY_NONE ? overlay.latest.activationStd : undefined;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const skip = data?.skip ?? false;
  const error = data?.error;
  const className = `shape-edge${skip ? ' is-skip' : ''}${error ? ' has-error' : ''}${selected ? ' is-selected' : ''}${std !== undefined ? ' has-scale' : ''}`;
  const shapeText = data?.shape ? formatShape(data.shape) : error ? '✕' : '?';
  // A label wider than the gap it sits in would cover the nodes; the node faces show the same shape anyway.
  const fitsText = (t: string) => Math.abs(targetX - sourceX) >= t.length * 5.2 + 10 || Math.abs(targetY - sourceY) > 40;
  const scaled = std !== undefined ? `${shapeText} σ ${formatSignal(std)}` : shapeText;
  // In a tight gap the σ goes first (the stroke width still shows it), so the shape stays readable.
  const text = fitsText(scaled) || selected ? scaled : shapeText;
  const fits = fitsText(text);
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={className}
        {...(markerEnd ? { markerEnd } : {})}
        {...(std !== undefined && !error && !selected ? { style: { strokeWidth: edgeWidthForStd(std) } } : {})}
        interactionWidth={18}
      />
      {fits || selected || error ? (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${skip ? ' is-skip' : ''}${error ? ' has-error' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`edge-label-${id}`}
            title={
              error ??
              `${skip ? 'Skip connection' : 'Tensor shape per sample'}${std !== undefined ? `; σ: spread (std) of the activations flowing through it` : ''}`
            }
            {...(std !== undefined ? { 'data-activation-std': std } : {})}
          >
            {text}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

export const edgeTypes: EdgeTypes = { shape: memo(ShapeEdgeView) } as EdgeTypes;
