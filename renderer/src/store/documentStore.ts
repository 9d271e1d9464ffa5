/**
 * The renderer's one store: the open graph document (single source of truth), its training config and runs,
 * file state, selection, and undo/redo history over every document change.
 *
 * React Flow nodes and edges are *derived* from `document` (see canvas/flowMapping.ts); they are never stored here.
 * Edits go through `edit(recipe)`, where a recipe is a pure `GraphDocument → GraphDocument` function, normally one of the
 * shared/document edit operations. A recipe that returns the same document is a no-op and records no history.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { emptyDocument, type EdgeId, type GraphDocument, type NodeId } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import { createGraphFile, type GraphFile } from '../../../shared/format/graphFileSchema';

/** What a file holds, as loaded by shared/format. */
export interface GraphFileContents {
  readonly graph: GraphDocument;
  readonly training?: TrainingConfig;
  readonly runs?: readonly RunSummary[];
}


export interface EditOptions {
  /**
   * Consecutive edits with the same key collapse into one undo step (a drag, typing into a number field).
   * Any edit with a different or no key, and any undo/redo, ends the run.
   */
  readonly coalesce?: string;
  /** Selection after the edit (e.g. the nodes just inserted). Defaults to the old selection minus removed nodes. */
  readonly select?: readonly NodeId[];
}

/** History is bounded so a long session cannot grow memory without limit. Snapshots share structure. */
export const HISTORY_LIMIT = 200;

export interface DocumentState {
  readonly document: GraphDocument;
  readonly training?: TrainingConfig;
  readonly runs: readonly RunSummary[];
  readonly filePath?: string;
  readonly dirty: boolean;
  readonly selection: readonly NodeId[];
  readonly edgeSelection: readonly EdgeId[];
  readonly past: readonly GraphDocument[];
  readonly future: readonly GraphDocument[];
  /** Key of the edit run currently being coalesced, if any. */
  readonly coalesceKey?: string;
  /** The last edit that could not be applied (an EditError from shared/document), for the UI to show. */
  readonly editError?: { readonly message: string; readonly count: number };
  /** Bumped by replaceFile, so the canvas knows to fit the new graph in view. */
  readonly loadCount: number;
  /** Document as last saved or loaded, to compute `dirty` after undo back to it. */
  readonly savedDocument: GraphDocument;

  replaceFile(file: GraphFileContents, filePath?: string): void;
  /**
   * Swaps the just-loaded document for a re-arranged copy (same graph, new positions) without an undo step or the
   * dirty mark: the file on disk is unchanged until saved. Ignored once anything else has happened since the load.
   */
  rearrangeLoaded(loaded: GraphDocument, arranged: GraphDocument): void;
  markSaved(filePath: string): void;
  /** The `.nbrick` envelope ready for shared/format's serializeGraphFile. */
  toFile(): GraphFile;
  addRun(summary: RunSummary): void;
  setTraining(config: TrainingConfig): void;

  edit(recipe: (doc: GraphDocument) => GraphDocument, options?: EditOptions): void;
  /** Closes a coalescing run (drag end, field blur) so the next edit becomes a new undo step. */
  endCoalesce(): void;
  undo(): void;
  redo(): void;

  select(nodeIds: readonly NodeId[], edgeIds?: readonly EdgeId[]): void;
}

function keepExisting(ids: readonly string[], existing: ReadonlySet<string>): readonly string[] {
  const kept = ids.filter((id) => existing.has(id));
  return kept.length === ids.length ? ids : kept;
}

function selectionFor(doc: GraphDocument, nodeIds: readonly NodeId[], edgeIds: readonly EdgeId[]) {
  return {
    selection: keepExisting(nodeIds, new Set(doc.nodes.map((n) => n.id))),
    edgeSelection: keepExisting(edgeIds, new Set(doc.edges.map((e) => e.id))),
  };
}

export function createDocumentStore(initial: GraphDocument = emptyDocument()): StoreApi<DocumentState> {
  return createStore<DocumentState>()((set, get) => ({
    document: initial,
    runs: [],
    dirty: false,
    selection: [],
    edgeSelection: [],
    past: [],
    future: [],
    savedDocument: initial,
    loadCount: 0,

    replaceFile(file, filePath) {
      set({
        document: file.graph,
        training: file.training,
        runs: file.runs ? [...file.runs] : [],
        filePath,
        dirty: false,
        selection: [],
        edgeSelection: [],
        past: [],
        future: [],
        coalesceKey: undefined,
        savedDocument: file.graph,
        loadCount: get().loadCount + 1,
      });
    },

    rearrangeLoaded(loaded, arranged) {
      const s = get();
      if (s.document !== loaded || s.savedDocument !== loaded || s.past.length > 0 || s.future.length > 0) return;
      set({ document: arranged, savedDocument: arranged });
    },

    markSaved(filePath) {
      set({ filePath, dirty: false, savedDocument: get().document });
    },

    toFile() {
      const { document, training, runs } = get();
      return createGraphFile(document, { ...(training ? { training } : {}), ...(runs.length > 0 ? { runs } : {}) });
    },

    addRun(summary) {
      set((s) => ({ runs: [...s.runs, summary], dirty: true }));
    },

    setTraining(config) {
      set({ training: config, dirty: true });
    },

    edit(recipe, options = {}) {
      const state = get();
      let next: GraphDocument;
      try {
        next = recipe(state.document);
      } catch (error) {
        // A refused edit leaves the document as it was; the message goes to the UI instead of an uncaught exception.
        const message = error instanceof Error ? error.message : String(error);
        set({ editError: { message, count: (state.editError?.count ?? 0) + 1 } });
        return;
      }
      if (next === state.document) return;
      const continuing = options.coalesce !== undefined && options.coalesce === state.coalesceKey;
      const past = continuing ? state.past : [...state.past, state.document].slice(-HISTORY_LIMIT);
      set({
        document: next,
        past,
        future: [],
        coalesceKey: options.coalesce,
        dirty: next !== state.savedDocument,
        ...selectionFor(next, options.select ?? state.selection, state.edgeSelection),
      });
    },

    endCoalesce() {
      if (get().coalesceKey !== undefined) set({ coalesceKey: undefined });
    },

    undo() {
      const state = get();
      const previous = state.past[state.past.length - 1];
      if (!previous) return;
      set({
        document: previous,
        past: state.past.slice(0, -1),
        future: [state.document, ...state.future],
        coalesceKey: undefined,
        dirty: previous !== state.savedDocument,
        ...selectionFor(previous, state.selection, state.edgeSelection),
      });
    },

    redo() {
      const state = get();
      const next = state.future[0];
      if (!next) return;
      set({
        document: next,
        past: [...state.past, state.document],
        future: state.future.slice(1),
        coalesceKey: undefined,
        dirty: next !== state.savedDocument,
        ...selectionFor(next, state.selection, state.edgeSelection),
      });
    },

    select(nodeIds, edgeIds = []) {
      const s = get();
      if (sameIds(s.selection, nodeIds) && sameIds(s.edgeSelection, edgeIds)) return;
      set(selectionFor(s.document, nodeIds, edgeIds));
    },
  }));
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The app's store instance. Tests create their own with `createDocumentStore()`. */
export const documentStore = createDocumentStore();

export function useDocumentStore<T>(selector: (state: DocumentState) => T): T {
  return useStore(documentStore, selector);
}
