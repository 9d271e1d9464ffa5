/**
 * After a crash: the host keeps the newest autosaved copy until the user answers. A restored document is marked
 * unsaved (the user's file is untouched until they save), and the host hears about it before the copy is discarded,
 * so there is no moment without a copy on disk.
 */
import type { LabApi, Recovery } from '../../../shared/contracts/api';
import { documentStore } from '../store/documentStore';
import { getLabApi } from './getLabApi';

/** The question shown: which document, and when it was autosaved (the time the work is recovered up to). */
export function recoveryQuestion(recovery: Recovery): string {
  const when = new Date(recovery.savedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return (
    `Neural Bricks did not close properly. Restore the unsaved copy of "${recovery.file.graph.metadata.name}" ` +
    `autosaved at ${when}?\n\nCancel discards the copy.`
  );
}

/** Resolves true when the copy was restored. */
export async function offerRecovery(api: LabApi = getLabApi()): Promise<boolean> {
  const recovery = await api.takeRecovery({ discard: false });
  if (!recovery) return false;
  const restore = window.confirm(recoveryQuestion(recovery));
  if (restore) {
    const store = documentStore.getState();
    store.replaceFile(recovery.file, recovery.originalPath ?? undefined, { unsaved: true });
    const state = documentStore.getState();
    await api.reportDocumentState({ file: state.toFile(), path: state.filePath ?? null, dirty: state.dirty });
  }
  await api.takeRecovery({ discard: true });
  return restore;
}
