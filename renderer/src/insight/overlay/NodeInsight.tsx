/**
 * The overlay on one layer node: a sparkline of the shown signal with its latest value, a hover card with every
 * latest signal, and the telemetry warning badge with its card (explanation + Apply fix). Everything reads the
 * node's own entry of overlayStore, so only nodes whose data changed re-render.
 */
import { useLayoutEffect, useRef, useState, type CSSProperties, type RefObject } from 'react';
import { useStore } from '@xyflow/react';
import { TELEMETRY_SIGNALS } from '../../../../shared/contracts/telemetry';
import type { NodeId } from '../../../../shared/document/model';
import { WARNING_TITLES, type TelemetryWarning } from '../../../../shared/telemetry/telemetryWarnings';
import { MODE_SIGNAL } from './overlayScale';
import { SIGNAL_INFO, SPARK_HEIGHT, SPARK_WIDTH, formatSignalValue, type NodeOverlay } from './overlayModel';
import { openWarningCard, useNodeWarnings, useOverlay } from './overlayStore';
import { applyWarningFix } from './warningFixes';

/**
 * Cards on a node keep their screen size whatever the zoom (only an open card subscribes to the zoom), and open on
 * the side where the canvas has room: above the node near the bottom edge, shifted left near the right edge.
 */
function useCardPlacement(ref: RefObject<HTMLDivElement | null>): CSSProperties {
  const zoom = useStore((s) => s.transform[2]);
  const [place, setPlace] = useState<{ above: boolean; dx: number }>({ above: false, dx: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    const pane = el?.closest('.react-flow')?.getBoundingClientRect();
    const node = el?.parentElement?.getBoundingClientRect();
    if (!el || !pane || !node) return;
    const width = el.offsetWidth;
    const height = el.offsetHeight;
    const above = node.bottom + 8 + height > pane.bottom && node.top - 8 - height >= pane.top;
    const overflow = node.left + width - (pane.right - 8);
    const dx = overflow > 0 ? -Math.min(overflow, Math.max(0, node.left - pane.left - 8)) : 0;
    setPlace((p) => (p.above === above && p.dx === dx ? p : { above, dx }));
  }, [ref, zoom]);
  return {
    transform: `translate(${place.dx / zoom}px, 0) scale(${1 / zoom})`,
    transformOrigin: place.above ? 'bottom left' : 'top left',
    ...(place.above ? { top: 'auto', bottom: 'calc(100% + 8px)' } : {}),
  };
}

export function NodeSparkline({ nodeId, overlay }: { nodeId: NodeId; overlay: NodeOverlay }) {
  const mode = useOverlay((s) => s.model?.mode);
  const signal = mode ? MODE_SIGNAL[mode] : undefined;
  return (
    <div className="node-insight" data-testid={`node-insight-${nodeId}`} data-value={overlay.value}>
      <svg className="node-spark" width={SPARK_WIDTH} height={SPARK_HEIGHT} viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`} aria-hidden>
        {overlay.spark.map((points, i) => (
          <polyline key={i} points={points} />
        ))}
      </svg>
      <span className="node-insight-value" title={signal ? `${SIGNAL_INFO[signal].label} (latest)` : undefined}>
        {overlay.valueText}
      </span>
    </div>
  );
}

/** Every latest signal of the node, with what it means. */
export function NodeSignalsCard({ nodeId, title, overlay }: { nodeId: NodeId; title: string; overlay: NodeOverlay }) {
  const rows = TELEMETRY_SIGNALS.filter((k) => overlay.latest[k] !== undefined);
  const ref = useRef<HTMLDivElement>(null);
  const style = useCardPlacement(ref);
  // The node's open warning card takes the place of the hover details.
  const cardOpen = useOverlay((s) => s.openWarning === nodeId);
  if (cardOpen) return null;
  return (
    <div
      className="node-signals nodrag nopan"
      role="tooltip"
      id={`node-signals-${nodeId}`}
      data-testid={`node-signals-${nodeId}`}
      ref={ref}
      style={style}
    >
      <div className="node-signals-title">
        {title}
        {overlay.step !== undefined ? <span className="node-signals-step"> · step {overlay.step}</span> : null}
      </div>
      {rows.length === 0 ? (
        <div className="node-signals-empty">No signals measured for this layer.</div>
      ) : (
        <table>
          <tbody>
            {rows.map((k) => (
              <tr key={k} data-signal={k}>
                <th scope="row">{SIGNAL_INFO[k].label}</th>
                <td className="node-signals-value">{formatSignalValue(k, overlay.latest[k]!)}</td>
                <td className="node-signals-meaning">{SIGNAL_INFO[k].meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function WarningFixButtons({ warning, testIdPrefix }: { warning: TelemetryWarning; testIdPrefix: string }) {
  return (
    <div className="warning-fixes">
      {warning.fixes.map((fix, i) => (
        <button
          key={i}
          type="button"
          className={`btn${i === 0 ? ' primary' : ''}`}
          data-testid={i === 0 ? testIdPrefix : `${testIdPrefix}-${i}`}
          data-fix={fix.kind}
          onClick={(event) => {
            event.stopPropagation();
            if (applyWarningFix(fix)) openWarningCard(undefined);
          }}
        >
          {i === 0 ? `Apply fix: ${fix.label}` : fix.label}
        </button>
      ))}
    </div>
  );
}

/** The badge on a node with telemetry warnings; a click opens the card with explanation and fixes. */
export function NodeWarningBadge({ nodeId, title }: { nodeId: NodeId; title: string }) {
  const warnings = useNodeWarnings(nodeId);
  const open = useOverlay((s) => s.openWarning === nodeId);
  if (warnings.length === 0) return null;
  return <WarningBadge nodeId={nodeId} title={title} warnings={warnings} open={open} />;
}

function WarningCard({ nodeId, title, warnings }: { nodeId: NodeId; title: string; warnings: readonly TelemetryWarning[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const style = useCardPlacement(ref);
  return (
    <div
      className="warning-card nodrag nopan nowheel"
      role="dialog"
      aria-label={`Training warnings on ${title}`}
      data-testid={`warning-card-${nodeId}`}
      ref={ref}
      style={style}
    >
      <button type="button" className="warning-card-close" aria-label="Close" onClick={() => openWarningCard(undefined)}>
        ×
      </button>
      {warnings.map((w) => (
        <div key={w.kind} className="warning-item" data-kind={w.kind}>
          <div className="warning-item-title">{WARNING_TITLES[w.kind]}</div>
          <div className="warning-item-message">{w.message}</div>
          <WarningFixButtons warning={w} testIdPrefix={`apply-fix-${nodeId}-${w.kind}`} />
        </div>
      ))}
    </div>
  );
}

function WarningBadge({ nodeId, title, warnings, open }: { nodeId: NodeId; title: string; warnings: readonly TelemetryWarning[]; open: boolean }) {
  const summary = warnings.map((w) => WARNING_TITLES[w.kind]).join(', ');
  return (
    <>
      <button
        type="button"
        className="node-warning-badge nodrag nopan"
        data-testid={`warning-badge-${nodeId}`}
        data-kinds={warnings.map((w) => w.kind).join(' ')}
        aria-label={`${warnings.length} training ${warnings.length === 1 ? 'warning' : 'warnings'} on ${title}: ${summary}`}
        aria-expanded={open}
        title={summary}
        onClick={(event) => {
          event.stopPropagation();
          openWarningCard(open ? undefined : nodeId);
        }}
      >
        ⚠{warnings.length > 1 ? ` ${warnings.length}` : ''}
      </button>
      {open ? <WarningCard nodeId={nodeId} title={title} warnings={warnings} /> : null}
    </>
  );
}
