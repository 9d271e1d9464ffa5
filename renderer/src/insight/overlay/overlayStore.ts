/**
 * The overlay's per-node data and the telemetry warnings, published once per telemetry update by OverlayControls and
 * read per node through selectors: a node re-renders only when its own entry changes, never on a drag elsewhere.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { NodeId } from '../../../../shared/document/model';
import type { TelemetryWarning } from '../../../../shared/telemetry/telemetryWarnings';
import type { NodeOverlay, OverlayModel } from './overlayModel';

interface OverlayState {
  /** Undefined while the overlay is off or no run has telemetry. */
  readonly model?: OverlayModel;
  readonly warnings: ReadonlyMap<NodeId, readonly TelemetryWarning[]>;
  /** All warnings in graph order. */
  readonly warningList: readonly TelemetryWarning[];
  /** The node whose warning card is open. */
  readonly openWarning?: NodeId;
  readonly listOpen: boolean;
}

export const overlayStore = createStore<OverlayState>()(() => ({ warnings: new Map(), warningList: [], listOpen: false }));

/** The overlay is off (nothing to draw). */
export const OVERLAY_OFF = 'off';
/** The overlay is on, but this node has no telemetry (drawn dimmed). */
export const OVERLAY_NONE = 'none';

export function useNodeOverlay(nodeId: NodeId): NodeOverlay | typeof OVERLAY_OFF | typeof OVERLAY_NONE {
  return useStore(overlayStore, (s) => (s.model ? (s.model.nodes.get(nodeId) ?? OVERLAY_NONE) : OVERLAY_OFF));
}

const NO_WARNINGS: readonly TelemetryWarning[] = [];

export function useNodeWarnings(nodeId: NodeId): readonly TelemetryWarning[] {
  return useStore(overlayStore, (s) => s.warnings.get(nodeId) ?? NO_WARNINGS);
}

export function useOverlay<T>(selector: (s: OverlayState) => T): T {
  return useStore(overlayStore, selector);
}

/**
 * Publishes new warnings, keeping each node's previous array when its warnings read the same (a drop elsewhere
 * re-runs the rules but should not re-render every badge).
 */
export function publishWarnings(list: readonly TelemetryWarning[]): void {
  const previous = overlayStore.getState().warnings;
  const grouped = new Map<NodeId, TelemetryWarning[]>();
  for (const w of list) {
    const l = grouped.get(w.nodeId);
    if (l) l.push(w);
    else grouped.set(w.nodeId, [w]);
  }
  const warnings = new Map<NodeId, readonly TelemetryWarning[]>();
  let changed = grouped.size !== previous.size;
  for (const [id, l] of grouped) {
    const old = previous.get(id);
    if (old && JSON.stringify(old) === JSON.stringify(l)) warnings.set(id, old);
    else {
      warnings.set(id, l);
      changed = true;
    }
  }
  if (!changed) return;
  const openWarning = overlayStore.getState().openWarning;
  overlayStore.setState({
    warnings,
    warningList: list,
    ...(openWarning !== undefined && !warnings.has(openWarning) ? { openWarning: undefined } : {}),
  });
}

export function publishOverlay(model: OverlayModel | undefined): void {
  if (overlayStore.getState().model !== model) overlayStore.setState({ model });
}

export function openWarningCard(nodeId: NodeId | undefined): void {
  overlayStore.setState({ openWarning: nodeId });
}

export function setWarningListOpen(open: boolean): void {
  overlayStore.setState({ listOpen: open });
}
