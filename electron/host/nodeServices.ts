/**
 * Real implementations of the narrow service views in labServices.ts, over the files service (the same reading,
 * atomic writing and recent list the CLI uses) and the trainer's dataset service. Shared by the web host and
 * Electron main.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { listDatasets } from '../services/datasets/datasetRegistry';
import { previewDataset } from '../services/datasets/previewDataset';
import { readGraphFile } from '../services/files/readGraphFile';
import { createRecentFilesStore } from '../services/files/recentFiles';
import { cleanStaleTempFiles } from '../services/files/tempFiles';
import { realPathOf } from '../services/files/workspaceFiles';
import { graphFileTextForSave, writeFileAtomicAt } from '../services/files/writeGraphFileAtomic';
import type { DatasetService, GraphFileStore, RecentFiles } from './labServices';

export function createGraphFileStore(): GraphFileStore {
  return {
    async read(absolutePath) {
      const result = await readGraphFile(absolutePath);
      // The message already starts with the path.
      if (!result.ok) throw new Error(result.error.message);
      return result.file;
    },
    async write(absolutePath, file, options = {}) {
      const label = options.label ?? absolutePath;
      // Checked before anything touches the disk: a file the loader would refuse is never written.
      const text = graphFileTextForSave(file, label);
      const existing = options.existing ?? 'replace';
      if (options.folder) {
        await options.folder.write(absolutePath, text, { label, existing });
        return;
      }
      await mkdir(path.dirname(absolutePath), { recursive: true });
      const target = await realPathOf(absolutePath);
      await writeFileAtomicAt(target.real, text, { label, existing });
    },
  };
}

export function createDatasetService(): DatasetService {
  return {
    async list() {
      return listDatasets();
    },
    async preview(dataset, count) {
      return previewDataset(dataset, { count });
    },
  };
}

/** Most recent first, absolute paths (recent-files.json in the state folder). */
export function createRecentFiles(stateDir: string): RecentFiles {
  const store = createRecentFilesStore(stateDir);
  return {
    list: () => store.list(),
    async add(absolutePath) {
      // The list is a convenience: failing to update it must not turn a save that succeeded into an error.
      await store.add(absolutePath).catch((error: unknown) => {
        console.error(`recent files: ${error instanceof Error ? error.message : String(error)}`);
      });
    },
  };
}

/**
 * Start-up sweep of the temp files that killed saves left behind (our own `.nbrick-<hex>.tmp` pattern only, older
 * than a minute, links never followed). `deep` folders are visited with their sub-folders (the workspace, a state
 * folder), `shallow` ones only themselves (the folders of recent files, in the desktop app). Never throws.
 */
export async function cleanTempFilesAtStartup(
  folders: { readonly deep: readonly string[]; readonly shallow?: readonly string[] },
  log: (line: string) => void = (line) => console.error(line),
): Promise<number> {
  let count = 0;
  let bytes = 0;
  const visits = [
    ...folders.deep.map((dir) => ({ dir, maxDepth: 4 })),
    ...(folders.shallow ?? []).map((dir) => ({ dir, maxDepth: 0 })),
  ];
  for (const { dir, maxDepth } of visits) {
    const result = await cleanStaleTempFiles(dir, { maxDepth }).catch(() => ({ removed: [], bytes: 0 }));
    count += result.removed.length;
    bytes += result.bytes;
  }
  if (count > 0) log(`Removed ${count} temporary file(s) left by interrupted saves (${(bytes / 1024).toFixed(0)} KB).`);
  return count;
}
