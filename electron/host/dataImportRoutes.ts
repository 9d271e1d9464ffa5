/**
 * The web host's data uploads (issue 14, shared/contracts/dataImport.ts): the page sends a table or an image folder
 * in an import session (a file per request, or several small ones); `commit` renames it into `workspace/data/<name>` and answers its page path,
 * `cancel` (or a session left alone for {@link IDLE_SESSION_MS}) removes what was written. Sessions live in memory:
 * a host restart leaves only a hidden temporary folder, which the next start sweeps.
 */
import { randomBytes } from 'node:crypto';
import type { DataImportKind, ImportedData } from '../../shared/contracts/dataImport';
import { createDataImporter, type DataImporter, type DataImportLimits, type ImportSession } from '../services/data/importData';
import { toPagePath, toPageText, type WorkspaceFolders } from './workspaceFolders';

/** A session with no request for this long is aborted (the page closed, the network went away). */
export const IDLE_SESSION_MS = 10 * 60 * 1000;
/** Imports under way at once (one per open dialog; more is a runaway page). */
export const MAX_IMPORT_SESSIONS = 4;

export interface DataImportRoutes {
  begin(kind: DataImportKind, name: string): Promise<{ session: string }>;
  file(session: string, relativePath: string, body: AsyncIterable<Uint8Array>, declaredBytes?: number): Promise<{ files: number; bytes: number }>;
  /** Several files in one body (`op=files`, shared/contracts/dataImport.ts). */
  files(session: string, body: AsyncIterable<Uint8Array>): Promise<{ files: number; bytes: number }>;
  commit(session: string): Promise<ImportedData>;
  cancel(session: string): Promise<void>;
  /** Aborts every session (the host is closing). */
  close(): Promise<void>;
}

/** An unknown session: the request is refused with 404 and this message. */
export class UnknownImportSession extends Error {
  constructor() {
    super('This import is no longer open (cancelled, finished or idle too long): start it again.');
    this.name = 'UnknownImportSession';
  }
}

export function createDataImportRoutes(deps: {
  readonly folders: WorkspaceFolders;
  readonly limits?: Partial<DataImportLimits>;
  readonly idleMs?: number;
  readonly importer?: DataImporter;
}): DataImportRoutes {
  const importer = deps.importer ?? createDataImporter({ workspace: deps.folders.workspace, ...(deps.limits ? { limits: deps.limits } : {}) });
  const sessions = new Map<string, { session: ImportSession; timer: ReturnType<typeof setTimeout> }>();
  const idleMs = deps.idleMs ?? IDLE_SESSION_MS;

  const drop = async (id: string) => {
    const entry = sessions.get(id);
    if (!entry) return;
    sessions.delete(id);
    clearTimeout(entry.timer);
    await entry.session.abort().catch(() => undefined);
  };
  const touch = (id: string) => {
    const entry = sessions.get(id);
    if (!entry) throw new UnknownImportSession();
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void drop(id), idleMs);
    entry.timer.unref?.();
    return entry.session;
  };
  const inPageTerms = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error) error.message = toPageText(deps.folders, error.message);
      throw error;
    }
  };

  /** A write into the session: a refused or broken one ends the import (the session removed what it had written). */
  const write = (id: string, work: (session: ImportSession) => Promise<void>) =>
    inPageTerms(async () => {
      const session = touch(id);
      try {
        await work(session);
      } catch (error) {
        clearTimeout(sessions.get(id)?.timer);
        sessions.delete(id);
        await session.abort().catch(() => undefined);
        throw error;
      }
      touch(id);
      return { files: session.files, bytes: session.bytes };
    });

  return {
    begin: (kind, name) =>
      inPageTerms(async () => {
        if (sessions.size >= MAX_IMPORT_SESSIONS) throw new Error(`${MAX_IMPORT_SESSIONS} imports are already under way: finish or cancel one first.`);
        const session = await importer.begin(kind, name);
        const id = randomBytes(16).toString('base64url');
        sessions.set(id, { session, timer: setTimeout(() => undefined, 0) });
        touch(id);
        return { session: id };
      }),
    file: (id, relativePath, body, declaredBytes) => write(id, (session) => session.addFile(relativePath, body, declaredBytes)),
    files: (id, body) => write(id, (session) => session.addFramed(body)),
    commit: (id) =>
      inPageTerms(async () => {
        const session = touch(id);
        clearTimeout(sessions.get(id)!.timer);
        sessions.delete(id);
        const result = await session.commit();
        const pagePath = toPagePath(deps.folders, result.absolute);
        if (pagePath === undefined) throw new Error(`The import landed outside the workspace: ${result.absolute}`);
        return { kind: result.kind, path: pagePath, name: result.name, files: result.files, bytes: result.bytes };
      }),
    cancel: async (id) => drop(id),
    async close() {
      await Promise.all([...sessions.keys()].map(drop));
    },
  };
}
