/**
 * The renderer's one store: the open graph document (single source of truth), its training config and runs,
 * file state, selection, and undo/redo history over every document change.
 *
 * React Flow nodes and edges are *derived* from `document` (see canvas/flowMapping.ts); they are never stored here.
 * Edits go through `edit(recipe)`, where a recipe is a pure `GraphDocument → GraphDocument` function, normally one of the
 * shared/document edit operations. A recipe that returns the same document is a no-op and records no history.
 *
 * `dirty` covers the whole file (graph, training config, run history), not only the graph: it is the difference
 * between the current content and the content last saved or loaded (see fileContentDiffers).
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

/**
 * The parts of the state that are written to the `.nbrick` file. Saving remembers the objects it serialized; since
 * every change makes new objects and undo restores the old ones, comparing against them is exact and cheap.
 */
export interface FileContent {
  readonly document: GraphDocument;
  readonly training?: TrainingConfig;
  readonly runs: readonly RunSummary[];
}

/**
 * True when `current` would not save as `saved` (null: nothing saved yet, e.g. a restored crash copy). The graph is
 * compared by identity: an undo back to the saved graph is clean, an equal graph rebuilt by other edits counts as a
 * change (never the other way round). The training config is small and compared by value; runs are only appended.
 */
export function fileContentDiffers(current: FileContent, saved: FileContent | null): boolean {
  if (!saved) return true;
  return (
    current.document !== saved.document ||
    !sameTrainingConfig(current.training, saved.training) ||
    current.runs.length !== saved.runs.length ||
    current.runs.some((run, i) => run !== saved.runs[i])
  );
}

function sameTrainingConfig(a: TrainingConfig | undefined, b: TrainingConfig | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof TrainingConfig)[]);
  return [...keys].every((key) => a[key] === b[key]);
}

export interface ReplaceFileOptions {
  /** The contents were never saved under this path (a restored crash copy): dirty until the user saves. */
  readonly unsaved?: boolean;
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

/** A training-config change recorded in the undo history (beside the document snapshot of the same step). */
export interface TrainingSwap {
  readonly before: TrainingConfig | undefined;
  readonly after: TrainingConfig;
}

export interface DocumentState {
  readonly document: GraphDocument;
  readonly training?: TrainingConfig;
  readonly runs: readonly RunSummary[];
  readonly filePath?: string;
  /** The file content differs from what was last saved or loaded. */
  readonly dirty: boolean;
  /** Bumped by every change to the file content (graph, training config, runs), undo and redo included. */
  readonly revision: number;
  readonly selection: readonly NodeId[];
  readonly edgeSelection: readonly EdgeId[];
  readonly past: readonly GraphDocument[];
  readonly future: readonly GraphDocument[];
  /** Aligned with `past` / `future`: the training change of that step, undefined for a graph-only step. */
  readonly pastTraining: readonly (TrainingSwap | undefined)[];
  readonly futureTraining: readonly (TrainingSwap | undefined)[];
  /** Key of the edit run currently being coalesced, if any. */
  readonly coalesceKey?: string;
  /** The last edit that could not be applied (an EditError from shared/document), for the UI to show. */
  readonly editError?: { readonly message: string; readonly count: number };
  /** Bumped by replaceFile, so the canvas knows to fit the new graph in view. */
  readonly loadCount: number;
  /** File content as last saved or loaded, to compute `dirty`; null when this content was never saved. */
  readonly saved: FileContent | null;

  replaceFile(file: GraphFileContents, filePath?: string, options?: ReplaceFileOptions): void;
  /**
   * Swaps the just-loaded document for a re-arranged copy (same graph, new positions) without an undo step or the
   * dirty mark: the file on disk is unchanged until saved. Ignored once anything else has happened since the load.
   */
  rearrangeLoaded(loaded: GraphDocument, arranged: GraphDocument): void;
  /**
   * `content` is what was written (the state `toFile()` was called on): an edit made while the save was on its way
   * stays unsaved.
   */
  markSaved(filePath: string, content: FileContent): void;
  /** The `.nbrick` envelope ready for shared/format's serializeGraphFile. */
  toFile(): GraphFile;
  addRun(summary: RunSummary): void;
  setTraining(config: TrainingConfig): void;
  /** A training-config change as one undo step (a suggested fix), unlike setTraining's field edits. */
  editTraining(config: TrainingConfig): void;

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

/** The fields a change of file content sets besides the content itself. */
function contentChanged(state: DocumentState, next: Partial<FileContent>) {
  const content: FileContent = {
    document: next.document ?? state.document,
    training: 'training' in next ? next.training : state.training,
    runs: next.runs ?? state.runs,
  };
  return { revision: state.revision + 1, dirty: fileContentDiffers(content, state.saved) };
}

export function createDocumentStore(initial: GraphDocument = emptyDocument()): StoreApi<DocumentState> {
  return createStore<DocumentState>()((set, get) => ({
    document: initial,
    runs: [],
    dirty: false,
    revision: 0,
    selection: [],
    edgeSelection: [],
    past: [],
    future: [],
    pastTraining: [],
    futureTraining: [],
    saved: { document: initial, runs: [] },
    loadCount: 0,

    replaceFile(file, filePath, options = {}) {
      const content: FileContent = { document: file.graph, training: file.training, runs: file.runs ? [...file.runs] : [] };
      set({
        ...content,
        filePath,
        dirty: options.unsaved === true,
        revision: get().revision + 1,
        selection: [],
        edgeSelection: [],
        past: [],
        future: [],
        pastTraining: [],
        futureTraining: [],
        coalesceKey: undefined,
        saved: options.unsaved ? null : content,
        loadCount: get().loadCount + 1,
      });
    },

    rearrangeLoaded(loaded, arranged) {
      const s = get();
      if (s.document !== loaded || s.saved?.document !== loaded || s.past.length > 0 || s.future.length > 0) return;
      set({ document: arranged, saved: { ...s.saved, document: arranged } });
    },

    markSaved(filePath, content) {
      const saved: FileContent = { document: content.document, training: content.training, runs: content.runs };
      set({ filePath, saved, dirty: fileContentDiffers(get(), saved) });
    },

    toFile() {
      const { document, training, runs } = get();
      return createGraphFile(document, { ...(training ? { training } : {}), ...(runs.length > 0 ? { runs } : {}) });
    },

    addRun(summary) {
      const runs = [...get().runs, summary];
      set({ runs, ...contentChanged(get(), { runs }) });
    },

    setTraining(config) {
      set({ training: config, ...contentChanged(get(), { training: config }) });
    },

    editTraining(config) {
      const state = get();
      if (sameTrainingConfig(state.training, config)) return;
      set({
        training: config,
        past: [...state.past, state.document].slice(-HISTORY_LIMIT),
        pastTraining: [...aligned(state.pastTraining, state.past.length), { before: state.training, after: config }].slice(-HISTORY_LIMIT),
        future: [],
        futureTraining: [],
        coalesceKey: undefined,
        ...contentChanged(state, { training: config }),
      });
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
      const pastTraining = continuing ? state.pastTraining : [...aligned(state.pastTraining, state.past.length), undefined].slice(-HISTORY_LIMIT);
      set({
        document: next,
        past,
        pastTraining,
        future: [],
        futureTraining: [],
        coalesceKey: options.coalesce,
        ...contentChanged(state, { document: next }),
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
      const swap = state.pastTraining[state.past.length - 1];
      const training = swap ? swap.before : state.training;
      set({
        document: previous,
        training,
        past: state.past.slice(0, -1),
        future: [state.document, ...state.future],
        pastTraining: aligned(state.pastTraining, state.past.length - 1),
        futureTraining: [swap, ...aligned(state.futureTraining, state.future.length)],
        coalesceKey: undefined,
        ...contentChanged(state, { document: previous, training }),
        ...selectionFor(previous, state.selection, state.edgeSelection),
      });
    },

    redo() {
      const state = get();
      const next = state.future[0];
      if (!next) return;
      const swap = state.futureTraining[0];
      const training = swap ? swap.after : state.training;
      set({
        document: next,
        training,
        past: [...state.past, state.document],
        future: state.future.slice(1),
        pastTraining: [...aligned(state.pastTraining, state.past.length), swap],
        futureTraining: aligned(state.futureTraining, state.future.length).slice(1),
        coalesceKey: undefined,
        ...contentChanged(state, { document: next, training }),
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

/** `list` cut or padded (with graph-only steps) to `length`, so it stays aligned with its document history. */
function aligned<T>(list: readonly (T | undefined)[], length: number): readonly (T | undefined)[] {
  if (list.length === length) return list;
  return list.length > length ? list.slice(0, length) : [...list, ...new Array<undefined>(length - list.length)];
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The app's store instance. Tests create their own with `createDocumentStore()`. */
export const documentStore = createDocumentStore();

export function useDocumentStore<T>(selector: (state: DocumentState) => T): T {
  return useStore(documentStore, selector);
}
