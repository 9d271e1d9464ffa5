/**
 * Global keyboard shortcuts: the keys each command declares in the shared catalog, run through the command registry.
 * Typing in a field never triggers them, nor does anything while a dialog is open. In Electron the native menu owns
 * the keys of commands marked `nativeMenuOwnsKeys` (its accelerator fires them); in a browser tab the page handles
 * them, or Ctrl+S would save the web page.
 */
import { useEffect } from 'react';
import { COMMANDS, COMMAND_IDS, parseKey, type CommandId, type CommandInfo, type ParsedKey } from '../../../shared/commands/commandCatalog';
import { viewStore } from '../store/viewStore';
import { runCommand } from '../commands/commandRegistry';
import { keyMatches, type KeyPress } from '../commands/keyMatch';
import { useCommandFlow } from '../commands/commandFlow';
import { hasNativeMenu } from '../commands/host';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(target.type);
  return false;
}

interface Binding {
  readonly command: CommandId;
  readonly key: ParsedKey;
  readonly nativeMenuOwnsKeys: boolean;
}

const BINDINGS: readonly Binding[] = COMMAND_IDS.flatMap((command) => {
  const info: CommandInfo = COMMANDS[command];
  return (info.keys ?? []).map((key) => ({ command, key: parseKey(key), nativeMenuOwnsKeys: info.nativeMenuOwnsKeys === true }));
});

/** The command a key press asks for, if any (`inElectron`: leave the native menu's keys to it). */
export function commandForKey(press: KeyPress, inElectron: boolean): CommandId | undefined {
  return BINDINGS.find((b) => !(inElectron && b.nativeMenuOwnsKeys) && keyMatches(b.key, press))?.command;
}

export function useShortcuts(): void {
  useCommandFlow();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (viewStore.getState().dialog) return;
      if (isTyping(e.target)) return;
      const command = commandForKey(e, hasNativeMenu());
      if (!command) return;
      // Buttons use Space (and Enter) to click; keep that when one has focus.
      if (e.target instanceof HTMLButtonElement && (e.key === ' ' || e.key === 'Enter')) return;
      e.preventDefault();
      runCommand(command, { source: 'keyboard' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
