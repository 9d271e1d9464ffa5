/**
 * Connects the app to its host once: reports the document (title, autosave, close prompt), offers a crash
 * recovery, loads files the host opens, and runs native menu commands through the command registry (the same
 * commands the toolbar, web menu bar and shortcuts run).
 */
import { useEffect } from 'react';
import { isCommandId } from '../../../shared/commands/commandCatalog';
import type { MenuCommand } from '../../../shared/contracts/api';
import { viewStore } from '../store/viewStore';
import { connectRunEvents } from '../training/trainingRunStore';
import { runCommand } from '../commands/commandRegistry';
import { getLabApi } from './getLabApi';
import { startDocumentSync } from './documentFiles';
import { offerRecovery } from './offerRecovery';

function report(what: string) {
  return (error: unknown) => viewStore.getState().showToast(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** A command from the native menu: an id the catalog knows (anything else is reported, not ignored). */
export function runMenuCommand({ command, path }: MenuCommand): void {
  if (!isCommandId(command)) {
    viewStore.getState().showToast(`Unknown menu command: ${String(command).slice(0, 64)}`);
    return;
  }
  runCommand(command, { source: 'nativeMenu', path });
}

export function useLabHost(): void {
  useEffect(() => {
    const api = getLabApi();
    connectRunEvents(api);
    const stopSync = startDocumentSync();
    void offerRecovery().catch(report('Recovery'));
    return stopSync;
  }, []);

  useEffect(() => getLabApi().onMenuCommand(runMenuCommand), []);
}
