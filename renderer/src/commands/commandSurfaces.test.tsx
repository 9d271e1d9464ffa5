/**
 * The web menu bar, the toolbar and the help overlay draw their commands from the one catalog: each lists exactly
 * the commands the catalog's menus give the page (the native menu's side is electron/shell/appMenu.test.ts).
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { COMMANDS, MENUS, menuCommandIds, menuTitle, pageMenus, type CommandInfo, type MenuEntry } from '../../../shared/commands/commandCatalog';
import { Menu } from './MenuBar';
import { PAGE_COMMAND_IDS, readCommandState } from './commandRegistry';
import { toolbarCommandIds } from './toolbarLayout';
import { Toolbar } from '../Toolbar';
import { HelpOverlay } from '../dialogs/HelpOverlay';

const attributes = (html: string, name: string) => [...html.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);

/** Every command the web menus draw, opening each submenu in turn. */
function drawnMenuCommands(): string[] {
  const state = readCommandState();
  const draw = (items: readonly MenuEntry[], label: string): string[] => {
    const html = renderToStaticMarkup(
      <Menu items={items} label={label} state={state} anchor={null} placement="below" focusOnOpen="none" onRun={() => {}} onBack={() => {}} onNeighbour={() => {}} onCloseAll={() => {}} />,
    );
    const submenus = items.filter((item): item is Extract<MenuEntry, { submenu: string }> => 'submenu' in item);
    expect(attributes(html, 'data-submenu')).toEqual(submenus.map((s) => s.submenu));
    return [...attributes(html, 'data-command'), ...submenus.flatMap((s) => draw(s.items, s.submenu))];
  };
  return pageMenus().flatMap((menu) => draw(menu.items, menuTitle(menu.label)));
}

/** What the catalog's menus offer the page: every menu command but the native-only ones. */
const pageMenuIds = () => menuCommandIds().filter((id) => !(COMMANDS[id] as CommandInfo).nativeOnly);

describe('one registry behind every surface', () => {
  it('the catalog menus hold every page command exactly once', () => {
    const ids = menuCommandIds(MENUS);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...pageMenuIds()].sort()).toEqual([...PAGE_COMMAND_IDS].sort());
  });

  it('the web menu bar draws the same menus and commands', () => {
    expect(pageMenus().map((m) => menuTitle(m.label))).toEqual(['File', 'Edit', 'View', 'Train', 'Help']);
    expect(drawnMenuCommands().sort()).toEqual(pageMenuIds().sort());
  });

  it('the help overlay lists the same commands, in menu order', () => {
    const html = renderToStaticMarkup(<HelpOverlay />);
    expect(attributes(html, 'data-command')).toEqual(pageMenuIds());
    expect(html).toContain('data-keys="Ctrl+Shift+Z / Ctrl+Y"');
    expect(html).toContain(COMMANDS['edit.delete'].help);
    // The old hand-written line is gone.
    expect(html).not.toContain('the rest of the graph stays wired');
  });

  it('the toolbar buttons are page commands, and its menu bar has the catalog menus', () => {
    const html = renderToStaticMarkup(<Toolbar />);
    const buttons = attributes(html, 'data-command');
    expect(buttons).toEqual(toolbarCommandIds());
    for (const id of buttons) expect(PAGE_COMMAND_IDS, id).toContain(id);
    // No window here, so no Electron preload: the page draws its own menu bar.
    expect(attributes(html, 'data-menu')).toEqual(['File', 'Edit', 'View', 'Train', 'Help']);
    expect(html).toContain('title="Undo (Ctrl+Z) — Nothing to undo."');
  });
});
