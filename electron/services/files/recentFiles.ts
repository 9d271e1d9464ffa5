/**
 * The "recent files" list, persisted as JSON in a config directory. A corrupt or missing list reads as empty:
 * losing the recent list must never stop the app from starting.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { confinedFolder } from './workspaceFiles';

export const RECENT_FILES_NAME = 'recent-files.json';
export const DEFAULT_MAX_RECENT = 10;

export interface RecentFilesStore {
  /** Most recent first. */
  list(): Promise<string[]>;
  add(filePath: string): Promise<string[]>;
  remove(filePath: string): Promise<string[]>;
  clear(): Promise<void>;
}

export function createRecentFilesStore(configDir: string, opts: { max?: number } = {}): RecentFilesStore {
  const max = opts.max ?? DEFAULT_MAX_RECENT;
  const storePath = path.join(configDir, RECENT_FILES_NAME);
  // The list stays in its folder: a link planted at recent-files.json is refused, not written through.
  const folder = confinedFolder(configDir, 'its folder');

  async function load(): Promise<string[]> {
    try {
      const value: unknown = JSON.parse(await readFile(storePath, 'utf8'));
      const files = value !== null && typeof value === 'object' ? (value as { files?: unknown }).files : undefined;
      if (!Array.isArray(files)) return [];
      return files.filter((f): f is string => typeof f === 'string' && f.length > 0).slice(0, max);
    } catch {
      return [];
    }
  }

  async function save(files: string[]): Promise<string[]> {
    await mkdir(configDir, { recursive: true });
    await folder.write(storePath, `${JSON.stringify({ files }, null, 2)}\n`, { existing: 'replace' });
    return files;
  }

  return {
    list: load,
    async add(filePath) {
      const absolute = path.resolve(filePath);
      return save([absolute, ...(await load()).filter((f) => f !== absolute)].slice(0, max));
    },
    async remove(filePath) {
      const absolute = path.resolve(filePath);
      return save((await load()).filter((f) => f !== absolute));
    },
    async clear() {
      await save([]);
    },
  };
}
