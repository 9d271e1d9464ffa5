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
import { writeGraphFileAtomic } from '../services/files/writeGraphFileAtomic';
import type { DatasetService, GraphFileStore, RecentFiles } from './labServices';

export function createGraphFileStore(): GraphFileStore {
  return {
    async read(absolutePath) {
      const result = await readGraphFile(absolutePath);
      // The message already starts with the path.
      if (!result.ok) throw new Error(result.error.message);
      return result.file;
    },
    async write(absolutePath, file) {
      await mkdir(path.dirname(absolutePath), { recursive: true });
      await writeGraphFileAtomic(absolutePath, file);
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
      await store.add(absolutePath);
    },
  };
}
