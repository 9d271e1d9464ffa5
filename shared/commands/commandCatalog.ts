/**
 * Every command of the app, declared once as plain data (VS Code's CommandsRegistry + MenuRegistry, without the code):
 * its id, label, help text, shortcuts, and where it sits in the menus. Electron main builds the native menu from it,
 * the renderer builds its web menu bar, toolbar, keyboard shortcuts and help overlay from it and adds what each command
 * does (renderer/src/commands/commandRegistry.ts). No DOM, no Node: both sides import this file.
 */

/**
 * A shortcut as written here: modifiers then one key, joined by `+`. `Mod` is Ctrl (Cmd on a Mac). Keys are a single
 * character (`Z`, `1`, `=`, `?`) or a name: `Delete`, `Backspace`, `Escape`, `Space`, `Enter`, `F1`.
 */
export type KeyBinding = string;

export interface CommandInfo {
  /** Label in menus, and the toolbar button's tooltip. */
  readonly label: string;
  /** What it does, as the help overlay says it (defaults to the label). */
  readonly help?: string;
  readonly keys?: readonly KeyBinding[];
  /**
   * The Electron menu owns these keys (its accelerator fires them): the page does not handle them itself there.
   * In a browser tab the page must, or Ctrl+S would save the web page.
   */
  readonly nativeMenuOwnsKeys?: boolean;
  /**
   * Only the Electron menu can run it (it needs something only main has, like a recent file's path): the web menu bar,
   * toolbar and help leave it out.
   */
  readonly nativeOnly?: boolean;
}

export const COMMANDS = {
  'file.new': { label: 'New from Template…', help: 'New graph from a template', keys: ['Mod+N'] },
  'file.newFromData': { label: 'New from Data…', help: 'New graph from a table file (CSV/TSV) or a folder of images, with a look at the data first' },
  'file.open': { label: 'Open…', help: 'Open a .nbrick file', keys: ['Mod+O'], nativeMenuOwnsKeys: true },
  'file.import': { label: 'Import…', help: 'Import a Keras model JSON or a TF.js model (with its weights) as a new graph' },
  'file.openRecent': { label: 'Open Recent', nativeOnly: true },
  'file.save': { label: 'Save', keys: ['Mod+S'], nativeMenuOwnsKeys: true },
  'file.saveAs': { label: 'Save As…', help: 'Save as a new file', keys: ['Mod+Shift+S'], nativeMenuOwnsKeys: true },
  'file.export': { label: 'Export…', help: "Export the graph for PyTorch, ONNX, Keras or TF.js with a kept run's weights" },
  'file.exportModel': { label: 'Trained Model…', help: 'Export the trained model of the last finished or stopped run' },
  'file.exportCsv': { label: 'Metrics as CSV…', help: 'Export the training metrics as CSV' },
  'file.exportPng': { label: 'Charts as PNG…', help: 'Export the training charts as one PNG image' },

  'edit.undo': { label: 'Undo', keys: ['Mod+Z'] },
  'edit.redo': { label: 'Redo', keys: ['Mod+Shift+Z', 'Mod+Y'] },
  'edit.cut': { label: 'Cut', keys: ['Mod+X'] },
  'edit.copy': { label: 'Copy', keys: ['Mod+C'] },
  'edit.paste': { label: 'Paste', help: 'Paste (from the keyboard it lands at the cursor)', keys: ['Mod+V'] },
  'edit.duplicate': { label: 'Duplicate', help: 'Duplicate the selection', keys: ['Mod+D'] },
  'edit.delete': {
    label: 'Delete',
    help: 'Delete the selection; a layer with one input and one output is bridged — its neighbours are wired together when the shapes allow (one undo step)',
    keys: ['Delete', 'Backspace'],
  },
  'edit.selectAll': { label: 'Select All', keys: ['Mod+A'] },
  'edit.selectNone': { label: 'Select None', help: 'Clear the selection (in a dialog: close it)', keys: ['Escape'] },
  'edit.group': { label: 'Group into Block', help: 'Group the selection into a named block (double-click its name to rename)', keys: ['Mod+G'] },
  'edit.quickAdd': { label: 'Quick Add…', help: 'Quick add: type a layer or block name, Enter inserts it at the cursor', keys: ['Space', 'Mod+K'] },

  'view.zoomIn': { label: 'Zoom In', keys: ['Mod+='] },
  'view.zoomOut': { label: 'Zoom Out', keys: ['Mod+-'] },
  'view.fit': { label: 'Fit Graph', help: 'Fit the graph in view', keys: ['Shift+1'] },
  'view.togglePalette': { label: 'Toggle Palette', help: 'Show or hide the layer palette' },
  'view.toggleSidePanel': { label: 'Toggle Side Panel', help: 'Show or hide the inspector / training panel' },
  'view.showInspector': { label: 'Inspector', help: 'Show the inspector' },
  'view.showTraining': { label: 'Training', help: 'Show the training panel' },
  'view.theme.system': { label: 'System Theme', help: 'Follow the system light / dark setting' },
  'view.theme.light': { label: 'Light Theme' },
  'view.theme.dark': { label: 'Dark Theme' },

  'layout.auto': { label: 'Auto Layout', help: 'Auto-layout the graph in the chosen direction', keys: ['Shift+L'] },
  'layout.direction.down': { label: 'Top → Bottom', help: 'Lay out from top to bottom (and lay out now)' },
  'layout.direction.right': { label: 'Left → Right', help: 'Lay out from left to right (and lay out now)' },

  'train.start': { label: 'Start Training', keys: ['Mod+Enter'] },
  'train.pause': { label: 'Pause / Resume', help: 'Pause or resume the run' },
  'train.stop': { label: 'Stop Training', help: 'Stop the run' },
  'lessons.open': { label: 'Lessons…', help: 'Guided experiments: depth and skips, BatchNorm, dead ReLUs, normalizer-free' },

  'help.shortcuts': { label: 'Keyboard Shortcuts', help: 'This help', keys: ['?', 'F1'] },
  'help.about': { label: 'About Neural Bricks' },
} as const satisfies Record<string, CommandInfo>;

export type CommandId = keyof typeof COMMANDS;
export const COMMAND_IDS = Object.keys(COMMANDS) as CommandId[];

export function isCommandId(value: unknown): value is CommandId {
  return typeof value === 'string' && Object.hasOwn(COMMANDS, value);
}

export function commandInfo(id: CommandId): CommandInfo {
  return COMMANDS[id];
}

/** Entries of a menu: a command, a separator, a submenu, or something only the native menu has. */
export type MenuEntry =
  | { readonly command: CommandId }
  | { readonly separator: true }
  | { readonly submenu: string; readonly items: readonly MenuEntry[] }
  | { readonly native: 'recentFiles' | 'quit' | 'fullscreen' | 'devTools' };

export interface MenuSpec {
  /** `&` marks the Alt access key (Electron on Windows/Linux; the web menu bar strips it). */
  readonly label: string;
  readonly items: readonly MenuEntry[];
}

const c = (command: CommandId): MenuEntry => ({ command });
const sep: MenuEntry = { separator: true };

/** The menu bar, the same in Electron and in the browser (which leaves out the native entries). */
export const MENUS: readonly MenuSpec[] = [
  {
    label: '&File',
    items: [
      c('file.new'),
      c('file.newFromData'),
      c('file.open'),
      c('file.import'),
      { native: 'recentFiles' },
      sep,
      c('file.save'),
      c('file.saveAs'),
      sep,
      c('file.export'),
      { submenu: 'Export', items: [c('file.exportModel'), c('file.exportCsv'), c('file.exportPng')] },
      sep,
      { native: 'quit' },
    ],
  },
  {
    label: '&Edit',
    items: [
      c('edit.undo'),
      c('edit.redo'),
      sep,
      c('edit.cut'),
      c('edit.copy'),
      c('edit.paste'),
      c('edit.duplicate'),
      c('edit.delete'),
      sep,
      c('edit.selectAll'),
      c('edit.selectNone'),
      sep,
      c('edit.quickAdd'),
      c('edit.group'),
    ],
  },
  {
    label: '&View',
    items: [
      c('view.zoomIn'),
      c('view.zoomOut'),
      c('view.fit'),
      sep,
      c('view.togglePalette'),
      c('view.toggleSidePanel'),
      c('view.showInspector'),
      c('view.showTraining'),
      sep,
      c('layout.auto'),
      { submenu: 'Layout Direction', items: [c('layout.direction.down'), c('layout.direction.right')] },
      { submenu: 'Theme', items: [c('view.theme.system'), c('view.theme.light'), c('view.theme.dark')] },
      sep,
      { native: 'fullscreen' },
      { native: 'devTools' },
    ],
  },
  {
    label: '&Train',
    items: [c('train.start'), c('train.pause'), c('train.stop'), sep, c('lessons.open')],
  },
  {
    label: '&Help',
    items: [c('help.shortcuts'), c('help.about')],
  },
];

/** Every command a menu names, in menu order (depth first). */
export function menuCommandIds(menus: readonly MenuSpec[] = MENUS): CommandId[] {
  const out: CommandId[] = [];
  const walk = (items: readonly MenuEntry[]) => {
    for (const item of items) {
      if ('command' in item) out.push(item.command);
      else if ('submenu' in item) walk(item.items);
    }
  };
  for (const menu of menus) walk(menu.items);
  return out;
}

/**
 * The menus as the page draws them (web menu bar, help overlay): without the native-only entries and commands, and
 * without the separators that would then lead, trail or double up.
 */
export function pageMenus(menus: readonly MenuSpec[] = MENUS): MenuSpec[] {
  const keep = (items: readonly MenuEntry[]): MenuEntry[] => {
    const out: MenuEntry[] = [];
    for (const item of items) {
      if ('native' in item) continue;
      if ('command' in item && (COMMANDS[item.command] as CommandInfo).nativeOnly) continue;
      if ('separator' in item && (out.length === 0 || 'separator' in out[out.length - 1]!)) continue;
      if ('submenu' in item) {
        const sub = keep(item.items);
        if (sub.length > 0) out.push({ submenu: item.submenu, items: sub });
        continue;
      }
      out.push(item);
    }
    while (out.length > 0 && 'separator' in out[out.length - 1]!) out.pop();
    return out;
  };
  return menus.map((menu) => ({ label: menu.label, items: keep(menu.items) })).filter((menu) => menu.items.length > 0);
}

/** A menu label without its `&` access-key mark: `&File` → `File`. */
export function menuTitle(label: string): string {
  return label.replace(/&(.)/g, '$1');
}

/** The `&`-marked access key of a menu label, lower case: `&File` → `f`. */
export function menuAccessKey(label: string): string | undefined {
  return /&(.)/.exec(label)?.[1]?.toLowerCase();
}

export interface ParsedKey {
  readonly mod: boolean;
  readonly shift: boolean;
  readonly alt: boolean;
  /** The key token as written: `Z`, `1`, `?`, `Delete`, `Space`… */
  readonly key: string;
}

const MODIFIERS = new Set(['Mod', 'Shift', 'Alt']);
const NAMED_KEYS = new Set(['Delete', 'Backspace', 'Escape', 'Space', 'Enter', 'F1']);

/** Parses a binding; a malformed one throws (the catalog test parses them all). */
export function parseKey(binding: KeyBinding): ParsedKey {
  // `Mod+-` and `Mod+=`: the key itself may be `+`-free punctuation; split on `+` that separates parts.
  const parts = binding.split('+');
  const key = parts.pop();
  if (!key || (key.length !== 1 && !NAMED_KEYS.has(key))) throw new Error(`Bad key binding "${binding}": unknown key "${key ?? ''}"`);
  for (const part of parts) if (!MODIFIERS.has(part)) throw new Error(`Bad key binding "${binding}": unknown modifier "${part}"`);
  if (new Set(parts).size !== parts.length) throw new Error(`Bad key binding "${binding}": repeated modifier`);
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt'), key };
}

/** Electron accelerator syntax. */
export function toAccelerator(binding: KeyBinding): string {
  const { mod, shift, alt, key } = parseKey(binding);
  const name = key === 'Space' ? 'Space' : key === '=' ? '=' : key.length === 1 ? key.toUpperCase() : key;
  return [mod ? 'CmdOrCtrl' : '', alt ? 'Alt' : '', shift ? 'Shift' : '', name].filter(Boolean).join('+');
}

/**
 * Whether the native menu should register the accelerator itself. Keys without Ctrl/Cmd (Delete, Space, Shift+1, ?)
 * would be taken from text fields by the menu; the page handles those (and skips them while the user types), and the
 * menu only shows them.
 */
export function menuRegistersKey(binding: KeyBinding): boolean {
  const { mod, key } = parseKey(binding);
  return mod || /^F\d+$/.test(key);
}

/** As people read it: `Ctrl+Shift+Z` (or `⌘⇧Z` on a Mac). */
export function formatKey(binding: KeyBinding, mac = false): string {
  const { mod, shift, alt, key } = parseKey(binding);
  if (mac) return `${mod ? '⌘' : ''}${alt ? '⌥' : ''}${shift ? '⇧' : ''}${key}`;
  return [mod ? 'Ctrl' : '', alt ? 'Alt' : '', shift ? 'Shift' : '', key].filter(Boolean).join('+');
}
