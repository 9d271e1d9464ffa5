/**
 * The draggable edge of a workbench panel (WAI-ARIA window splitter): drag it, or focus it and use the arrow keys
 * (Shift for bigger steps, Home / End for the limits), to resize the panel; double-click or Enter collapses it. The
 * width is clamped to what the window leaves room for and remembered by the view store.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { viewStore, type PanelId } from '../store/viewStore';

export interface PanelSeparatorProps {
  readonly panel: PanelId;
  /** Which edge of the panel the separator sits on: dragging away from the panel makes it wider. */
  readonly edge: 'left' | 'right';
  readonly width: number;
  readonly min: number;
  readonly max: number;
  /** Names the panel: "Resize <label>". */
  readonly label: string;
  /** id of the element the separator resizes. */
  readonly controls: string;
}

const STEP = 10;
const BIG_STEP = 50;

export function PanelSeparator({ panel, edge, width, min, max, label, controls }: PanelSeparatorProps) {
  const drag = useRef<{ pointerId: number; startX: number; startWidth: number } | undefined>(undefined);
  const resize = (next: number) => viewStore.getState().setPanel(panel, { width: Math.min(max, Math.max(min, Math.round(next))) });
  const outward = edge === 'right' ? 1 : -1;

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { pointerId: event.pointerId, startX: event.clientX, startWidth: width };
    document.body.classList.add('is-resizing-panel');
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.pointerId !== event.pointerId) return;
    resize(d.startWidth + outward * (event.clientX - d.startX));
  };
  const endDrag = (event: PointerEvent<HTMLDivElement>) => {
    if (drag.current?.pointerId !== event.pointerId) return;
    drag.current = undefined;
    document.body.classList.remove('is-resizing-panel');
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? BIG_STEP : STEP;
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = width + outward * step;
    else if (event.key === 'ArrowLeft') next = width - outward * step;
    else if (event.key === 'Home') next = min;
    else if (event.key === 'End') next = max;
    else if (event.key === 'Enter') {
      event.preventDefault();
      viewStore.getState().togglePanel(panel);
      return;
    }
    if (next === undefined) return;
    event.preventDefault();
    resize(next);
  };

  return (
    <div
      className={`panel-separator edge-${edge}`}
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${label}`}
      aria-controls={controls}
      aria-valuenow={width}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      title={`Drag to resize the ${label}; double-click to collapse it`}
      data-testid={`${panel}-separator`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      onDoubleClick={() => viewStore.getState().togglePanel(panel)}
      onKeyDown={onKeyDown}
    />
  );
}
