/**
 * What the `?` overlay lists: every command the page can run, grouped by the menu it sits in, with its shortcuts and
 * help text, read from the command catalog (the keys useShortcuts implements, the menus the menu bars show). The
 * mouse gestures, which are not commands, follow.
 */
import { COMMANDS, formatKey, menuTitle, pageMenus, type CommandId, type CommandInfo, type MenuEntry } from '../../../shared/commands/commandCatalog';

export interface HelpRow {
  readonly command: CommandId;
  /** Every shortcut of the command as people read them (`Ctrl+Shift+Z`, `Ctrl+Y`); empty when it has none. */
  readonly keys: readonly string[];
  readonly text: string;
}

export interface HelpSection {
  /** The menu's title: File, Edit, View, Train, Help. */
  readonly title: string;
  readonly rows: readonly HelpRow[];
}

function rowsOf(items: readonly MenuEntry[], mac: boolean): HelpRow[] {
  return items.flatMap((item): HelpRow[] => {
    if ('submenu' in item) return rowsOf(item.items, mac);
    if (!('command' in item)) return [];
    const info: CommandInfo = COMMANDS[item.command];
    return [{ command: item.command, keys: (info.keys ?? []).map((key) => formatKey(key, mac)), text: info.help ?? info.label }];
  });
}

export function helpSections(mac = false): HelpSection[] {
  return pageMenus().map((menu) => ({ title: menuTitle(menu.label), rows: rowsOf(menu.items, mac) }));
}

/** Mouse gestures on the canvas and palette, shown after the commands. */
export const GESTURES: readonly (readonly [string, string])[] = [
  ['Click a palette entry', 'Add it after the selected layer, wired to it (nothing selected: in the middle of the view)'],
  ['Drag from palette', 'Add a layer; drop it on an edge to splice it in'],
  ['Drag handle → handle', 'Connect layers (refused connections say why)'],
  ['Shift+drag', 'Box-select'],
  ['Double-click a layer', 'Edit its settings in the inspector'],
  ['Ctrl+click', 'Add to / remove from the selection'],
];
