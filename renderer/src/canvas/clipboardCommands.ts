/**
 * Cut / copy / paste / duplicate of the selection, keeping the edges inside it. The fragment is kept in memory and
 * also written to the system clipboard as JSON (best effort), so it can be pasted into another window.
 */
import { duplicateSubgraph, extractSubgraph, pasteFragment, removeNodes } from '../../../shared/document';
import type { GraphFragment } from '../../../shared/document';
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { loadGraphFileValue } from '../../../shared/format/loadGraphFile';
import { CURRENT_FORMAT_VERSION, GRAPH_FILE_FORMAT } from '../../../shared/format/graphFileSchema';

const CLIPBOARD_KIND = 'neural-bricks/fragment';
let clipboard: GraphFragment | undefined;
let pasteCount = 0;

function writeSystemClipboard(fragment: GraphFragment): void {
  try {
    void navigator.clipboard?.writeText(JSON.stringify({ kind: CLIPBOARD_KIND, fragment })).catch(() => undefined);
  } catch {
    // Not allowed here (no focus, no permission): the in-memory copy still works.
  }
}

async function readSystemClipboard(): Promise<GraphFragment | undefined> {
  try {
    const text = await navigator.clipboard?.readText();
    if (!text) return undefined;
    const value = JSON.parse(text) as { kind?: unknown; fragment?: GraphFragment };
    const f = value.fragment;
    if (value.kind !== CLIPBOARD_KIND || !f || !Array.isArray(f.nodes) || !Array.isArray(f.edges) || !Array.isArray(f.groups)) return undefined;
    // Through the same validation as a file, so a crafted clipboard cannot put bad data in the document.
    const checked = loadGraphFileValue({
      format: GRAPH_FILE_FORMAT,
      formatVersion: CURRENT_FORMAT_VERSION,
      graph: { metadata: { name: 'clipboard' }, nodes: f.nodes, edges: f.edges, groups: f.groups },
    });
    return checked.ok ? { nodes: checked.file.graph.nodes, edges: checked.file.graph.edges, groups: checked.file.graph.groups } : undefined;
  } catch {
    return undefined;
  }
}

export const clipboardCommands = {
  copy(): boolean {
    const { document, selection } = documentStore.getState();
    if (selection.length === 0) return false;
    clipboard = extractSubgraph(document, selection);
    pasteCount = 0;
    writeSystemClipboard(clipboard);
    return true;
  },
  cut(): void {
    if (!this.copy()) return;
    const { selection } = documentStore.getState();
    documentStore.getState().edit((d) => removeNodes(d, selection), { select: [] });
  },
  /**
   * Pastes at the cursor when it is over the canvas, else next to the originals. With nothing copied in this
   * window, a fragment on the system clipboard (copied in another window) is used.
   */
  paste(atCursor: boolean): void {
    if (!clipboard || clipboard.nodes.length === 0) {
      void readSystemClipboard().then((fragment) => {
        if (!fragment) return;
        clipboard = fragment;
        pasteCount = 0;
        this.paste(atCursor);
      });
      return;
    }
    const fragment = clipboard;
    pasteCount++;
    let offset = { x: 32 * pasteCount, y: 32 * pasteCount };
    if (atCursor) {
      const cursor = viewStore.getState().cursor;
      const minX = Math.min(...fragment.nodes.map((n) => n.position.x));
      const minY = Math.min(...fragment.nodes.map((n) => n.position.y));
      offset = { x: Math.round((cursor.x - minX) / 16) * 16, y: Math.round((cursor.y - minY) / 16) * 16 };
    }
    const state = documentStore.getState();
    const result = pasteFragment(state.document, fragment, offset);
    state.edit(() => result.document, { select: result.newNodeIds });
  },
  duplicate(): void {
    const state = documentStore.getState();
    if (state.selection.length === 0) return;
    const result = duplicateSubgraph(state.document, state.selection, { x: 32, y: 32 });
    state.edit(() => result.document, { select: result.newNodeIds });
  },
};
