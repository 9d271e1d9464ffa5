/**
 * Canvas view state that is not part of the document and not undoable: measured node sizes (React Flow needs them
 * back on every node it is given), the hint shown while dragging a connection, the last cursor position in flow
 * coordinates (quick-add inserts there), and transient messages.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Size } from '../canvas/flowMapping';

export interface ViewState {
  readonly measured: ReadonlyMap<string, Size>;
  readonly connectionHint?: { readonly ok: boolean; readonly message: string };
  readonly cursor: { readonly x: number; readonly y: number };
  /** Last pointer position over the canvas in screen coordinates, and whether it is still there. */
  readonly pointer?: { readonly x: number; readonly y: number };
  readonly toast?: string;
  /** The modal dialog open, if any. */
  readonly dialog?: Dialog;
  setMeasured(sizes: ReadonlyMap<string, Size>): void;
  setConnectionHint(hint: ViewState['connectionHint']): void;
  setCursor(p: { x: number; y: number }, screen?: { x: number; y: number }): void;
  showToast(message: string): void;
  openDialog(dialog: Dialog | undefined): void;
  /** Bumped to ask the canvas to fit the graph in view (after a layout, say). */
  readonly fitRequests: number;
  requestFit(): void;
}

export type Dialog =
  | { readonly kind: 'help' }
  | { readonly kind: 'templates' }
  | { readonly kind: 'quickAdd'; readonly screen: { readonly x: number; readonly y: number } }
  | { readonly kind: 'repeat'; readonly groupId: string };

let toastTimer: ReturnType<typeof setTimeout> | undefined;

export const viewStore = createStore<ViewState>()((set, get) => ({
  measured: new Map(),
  cursor: { x: 0, y: 0 },
  setMeasured(sizes) {
    const current = get().measured;
    let changed = false;
    for (const [id, size] of sizes) {
      const old = current.get(id);
      if (!old || old.width !== size.width || old.height !== size.height) changed = true;
    }
    if (!changed) return;
    const next = new Map(current);
    for (const [id, size] of sizes) next.set(id, size);
    set({ measured: next });
  },
  setConnectionHint(hint) {
    const old = get().connectionHint;
    if (old?.ok === hint?.ok && old?.message === hint?.message) return;
    set({ connectionHint: hint });
  },
  setCursor(p, screen) {
    set({ cursor: p, pointer: screen });
  },
  showToast(message) {
    set({ toast: message });
    if (toastTimer) clearTimeout(toastTimer);
    toastTimer = setTimeout(() => set({ toast: undefined }), 2600);
  },
  openDialog(dialog) {
    set({ dialog });
  },
  fitRequests: 0,
  requestFit() {
    set({ fitRequests: get().fitRequests + 1 });
  },
}));

export function useViewStore<T>(selector: (state: ViewState) => T): T {
  return useStore(viewStore, selector);
}
