/**
 * Open / Save / Save As for the document store, over whichever LabApi transport this page has.
 * Toolbars, shortcuts and native menus all call these, so the rules live in one place: a read-only template saves
 * through Save As, unsaved changes are confirmed before they are replaced, the host always knows the current
 * document (window title, autosave, close prompt).
 */
import type { OpenedFile, SavedFile } from '../../../shared/contracts/api';
import { documentStore } from '../store/documentStore';
import { getLabApi } from './getLabApi';
import { setCheckpointReports } from '../evaluation/checkpointReports';

function fileName(path: string | undefined): string | undefined {
  return path?.split(/[\\/]/).pop();
}

/** True when it is fine to replace the current document (nothing unsaved, or the user said so). */
export function confirmDiscardChanges(): boolean {
  return !documentStore.getState().dirty || window.confirm('Discard unsaved changes to this graph?');
}

export function loadOpenedFile(opened: OpenedFile): void {
  // A template has nowhere to be saved back to: leaving filePath empty makes Save ask for a name.
  documentStore.getState().replaceFile(opened.file, opened.readOnly || opened.path === null ? undefined : opened.path);
  setCheckpointReports(opened.checkpoints);
}

/** Opens a graph (asking the user when no path is given). Resolves false when cancelled. */
export async function openGraph(path?: string): Promise<boolean> {
  if (!confirmDiscardChanges()) return false;
  const opened = await getLabApi().openFile(path === undefined ? {} : { path });
  if (!opened) return false;
  loadOpenedFile(opened);
  return true;
}

/**
 * Remembers what had the keyboard focus before a file dialog; the returned function puts it back once the dialog is
 * gone (the dialog's own close leaves the focus on the page body), or on the canvas when that element has gone.
 */
function keepFocus(): () => void {
  if (typeof document === 'undefined') return () => {};
  const before = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  return () => {
    const now = document.activeElement;
    if (now instanceof HTMLElement && now !== document.body) return; // something took the focus on purpose
    if (before?.isConnected) {
      before.focus({ preventScroll: true });
      return;
    }
    const node = document.querySelector<HTMLElement>('.react-flow__node.selected') ?? document.querySelector<HTMLElement>('.react-flow__node');
    const canvas = node ?? document.querySelector<HTMLElement>('[data-testid="canvas"] .react-flow');
    if (canvas && !node && !canvas.hasAttribute('tabindex')) canvas.tabIndex = -1;
    canvas?.focus({ preventScroll: true });
  };
}

export async function saveGraphAs(): Promise<boolean> {
  const restoreFocus = keepFocus();
  try {
    return await saveAs();
  } finally {
    restoreFocus();
  }
}

async function saveAs(): Promise<boolean> {
  const state = documentStore.getState();
  const suggestedName = fileName(state.filePath) ?? state.document.metadata.name;
  // The file it came from: the host copies its runs' kept models (`<file>-runs/`) beside the new one.
  const source = state.filePath ? { source: state.filePath } : {};
  const saved = await getLabApi().saveFileAs({ file: state.toFile(), suggestedName, ...source });
  if (!saved) return false;
  documentStore.getState().markSaved(saved.path, state);
  showSavedCheckpoints(saved);
  return true;
}

export async function saveGraph(): Promise<boolean> {
  const state = documentStore.getState();
  if (!state.filePath) return saveGraphAs();
  const saved = await getLabApi().saveFile({ file: state.toFile(), path: state.filePath });
  // `state` is what was written: edits made while the save was on its way stay unsaved.
  documentStore.getState().markSaved(saved.path, state);
  showSavedCheckpoints(saved);
  return true;
}

/** A save reports the runs' kept weights as the saved file now has them (a run pruned by it reads "missing"). */
function showSavedCheckpoints(saved: SavedFile): void {
  if (saved.checkpoints) setCheckpointReports(saved.checkpoints);
}

/**
 * Keeps the host informed of the document (debounced) and loads files the host opens on its own (double-clicked
 * .nbrick, native Open Recent). Returns a function that stops both.
 */
export function startDocumentSync(delayMs = 400): () => void {
  const api = getLabApi();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const report = () => {
    timer = undefined;
    const state = documentStore.getState();
    api
      .reportDocumentState({ file: state.toFile(), path: state.filePath ?? null, dirty: state.dirty })
      .catch((error: unknown) => console.warn('Could not report the document to the host:', error));
  };
  const unsubscribeStore = documentStore.subscribe((state, previous) => {
    if (
      state.document === previous.document &&
      state.dirty === previous.dirty &&
      state.filePath === previous.filePath &&
      state.runs === previous.runs &&
      state.training === previous.training
    ) {
      return;
    }
    if (timer === undefined) timer = setTimeout(report, delayMs);
  });
  const unsubscribeOpened = api.onOpenedFile((opened) => {
    if (confirmDiscardChanges()) loadOpenedFile(opened);
  });
  report();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    unsubscribeStore();
    unsubscribeOpened();
  };
}
