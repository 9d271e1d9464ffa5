import { beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_IDS, type CommandId } from '../../../shared/commands/commandCatalog';
import { documentStore } from '../store/documentStore';
import { sidePanelShown, viewStore } from '../store/viewStore';
import { COMMAND_HANDLERS, PAGE_COMMAND_IDS, commandEnablement, commandTitle, readCommandState, runCommand, type CommandState } from './commandRegistry';

/** A state where everything is possible: a graph with a selection, history both ways, a finished run. */
const READY: CommandState = {
  canUndo: true,
  canRedo: true,
  selectionCount: 2,
  selectedNodeCount: 1,
  nodeCount: 3,
  runStatus: 'completed',
  canExportModel: true,
  hasMetrics: true,
  paletteCollapsed: false,
  sidePanelCollapsed: false,
  sideTab: 'inspector',
  theme: 'system',
  layoutDirection: 'DOWN',
};

const EMPTY: CommandState = {
  ...READY,
  canUndo: false,
  canRedo: false,
  selectionCount: 0,
  selectedNodeCount: 0,
  nodeCount: 0,
  runStatus: undefined,
  canExportModel: false,
  hasMetrics: false,
};

const enabled = (id: CommandId, state: CommandState) => commandEnablement(id, state);

describe('command registry', () => {
  it('has a handler for every command of the catalog, and nothing else', () => {
    expect(Object.keys(COMMAND_HANDLERS).sort()).toEqual([...COMMAND_IDS].sort());
    for (const id of COMMAND_IDS) expect(typeof COMMAND_HANDLERS[id].run, id).toBe('function');
    expect(PAGE_COMMAND_IDS).not.toContain('file.openRecent');
    expect(PAGE_COMMAND_IDS).toContain('edit.undo');
  });

  it('enables every command when everything is possible and no run is going', () => {
    for (const id of COMMAND_IDS) {
      if (id === 'train.pause' || id === 'train.stop') continue;
      expect(enabled(id, READY), id).toBe(true);
    }
  });

  it('says why a command is disabled', () => {
    expect(enabled('edit.undo', EMPTY)).toBe('Nothing to undo.');
    expect(enabled('edit.redo', EMPTY)).toBe('Nothing to redo.');
    expect(enabled('edit.delete', EMPTY)).toBe('Nothing is selected.');
    // An edge alone can be deleted, but not copied or grouped.
    const edgeOnly = { ...EMPTY, selectionCount: 1, nodeCount: 2 };
    expect(enabled('edit.delete', edgeOnly)).toBe(true);
    expect(enabled('edit.copy', edgeOnly)).toBe('Select one or more layers first.');
    expect(enabled('edit.group', edgeOnly)).toBe('Select one or more layers first.');
    expect(enabled('edit.selectAll', EMPTY)).toBe('The graph is empty.');
    expect(enabled('layout.auto', EMPTY)).toBe('The graph is empty.');
    expect(enabled('file.exportModel', EMPTY)).toBe('Finish or stop a training run first.');
    expect(enabled('file.exportCsv', EMPTY)).toBe('Nothing to export yet: train first.');
    expect(enabled('file.exportPng', EMPTY)).toBe('Nothing to export yet: train first.');
    // Commands that are always possible.
    for (const id of ['file.new', 'file.open', 'file.save', 'edit.paste', 'edit.quickAdd', 'view.fit', 'help.shortcuts'] as const) {
      expect(enabled(id, EMPTY), id).toBe(true);
    }
  });

  it('follows the training run: one run at a time, pause and stop only while it trains', () => {
    const running = { ...READY, runStatus: 'running' as const };
    expect(enabled('train.start', running)).toBe('A run is already in progress.');
    expect(enabled('train.pause', running)).toBe(true);
    expect(enabled('train.stop', running)).toBe(true);
    const paused = { ...READY, runStatus: 'paused' as const };
    expect(enabled('train.pause', paused)).toBe(true);
    expect(enabled('train.stop', paused)).toBe(true);
    for (const status of [undefined, 'completed', 'stopped', 'failed'] as const) {
      const state = { ...READY, runStatus: status };
      expect(enabled('train.start', state), String(status)).toBe(true);
      expect(enabled('train.pause', state), String(status)).toBe('No run is training.');
      expect(enabled('train.stop', state), String(status)).toBe('No run is training.');
    }
  });

  it('checks the toggles and choices that are on', () => {
    const checked = (id: CommandId, state: CommandState) => COMMAND_HANDLERS[id].checked?.(state);
    expect(checked('view.togglePalette', READY)).toBe(true);
    expect(checked('view.togglePalette', { ...READY, paletteCollapsed: true })).toBe(false);
    expect(checked('view.showInspector', READY)).toBe(true);
    expect(checked('view.showTraining', READY)).toBe(false);
    expect(checked('view.showInspector', { ...READY, sidePanelCollapsed: true })).toBe(false);
    expect(checked('view.theme.dark', { ...READY, theme: 'dark' })).toBe(true);
    expect(checked('view.theme.system', { ...READY, theme: 'dark' })).toBe(false);
    expect(checked('layout.direction.down', READY)).toBe(true);
    expect(checked('layout.direction.right', READY)).toBe(false);
    // Plain commands have no check mark at all.
    expect(checked('edit.undo', READY)).toBeUndefined();
  });

  it('names commands with their first shortcut for tooltips', () => {
    expect(commandTitle('edit.undo')).toBe('Undo (Ctrl+Z)');
    expect(commandTitle('edit.redo')).toBe('Redo (Ctrl+Shift+Z)');
    expect(commandTitle('train.stop')).toBe(COMMANDS['train.stop'].label);
  });
});

describe('runCommand', () => {
  beforeEach(() => {
    viewStore.setState({ toast: undefined, dialog: undefined });
  });

  it('refuses a disabled command with a toast saying why, and changes nothing', () => {
    const before = documentStore.getState().document;
    expect(documentStore.getState().past).toHaveLength(0);
    expect(runCommand('edit.undo', { source: 'menubar' })).toBe(false);
    expect(viewStore.getState().toast).toBe('Undo: Nothing to undo.');
    expect(documentStore.getState().document).toBe(before);
    expect(runCommand('edit.delete', { source: 'toolbar' })).toBe(false);
    expect(viewStore.getState().toast).toBe('Delete: Nothing is selected.');
    expect(documentStore.getState().document).toBe(before);
  });

  it('shows the side panel for Inspector / Training, wide (collapsed) or narrow (put away over the canvas)', () => {
    for (const windowWidth of [1440, 700]) {
      viewStore.setState({ windowWidth, sideOverlayOpen: false, panels: { ...viewStore.getState().panels, side: { ...viewStore.getState().panels.side, collapsed: true } } });
      expect(sidePanelShown(viewStore.getState()), String(windowWidth)).toBe(false);
      expect(readCommandState().sidePanelCollapsed).toBe(true);
      expect(runCommand('view.showTraining', { source: 'menubar' })).toBe(true);
      expect(sidePanelShown(viewStore.getState()), String(windowWidth)).toBe(true);
      expect(readCommandState()).toMatchObject({ sidePanelCollapsed: false, sideTab: 'training' });
    }
  });

  it('refuses quietly from the keyboard', () => {
    expect(runCommand('edit.undo', { source: 'keyboard' })).toBe(false);
    expect(viewStore.getState().toast).toBeUndefined();
  });

  it('runs an enabled command against the stores', () => {
    const name = documentStore.getState().document.metadata.name;
    documentStore.getState().edit((doc) => ({ ...doc, metadata: { ...doc.metadata, name: 'renamed' } }));
    expect(runCommand('edit.undo', { source: 'menubar' })).toBe(true);
    expect(documentStore.getState().document.metadata.name).toBe(name);
    expect(runCommand('edit.redo', { source: 'keyboard' })).toBe(true);
    expect(documentStore.getState().document.metadata.name).toBe('renamed');

    expect(runCommand('help.shortcuts', { source: 'menubar' })).toBe(true);
    expect(viewStore.getState().dialog).toEqual({ kind: 'help' });
    expect(runCommand('view.showTraining', { source: 'toolbar' })).toBe(true);
    expect(viewStore.getState().sideTab).toBe('training');
    const theme = viewStore.getState().theme;
    expect(runCommand('view.theme.dark', { source: 'menubar' })).toBe(true);
    expect(viewStore.getState().theme).toBe('dark');
    viewStore.getState().setTheme(theme);
  });
});
