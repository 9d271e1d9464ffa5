/** Top bar: file commands (through the SHELL engineer's documentFiles), edit history, layout, blocks, help. */
import { useReactFlow } from '@xyflow/react';
import { useDocumentStore, documentStore } from './store/documentStore';
import { viewStore } from './store/viewStore';
import { autoLayoutCurrent } from './layout/applyLayout';
import { blockActions } from './canvas/blockActions';
import { openGraph, saveGraph, saveGraphAs } from './api/documentFiles';
import { openLessons } from './lessons/lessonStore';

function reportError(what: string) {
  return (error: unknown) => viewStore.getState().showToast(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}

export function Toolbar() {
  const canUndo = useDocumentStore((s) => s.past.length > 0);
  const canRedo = useDocumentStore((s) => s.future.length > 0);
  const name = useDocumentStore((s) => s.document.metadata.name);
  const filePath = useDocumentStore((s) => s.filePath);
  const dirty = useDocumentStore((s) => s.dirty);
  const hasSelection = useDocumentStore((s) => s.selection.length > 0);
  const flow = useReactFlow();
  const fileName = filePath?.split(/[\\/]/).pop() ?? name;
  return (
    <header className="toolbar" role="toolbar" aria-label="Main toolbar">
      <span className="brand">Neural Bricks</span>
      <button type="button" onClick={() => viewStore.getState().openDialog({ kind: 'templates' })} title="New graph from a template (Ctrl+N)">
        New
      </button>
      <button type="button" onClick={() => void openGraph().catch(reportError('Open'))} title="Open a .nbrick file">
        Open
      </button>
      <button type="button" onClick={() => void saveGraph().catch(reportError('Save'))} title="Save">
        Save
      </button>
      <button type="button" onClick={() => void saveGraphAs().catch(reportError('Save As'))} title="Save as a new file">
        Save As
      </button>
      <span className="sep" aria-hidden />
      <button type="button" onClick={documentStore.getState().undo} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">
        ↶
      </button>
      <button type="button" onClick={documentStore.getState().redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo">
        ↷
      </button>
      <span className="sep" aria-hidden />
      <button type="button" onClick={() => void autoLayoutCurrent()} title="Auto-layout left to right (Shift+L)" data-testid="auto-layout">
        Auto layout
      </button>
      <button type="button" onClick={() => void flow.fitView({ padding: 0.2, duration: 200 })} title="Fit graph in view (Shift+1)">
        Fit
      </button>
      <button type="button" onClick={() => blockActions.groupSelection()} disabled={!hasSelection} title="Group the selection into a block (Ctrl+G)">
        Group
      </button>
      <span className="sep" aria-hidden />
      <button type="button" onClick={() => openLessons()} title="Guided experiments: depth and skips, BatchNorm, dead ReLUs, normalizer-free" data-testid="open-lessons">
        Lessons
      </button>
      <span className="sep" aria-hidden />
      <span className="file-name" title={filePath ?? 'Not saved yet'} data-testid="file-name">
        {fileName}
        {dirty ? ' •' : ''}
      </span>
      <button type="button" onClick={() => viewStore.getState().openDialog({ kind: 'help' })} title="Keyboard shortcuts (?)" aria-label="Help">
        ?
      </button>
    </header>
  );
}
