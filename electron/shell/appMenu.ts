/**
 * The native menu, built from the shared command catalog (shared/commands/commandCatalog.ts) so it lists what the web
 * menu bar, toolbar, shortcuts and help list. Commands go to the renderer as `onMenuCommand` (it owns the document,
 * the canvas and the undo history, and checks whether the command is enabled); only Open Recent, About and the
 * window's own fullscreen/devtools are handled in main.
 */
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { COMMANDS, MENUS, menuRegistersKey, toAccelerator, type MenuEntry } from '../../shared/commands/commandCatalog';
import type { MenuCommand, MenuCommandId } from './shellTypes';

export interface MenuActions {
  send(command: MenuCommand): void;
  openRecent(path: string): void;
  about(): void;
  readonly recent: readonly string[];
  readonly isMac: boolean;
  readonly devTools: boolean;
}

function commandItem(command: MenuCommandId, actions: MenuActions): MenuItemConstructorOptions {
  const info = COMMANDS[command];
  const keys: readonly string[] = 'keys' in info ? info.keys : [];
  // The menu shows one shortcut per item: the first it can register itself, else the first (shown, not registered).
  const key = keys.find(menuRegistersKey) ?? keys[0];
  return {
    id: command,
    label: info.label,
    ...(key ? { accelerator: toAccelerator(key), registerAccelerator: menuRegistersKey(key) } : {}),
    click: command === 'help.about' ? () => actions.about() : () => actions.send({ command }),
  };
}

function entryItems(entries: readonly MenuEntry[], actions: MenuActions): MenuItemConstructorOptions[] {
  const out: MenuItemConstructorOptions[] = [];
  for (const entry of entries) {
    if ('command' in entry) out.push(commandItem(entry.command, actions));
    else if ('separator' in entry) out.push({ type: 'separator' });
    else if ('submenu' in entry) out.push({ label: entry.submenu, submenu: entryItems(entry.items, actions) });
    else if (entry.native === 'recentFiles') {
      const recent: MenuItemConstructorOptions[] =
        actions.recent.length === 0
          ? [{ label: 'No recent files', enabled: false }]
          : actions.recent.map((file) => ({ label: path.basename(file), toolTip: file, click: () => actions.openRecent(file) }));
      out.push({ label: COMMANDS['file.openRecent'].label, submenu: recent });
    } else if (entry.native === 'quit') out.push(actions.isMac ? { role: 'close' } : { role: 'quit' });
    else if (entry.native === 'fullscreen') out.push({ role: 'togglefullscreen' });
    else if (entry.native === 'devTools') {
      if (actions.devTools) out.push({ role: 'toggleDevTools' });
    }
  }
  return out;
}

export function buildMenuTemplate(actions: MenuActions): MenuItemConstructorOptions[] {
  return [
    ...(actions.isMac ? [{ role: 'appMenu' as const }] : []),
    ...MENUS.map((menu) => ({ label: menu.label, submenu: entryItems(menu.items, actions) })),
  ];
}
