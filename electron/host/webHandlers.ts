/**
 * The LabApi as the web host implements it. Payloads arrive validated (webHost.ts runs `parseRequest`); paths are
 * page-facing (`workspace/…`, `examples/…`) and resolved by workspaceFolders.ts. There are no native dialogs here:
 * the renderer's web client shows its own pickers and always sends a path.
 */
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ApiHandlers, FileEntry, HostInfo } from '../../shared/contracts/api';
import { createServiceHandlers, type GraphFileStore, type LabServices } from './labServices';
import {
  assertRealPathInside,
  EXPORTS_FOLDER,
  listWorkspaceFiles,
  resolveWorkspacePath,
  safeFileName,
  safeFolderName,
  toPagePath,
  type WorkspaceFolders,
} from './workspaceFolders';

export interface WebHandlerDeps extends LabServices {
  readonly folders: WorkspaceFolders;
  readonly appVersion: string;
}

export function createWebHandlers(deps: WebHandlerDeps): ApiHandlers {
  const { folders, files } = deps;

  async function saveTo(pagePath: string, file: Parameters<GraphFileStore['write']>[1]) {
    const resolved = resolveWorkspacePath(folders, pagePath);
    if (resolved.readOnly) {
      throw new Error(`"${resolved.display}" is a read-only template: use Save As to keep your own copy.`);
    }
    await files.write(resolved.absolute, file);
    await deps.recent.add(resolved.absolute);
    return { path: resolved.display, name: path.basename(resolved.absolute) };
  }

  return {
    ...createServiceHandlers(deps),

    async getHostInfo(): Promise<HostInfo> {
      return { transport: 'web', appVersion: deps.appVersion, workspace: folders.workspace };
    },

    async openFile({ path: pagePath }) {
      if (pagePath === undefined) {
        throw new Error('The web host has no file dialog: choose a file from the workspace list or upload one.');
      }
      const resolved = resolveWorkspacePath(folders, pagePath);
      await assertRealPathInside(folders, resolved).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`"${resolved.display}" does not exist.`);
        throw error;
      });
      const file = await files.read(resolved.absolute);
      if (!resolved.readOnly) await deps.recent.add(resolved.absolute);
      return { file, path: resolved.display, name: path.basename(resolved.absolute), readOnly: resolved.readOnly };
    },

    async saveFile({ file, path: pagePath }) {
      return saveTo(pagePath, file);
    },

    async saveFileAs({ file, suggestedName }) {
      return saveTo(`workspace/${safeFileName(suggestedName)}`, file);
    },

    async listFiles() {
      return listWorkspaceFiles(folders);
    },

    async recentFiles() {
      const entries: FileEntry[] = [];
      for (const absolute of await deps.recent.list()) {
        const pagePath = toPagePath(folders, absolute);
        if (pagePath) entries.push({ path: pagePath, name: path.basename(absolute), readOnly: pagePath.startsWith('examples/') });
      }
      return entries;
    },

    async exportModel({ runId, name }) {
      // workspace/exports/<graph name>-<run id>/: a new folder per run, so an export never overwrites another.
      const exportsDir = path.join(folders.workspace, EXPORTS_FOLDER);
      await mkdir(exportsDir, { recursive: true });
      // A link planted at workspace/exports must not carry the files out of the workspace.
      const [realWorkspace, realExports] = await Promise.all([realpath(folders.workspace), realpath(exportsDir)]);
      if (!realExports.startsWith(realWorkspace + path.sep)) {
        throw new Error(`"workspace/${EXPORTS_FOLDER}" is a link to a place outside the workspace: refusing to export there.`);
      }
      const folder = `${safeFolderName(name ?? '', 'model')}-${safeFolderName(runId, 'run')}`;
      const written = await deps.training.exportModel(runId, path.join(exportsDir, folder));
      const page = (absolute: string) => toPagePath(folders, absolute) ?? absolute;
      return { directory: page(path.join(exportsDir, folder)), files: written.map(page) };
    },

    async reportDocumentState(state) {
      deps.autosave.report(state);
    },
  };
}
