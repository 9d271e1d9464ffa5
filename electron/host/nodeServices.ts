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
import { realPathOf } from '../services/files/workspaceFiles';
import { graphFileTextForSave, writeFileAtomicAt } from '../services/files/writeGraphFileAtomic';
import type { DatasetService, GraphFileStore, RecentFiles } from './labServices';

/** Re-exported for the hosts' start-up code. */
export { cleanTempFilesAtStartup } from '../services/files/tempFiles';

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

