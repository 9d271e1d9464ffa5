/**
 * The native menu. Document commands go to the renderer as `onMenuCommand` (it owns the document, the canvas and
 * the undo history); only Open Recent, About and the window's own zoom/devtools are handled in main.
 */
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, MenuCommandId } from './shellTypes';

export interface MenuActions {
  send(command: MenuCommand): void;
  openRecent(path: string): void;
  about(): void;
  readonly recent: readonly string[];
  readonly isMac: boolean;
  readonly devTools: boolean;
}

export function buildMenuTemplate(actions: MenuActions): MenuItemConstructorOptions[] {
  const item = (label: string, command: MenuCommandId, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => actions.send({ command }),
  });
  const recent: MenuItemConstructorOptions[] =
    actions.recent.length === 0
      ? [{ label: 'No recent files', enabled: false }]
      : actions.recent.map((file) => ({ label: path.basename(file), toolTip: file, click: () => actions.openRecent(file) }));

  return [
    ...(actions.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        item('New from Template…', 'file.new', 'CmdOrCtrl+N'),
        item('Open…', 'file.open', 'CmdOrCtrl+O'),
        { label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        item('Save', 'file.save', 'CmdOrCtrl+S'),
        item('Save As…', 'file.saveAs', 'CmdOrCtrl+Shift+S'),
        { type: 'separator' },
        {
          label: 'Export',
          submenu: [item('Trained Model…', 'file.exportModel'), item('Metrics as CSV…', 'file.exportCsv'), item('Charts as PNG…', 'file.exportPng')],
        },
        { type: 'separator' },
        actions.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        item('Undo', 'edit.undo', 'CmdOrCtrl+Z'),
        item('Redo', 'edit.redo', actions.isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y'),
        { type: 'separator' },
        item('Cut', 'edit.cut', 'CmdOrCtrl+X'),
        item('Copy', 'edit.copy', 'CmdOrCtrl+C'),
        item('Paste', 'edit.paste', 'CmdOrCtrl+V'),
        item('Delete', 'edit.delete'),
        item('Select All', 'edit.selectAll', 'CmdOrCtrl+A'),
      ],
    },
    {
      label: '&View',
      submenu: [
        item('Zoom In', 'view.zoomIn', 'CmdOrCtrl+='),
        item('Zoom Out', 'view.zoomOut', 'CmdOrCtrl+-'),
        item('Fit Graph', 'view.fit', 'Shift+1'),
        { type: 'separator' },
        item('Toggle Palette', 'view.togglePalette'),
        item('Toggle Inspector', 'view.toggleInspector'),
        item('Toggle Training Panel', 'view.toggleTraining'),
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(actions.devTools ? [{ role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: '&Train',
      submenu: [item('Start Training', 'train.start', 'CmdOrCtrl+Enter'), item('Pause / Resume', 'train.pause'), item('Stop', 'train.stop')],
    },
    {
      label: '&Help',
      submenu: [item('Keyboard Shortcuts', 'help.shortcuts', 'F1'), { label: 'About Neural Bricks', click: () => actions.about() }],
    },
  ];
}
