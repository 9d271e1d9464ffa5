/**
 * Real implementations of the narrow service views in labServices.ts, over the shared format code and the
 * trainer's dataset service. Shared by the web host and Electron main.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadGraphFile } from '../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../shared/format/serializeGraphFile';
import { listDatasets } from '../services/datasets/datasetRegistry';
import { previewDataset } from '../services/datasets/previewDataset';
import type { DatasetService, GraphFileStore, RecentFiles } from './labServices';
import { writeFileAtomic } from './writeFileAtomic';

export function createGraphFileStore(): GraphFileStore {
  return {
    async read(absolutePath) {
      let text: string;
      try {
        text = await readFile(absolutePath, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`Cannot read ${absolutePath}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
      }
      const result = loadGraphFile(text);
      if (!result.ok) throw new Error(`${absolutePath}: ${result.error.message}`);
      return result.file;
    },
    async write(absolutePath, file) {
      await mkdir(path.dirname(absolutePath), { recursive: true });
      await writeFileAtomic(absolutePath, serializeGraphFile(file));
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

const MAX_RECENT = 10;

/** Most recent first, kept as absolute paths in a small JSON file. */
export function createRecentFiles(stateDir: string): RecentFiles {
  const store = path.join(stateDir, 'recent.json');
  async function load(): Promise<string[]> {
    try {
      const value: unknown = JSON.parse(await readFile(store, 'utf8'));
      return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      return [];
    }
  }
  return {
    list: load,
    async add(absolutePath) {
      const next = [absolutePath, ...(await load()).filter((p) => p !== absolutePath)].slice(0, MAX_RECENT);
      await mkdir(stateDir, { recursive: true });
      await writeFileAtomic(store, JSON.stringify(next));
    },
  };
}
