/** Global keyboard shortcuts (listed in dialogs/shortcutList.ts). Typing in a field never triggers them. */
import { useEffect } from 'react';
import { useReactFlow } from '@xyflow/react';
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { canvasCommands } from '../canvas/canvasCommands';
import { clipboardCommands } from '../canvas/clipboardCommands';
import { blockActions } from '../canvas/blockActions';
import { autoLayoutCurrent } from '../layout/applyLayout';
import { openGraph, saveGraph, saveGraphAs } from '../api/documentFiles';

function reportFailure(what: string) {
  return (error: unknown) => viewStore.getState().showToast(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(target.type);
  return false;
}

export function useShortcuts(): void {
  const flow = useReactFlow();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const view = viewStore.getState();
      if (view.dialog) return;
      if (isTyping(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const store = documentStore.getState();
      const run = (action: () => void) => {
        e.preventDefault();
        action();
      };
      if (mod && !e.altKey) {
        // In Electron the native menu owns these accelerators; in a browser tab they would save the web page.
        if (!window.neuralBricks && (key === 's' || key === 'o')) {
          if (key === 'o') return run(() => void openGraph().catch(reportFailure('Open')));
          return run(() => void (e.shiftKey ? saveGraphAs() : saveGraph()).catch(reportFailure('Save')));
        }
        if (key === 'z' && !e.shiftKey) return run(store.undo);
        if ((key === 'z' && e.shiftKey) || key === 'y') return run(store.redo);
        if (key === 'c') return run(() => clipboardCommands.copy());
        if (key === 'x') return run(() => clipboardCommands.cut());
        if (key === 'v') return run(() => clipboardCommands.paste(view.pointer !== undefined));
        if (key === 'd') return run(() => clipboardCommands.duplicate());
        if (key === 'a') return run(() => canvasCommands.selectAll());
        if (key === 'g') return run(() => blockActions.groupSelection());
        if (key === 'k') return run(() => openQuickAdd());
        if (key === 'n') return run(() => view.openDialog({ kind: 'templates' }));
        return;
      }
      if (e.altKey) return;
      if (e.key === 'Delete' || e.key === 'Backspace') return run(() => canvasCommands.deleteSelection());
      if (e.key === ' ' || e.code === 'Space') {
        // Buttons use Space to click; keep that when one has focus.
        if (e.target instanceof HTMLButtonElement) return;
        return run(() => openQuickAdd());
      }
      if (e.key === '?') return run(() => view.openDialog({ kind: 'help' }));
      if (e.key === 'Escape') return run(() => store.select([], []));
      if (e.shiftKey && key === 'l') return run(() => void autoLayoutCurrent());
      if (e.shiftKey && (e.key === '!' || e.code === 'Digit1')) return run(() => void flow.fitView({ padding: 0.2, duration: 200 }));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [flow]);
}

export function openQuickAdd(): void {
  const view = viewStore.getState();
  let screen = view.pointer;
  if (!screen) {
    const rect = document.querySelector('.canvas-region')?.getBoundingClientRect();
    screen = rect ? { x: rect.left + rect.width / 2 - 150, y: rect.top + rect.height / 3 } : { x: 200, y: 200 };
  }
  view.openDialog({ kind: 'quickAdd', screen });
}
