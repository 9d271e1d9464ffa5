/** The native menu is built from the command catalog: the same menus and commands the web menu bar draws. */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { COMMANDS, MENUS, menuCommandIds, menuTitle, pageMenus, type CommandInfo } from '../../shared/commands/commandCatalog';
import { buildMenuTemplate, type MenuActions } from './appMenu';

function actions(overrides: Partial<MenuActions> = {}): MenuActions & { sent: unknown[] } {
  const sent: unknown[] = [];
  return { sent, send: (command) => sent.push(command), openRecent: () => {}, about: () => {}, recent: [], isMac: false, devTools: false, ...overrides };
}

function walk(items: readonly MenuItemConstructorOptions[], visit: (item: MenuItemConstructorOptions) => void): void {
  for (const item of items) {
    visit(item);
    if (Array.isArray(item.submenu)) walk(item.submenu, visit);
  }
}

describe('native menu', () => {
  it('has the catalog menus and every menu command of the catalog (Open Recent as its file list)', () => {
    const template = buildMenuTemplate(actions());
    expect(template.map((m) => m.label)).toEqual(MENUS.map((m) => m.label));
    const ids: string[] = [];
    walk(template, (item) => item.id && ids.push(item.id));
    const pageIds = menuCommandIds().filter((id) => !(COMMANDS[id] as CommandInfo).nativeOnly);
    // The same commands, in the same order, as the web menu bar draws from pageMenus().
    expect(ids).toEqual(pageIds);
    expect(menuCommandIds(pageMenus())).toEqual(pageIds);
    const labels: string[] = [];
    walk(template, (item) => item.label && labels.push(item.label));
    expect(labels).toContain(COMMANDS['file.openRecent'].label);
    expect(pageMenus().map((m) => m.label)).toEqual(MENUS.map((m) => m.label));
    expect(MENUS.map((m) => menuTitle(m.label))).toEqual(['File', 'Edit', 'View', 'Train', 'Help']);
  });

  it('shows each shortcut and registers only the ones with Ctrl/Cmd or a function key', () => {
    const byId = new Map<string, MenuItemConstructorOptions>();
    walk(buildMenuTemplate(actions()), (item) => item.id && byId.set(item.id, item));
    expect(byId.get('edit.undo')).toMatchObject({ accelerator: 'CmdOrCtrl+Z', registerAccelerator: true });
    expect(byId.get('edit.delete')).toMatchObject({ accelerator: 'Delete', registerAccelerator: false });
    expect(byId.get('help.shortcuts')).toMatchObject({ accelerator: 'F1', registerAccelerator: true });
    expect(byId.get('file.exportPng')?.accelerator).toBeUndefined();
  });

  it('sends the command id to the renderer when clicked', () => {
    const a = actions();
    const byId = new Map<string, MenuItemConstructorOptions>();
    walk(buildMenuTemplate(a), (item) => item.id && byId.set(item.id, item));
    const click = byId.get('file.exportPng')?.click as unknown as () => void;
    click();
    expect(a.sent).toEqual([{ command: 'file.exportPng' }]);
  });
});
