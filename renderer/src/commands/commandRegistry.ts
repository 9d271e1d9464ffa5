/**
 * What each command of the shared catalog (shared/commands/commandCatalog.ts) does in the renderer, and when it is
 * enabled. The web menu bar, the toolbar, the keyboard shortcuts, the help overlay and the native menu's messages all
 * run commands through `runCommand`; the handlers change stores (document, view, training run) and never touch the DOM.
 */
import {
  COMMANDS,
  COMMAND_IDS,
  formatKey,
  type CommandId,
  type CommandInfo,
} from '../../../shared/commands/commandCatalog';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { documentStore } from '../store/documentStore';
import { sidePanelShown, viewStore, type LayoutDirection, type SideTab, type ThemeChoice } from '../store/viewStore';
import { canvasCommands } from '../canvas/canvasCommands';
import { clipboardCommands } from '../canvas/clipboardCommands';
import { blockActions } from '../canvas/blockActions';
import { autoLayoutCurrent } from '../layout/applyLayout';
import { openGraph, saveGraph, saveGraphAs } from '../api/documentFiles';
import { getLabApi } from '../api/getLabApi';
import { openLessons } from '../lessons/lessonStore';
import {
  canExportModel,
  pauseRun,
  resumeRun,
  startRun,
  stopRun,
  trainingRunStore,
  type RunStatus,
} from '../training/trainingRunStore';
import { exportChartsPngWhenShown, exportMetricsCsv, hasMetrics } from './trainingExports';
import { showChartsView } from '../insight/panel/insightPanelStore';
import { getCommandFlow } from './commandFlow';
import { isMac } from './host';

/** Everything `enabledWhen` and `checked` look at, read from the stores in one snapshot of plain values. */
export interface CommandState {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Selected nodes and edges. */
  readonly selectionCount: number;
  readonly selectedNodeCount: number;
  readonly nodeCount: number;
  readonly runStatus?: RunStatus;
  readonly canExportModel: boolean;
  readonly hasMetrics: boolean;
  readonly paletteCollapsed: boolean;
  readonly sidePanelCollapsed: boolean;
  readonly sideTab: SideTab;
  readonly theme: ThemeChoice;
  readonly layoutDirection: LayoutDirection;
}

export function readCommandState(): CommandState {
  const doc = documentStore.getState();
  const view = viewStore.getState();
  const run = trainingRunStore.getState().run;
  return {
    canUndo: doc.past.length > 0,
    canRedo: doc.future.length > 0,
    selectionCount: doc.selection.length + doc.edgeSelection.length,
    selectedNodeCount: doc.selection.length,
    nodeCount: doc.document.nodes.length,
    runStatus: run?.status,
    canExportModel: canExportModel(run),
    hasMetrics: hasMetrics(),
    paletteCollapsed: view.panels.palette.collapsed,
    // On screen, docked or over the canvas in a narrow window (not only the remembered wide-window choice).
    sidePanelCollapsed: !sidePanelShown(view),
    sideTab: view.sideTab,
    theme: view.theme,
    layoutDirection: view.layoutDirection,
  };
}

/** Where a command was started from: only the keyboard pastes at the cursor and stays quiet about a refusal. */
export type CommandSource = 'keyboard' | 'toolbar' | 'menubar' | 'nativeMenu' | 'help' | 'panel';

export interface CommandContext {
  readonly source: CommandSource;
  /** file.openRecent: the file the native menu picked. */
  readonly path?: string;
}

/** `true` when enabled, else why not (shown in the tooltip, and as a toast when a menu asks anyway). */
export type Enablement = true | string;

export interface CommandHandler {
  run(context: CommandContext): unknown;
  enabledWhen?(state: CommandState): Enablement;
  /** For toggles and choices: shown as a check mark in the menus. */
  checked?(state: CommandState): boolean;
  /** The native Edit menu in a text field edits the text: the `document.execCommand` name to use there. */
  readonly textCommand?: string;
}

const RUN_ACTIVE: readonly (RunStatus | undefined)[] = ['starting', 'running', 'paused'];

const needsSelection = (state: CommandState): Enablement => state.selectionCount > 0 || 'Nothing is selected.';
const needsSelectedNodes = (state: CommandState): Enablement => state.selectedNodeCount > 0 || 'Select one or more layers first.';
const needsNodes = (state: CommandState): Enablement => state.nodeCount > 0 || 'The graph is empty.';

function report(what: string) {
  return (error: unknown) => viewStore.getState().showToast(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}

function showSideTab(tab: SideTab): void {
  const view = viewStore.getState();
  view.setSideTab(tab);
  // Collapsed (wide window) or put away (narrow window, where it opens over the canvas): bring it back.
  if (!sidePanelShown(view)) view.togglePanel('side');
}

function setLayoutDirection(direction: LayoutDirection): Promise<void> {
  viewStore.getState().setLayoutDirection(direction);
  return autoLayoutCurrent().catch(report('Auto layout'));
}

function setTheme(theme: ThemeChoice): void {
  viewStore.getState().setTheme(theme);
}

/** Quick add opens at the pointer, or near the top of the canvas when the pointer is elsewhere. */
export function openQuickAdd(): void {
  const view = viewStore.getState();
  let screen = view.pointer;
  if (!screen) {
    const rect = document.querySelector('.canvas-region')?.getBoundingClientRect();
    screen = rect ? { x: rect.left + rect.width / 2 - 150, y: rect.top + rect.height / 3 } : { x: 200, y: 200 };
  }
  view.openDialog({ kind: 'quickAdd', screen });
}

export const COMMAND_HANDLERS: { readonly [Id in CommandId]: CommandHandler } = {
  'file.new': { run: () => viewStore.getState().openDialog({ kind: 'templates' }) },
  'file.newFromData': { run: () => viewStore.getState().openDialog({ kind: 'data' }) },
  'file.open': { run: () => openGraph().catch(report('Open')) },
  'file.import': { run: () => viewStore.getState().openDialog({ kind: 'import' }) },
  'file.openRecent': {
    run: ({ path }) => (path ? openGraph(path).catch(report('Open')) : viewStore.getState().showToast('Open Recent: no file named.')),
  },
  'file.save': { run: () => saveGraph().catch(report('Save')) },
  'file.saveAs': { run: () => saveGraphAs().catch(report('Save As')) },
  'file.export': {
    enabledWhen: needsNodes,
    run: () => viewStore.getState().openDialog({ kind: 'export' }),
  },
  'file.exportModel': {
    enabledWhen: (s) => s.canExportModel || 'Finish or stop a training run first.',
    // File → Export… with the last run's weights and TF.js chosen (one export dialog for every format).
    run: () => {
      const run = trainingRunStore.getState().run;
      viewStore.getState().openDialog({ kind: 'export', format: 'tfjs', ...(run?.runId && canExportModel(run) ? { runId: run.runId } : {}) });
    },
  },
  'file.exportCsv': {
    enabledWhen: (s) => s.hasMetrics || 'Nothing to export yet: train first.',
    run: () => exportMetricsCsv(),
  },
  'file.exportPng': {
    enabledWhen: (s) => s.hasMetrics || 'Nothing to export yet: train first.',
    run: async () => {
      // The charts are drawn by the Training panel's Charts view: show it, then export once they are mounted and drawn.
      showSideTab('training');
      showChartsView('charts');
      if ((await exportChartsPngWhenShown()) === 0) viewStore.getState().showToast('Charts as PNG: no chart has data to export yet.');
    },
  },

  'edit.undo': { textCommand: 'undo', enabledWhen: (s) => s.canUndo || 'Nothing to undo.', run: () => documentStore.getState().undo() },
  'edit.redo': { textCommand: 'redo', enabledWhen: (s) => s.canRedo || 'Nothing to redo.', run: () => documentStore.getState().redo() },
  'edit.cut': { textCommand: 'cut', enabledWhen: needsSelectedNodes, run: () => clipboardCommands.cut() },
  'edit.copy': { textCommand: 'copy', enabledWhen: needsSelectedNodes, run: () => clipboardCommands.copy() },
  'edit.paste': {
    textCommand: 'paste',
    run: ({ source }) => clipboardCommands.paste(source === 'keyboard' && viewStore.getState().pointer !== undefined),
  },
  'edit.duplicate': { enabledWhen: needsSelectedNodes, run: () => clipboardCommands.duplicate() },
  'edit.delete': { textCommand: 'delete', enabledWhen: needsSelection, run: () => canvasCommands.deleteSelection() },
  'edit.selectAll': { textCommand: 'selectAll', enabledWhen: needsNodes, run: () => canvasCommands.selectAll() },
  'edit.selectNone': { enabledWhen: needsSelection, run: () => documentStore.getState().select([], []) },
  'edit.group': { enabledWhen: needsSelectedNodes, run: () => blockActions.groupSelection() },
  'edit.quickAdd': { run: () => openQuickAdd() },

  'view.zoomIn': { run: () => getCommandFlow()?.zoomIn({ duration: 150 }) },
  'view.zoomOut': { run: () => getCommandFlow()?.zoomOut({ duration: 150 }) },
  'view.fit': { run: () => getCommandFlow()?.fitView({ padding: 0.2, duration: 200 }) },
  'view.togglePalette': { checked: (s) => !s.paletteCollapsed, run: () => viewStore.getState().togglePanel('palette') },
  'view.toggleSidePanel': { checked: (s) => !s.sidePanelCollapsed, run: () => viewStore.getState().togglePanel('side') },
  'view.showInspector': { checked: (s) => !s.sidePanelCollapsed && s.sideTab === 'inspector', run: () => showSideTab('inspector') },
  'view.showTraining': { checked: (s) => !s.sidePanelCollapsed && s.sideTab === 'training', run: () => showSideTab('training') },
  'view.theme.system': { checked: (s) => s.theme === 'system', run: () => setTheme('system') },
  'view.theme.light': { checked: (s) => s.theme === 'light', run: () => setTheme('light') },
  'view.theme.dark': { checked: (s) => s.theme === 'dark', run: () => setTheme('dark') },

  'layout.auto': { enabledWhen: needsNodes, run: () => autoLayoutCurrent().catch(report('Auto layout')) },
  'layout.direction.down': { checked: (s) => s.layoutDirection === 'DOWN', run: () => setLayoutDirection('DOWN') },
  'layout.direction.right': { checked: (s) => s.layoutDirection === 'RIGHT', run: () => setLayoutDirection('RIGHT') },

  'train.start': {
    enabledWhen: (s) => !RUN_ACTIVE.includes(s.runStatus) || 'A run is already in progress.',
    run: () => {
      showSideTab('training');
      const { document, training } = documentStore.getState();
      return startRun(getLabApi(), document, training ?? DEFAULT_TRAINING_CONFIG);
    },
  },
  'train.pause': {
    enabledWhen: (s) => s.runStatus === 'running' || s.runStatus === 'paused' || 'No run is training.',
    run: () => {
      const run = trainingRunStore.getState().run;
      if (!run?.runId) return;
      if (run.status === 'running') return pauseRun(getLabApi(), run.runId);
      if (run.status === 'paused') return resumeRun(getLabApi(), run.runId);
    },
  },
  'train.stop': {
    enabledWhen: (s) => RUN_ACTIVE.includes(s.runStatus) || 'No run is training.',
    run: () => {
      const run = trainingRunStore.getState().run;
      if (run?.runId) return stopRun(getLabApi(), run.runId);
    },
  },
  'lessons.open': { run: () => openLessons() },

  'help.shortcuts': { run: () => viewStore.getState().openDialog({ kind: 'help' }) },
  'help.about': { run: () => viewStore.getState().showToast('Neural Bricks — build networks like Lego, watch them learn.') },
};

export function commandEnablement(id: CommandId, state: CommandState = readCommandState()): Enablement {
  return COMMAND_HANDLERS[id].enabledWhen?.(state) ?? true;
}

/** In a text field the native Edit menu must edit the text, not the graph. */
function editingText(): boolean {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement) return true;
  return el instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'range'].includes(el.type);
}

/**
 * Runs a command if it is enabled. A disabled one asked for from a menu says why in a toast; from the keyboard it is
 * ignored quietly (Ctrl+Z with nothing to undo is not news). Returns whether it ran.
 */
export function runCommand(id: CommandId, context: CommandContext): boolean {
  const handler = COMMAND_HANDLERS[id];
  if (context.source === 'nativeMenu' && handler.textCommand && editingText()) {
    document.execCommand(handler.textCommand);
    return true;
  }
  const enabled = commandEnablement(id);
  if (enabled !== true) {
    if (context.source !== 'keyboard') viewStore.getState().showToast(`${COMMANDS[id].label}: ${enabled}`);
    return false;
  }
  const result = handler.run(context);
  if (result instanceof Promise) void result.catch(report(COMMANDS[id].label));
  return true;
}

/** The catalog entry with its keys as a plain array (the `as const` catalog has no `keys` on some entries). */
export function commandKeys(id: CommandId): readonly string[] {
  const info: CommandInfo = COMMANDS[id];
  return info.keys ?? [];
}

/** The first shortcut as people read it on this platform (`Ctrl+Z`, `⌘Z`), if the command has one. */
export function commandShortcut(id: CommandId): string | undefined {
  const key = commandKeys(id)[0];
  return key === undefined ? undefined : formatKey(key, isMac());
}

/** "Undo (Ctrl+Z)": the label with the first shortcut, for tooltips. */
export function commandTitle(id: CommandId): string {
  const key = commandShortcut(id);
  return key ? `${COMMANDS[id].label} (${key})` : COMMANDS[id].label;
}

/** Commands people can run from the page (the native-only ones need main). */
export const PAGE_COMMAND_IDS: readonly CommandId[] = COMMAND_IDS.filter((id) => !(COMMANDS[id] as CommandInfo).nativeOnly);
