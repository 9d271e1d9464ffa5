/**
 * The toolbar's buttons: which catalog commands it shows and how (a short text, a symbol with the command's label as
 * its accessible name). What a button does, when it is enabled and whether it is pressed all come from the command
 * registry, as they do for the menus.
 */
import type { CommandId } from '../../../shared/commands/commandCatalog';

export interface ToolbarButtonSpec {
  readonly command: CommandId;
  /** What the button shows. */
  readonly text: string;
  /** Set when `text` is a symbol: the accessible name is then the command's label. */
  readonly symbol?: boolean;
  readonly testId?: string;
}

export type ToolbarEntry = ToolbarButtonSpec | 'separator';

/** Left to right, after the brand (and the web menu bar in a browser). */
export const TOOLBAR: readonly ToolbarEntry[] = [
  { command: 'file.new', text: 'New' },
  { command: 'file.open', text: 'Open' },
  { command: 'file.save', text: 'Save' },
  { command: 'file.saveAs', text: 'Save As' },
  'separator',
  { command: 'edit.undo', text: '↶', symbol: true },
  { command: 'edit.redo', text: '↷', symbol: true },
  'separator',
  { command: 'layout.auto', text: 'Auto layout', testId: 'auto-layout' },
  { command: 'view.fit', text: 'Fit' },
  { command: 'edit.group', text: 'Group' },
  'separator',
  { command: 'lessons.open', text: 'Lessons', testId: 'open-lessons' },
];

/** At the right end, after the file name. (The panels have their own collapse buttons; the View menu has them too.) */
export const TOOLBAR_END: readonly ToolbarButtonSpec[] = [{ command: 'help.shortcuts', text: '?', symbol: true }];

export function toolbarCommandIds(): CommandId[] {
  return [...TOOLBAR, ...TOOLBAR_END].flatMap((entry) => (entry === 'separator' ? [] : [entry.command]));
}
