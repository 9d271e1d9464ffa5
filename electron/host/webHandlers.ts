/**
 * The LabApi as the web host implements it. Payloads arrive validated (webHost.ts runs `parseRequest`); paths are
 * page-facing (`workspace/…`, `examples/…`) and resolved by workspaceFolders.ts. There are no native dialogs here:
 * the renderer's web client shows its own pickers and always sends a path.
 */
import path from 'node:path';
import type { ApiHandlers, FileEntry, HostInfo, OpenedFile, SavedFile } from '../../shared/contracts/api';
import type { CheckpointReport } from '../../shared/contracts/evaluation';
import { safeFileName } from '../../shared/format/fileNames';
import { alreadyExists } from '../services/files/fileErrors';
import type { ExistingFile } from '../services/files/writeGraphFileAtomic';
import { exportModelWithCheckpointFallback } from './checkpointHandlers';
import { createDataHandlers, type DataPaths } from './dataHandlers';
import { createEvaluationHandlers } from './evaluationHandlers';
import { createInsightHandlers } from './insightHandlers';
import { createInteropHandlers } from './interopHandlers';
import { webInteropPaths } from './webInterop';
import { createServiceHandlers, type LabServices } from './labServices';
import {
  assertDataInside,
  resolveWorkspaceDataPath,
  EXPORTS_FOLDER,
  listWorkspaceFiles,
  resolveRealPathInside,
  resolveWorkspacePath,
  safeFolderName,
  toPagePath,
  toPageText,
  workspaceFolder,
  type ResolvedPath,
  type WorkspaceFolders,
} from './workspaceFolders';

export interface WebHandlerDeps extends LabServices {
  readonly folders: WorkspaceFolders;
  readonly appVersion: string;
}

/**
 * The page knows files only by page paths: reasons and error messages that name a place on the host's disk (a
 * damaged checkpoint's weights.bin, a run folder) are shown with its page path instead.
 */
function withPagePaths(folders: WorkspaceFolders, handlers: ApiHandlers): ApiHandlers {
  const pageReports = <T extends { checkpoints?: readonly CheckpointReport[] }>(result: T): T =>
    result.checkpoints
      ? { ...result, checkpoints: result.checkpoints.map((r) => (r.reason === undefined ? r : { ...r, reason: toPageText(folders, r.reason) })) }
      : result;
  const wrapped: Record<string, unknown> = {};
  for (const [method, handler] of Object.entries(handlers) as [string, (request: unknown) => Promise<unknown>][]) {
    wrapped[method] = async (request: unknown) => {
      try {
        const result = await handler(request);
        if (method === 'openFile' || method === 'saveFile' || method === 'saveFileAs') {
          return result ? pageReports(result as { checkpoints?: readonly CheckpointReport[] }) : result;
        }
        if (method === 'importModel' && result && (result as { status: string }).status === 'imported') {
          const imported = result as { opened: { checkpoints?: readonly CheckpointReport[] } };
          return { ...imported, opened: pageReports(imported.opened) };
        }
        return result;
      } catch (error) {
        if (error instanceof Error) error.message = toPageText(folders, error.message);
        throw error;
      }
    };
  }
  return wrapped as unknown as ApiHandlers;
}

export function createWebHandlers(deps: WebHandlerDeps): ApiHandlers {
  return withPagePaths(deps.folders, createWebHandlersOnDisk(deps));
}

function createWebHandlersOnDisk(deps: WebHandlerDeps): ApiHandlers {
  const { folders, files } = deps;
  const workspace = workspaceFolder(folders);

  function writable(pagePath: string): ResolvedPath {
    const resolved = resolveWorkspacePath(folders, pagePath);
    if (resolved.readOnly) {
      throw new Error(`"${resolved.display}" is a read-only template: use Save As to keep your own copy.`);
    }
    return resolved;
  }

  async function saved(resolved: ResolvedPath, checkpoints?: SavedFile['checkpoints']): Promise<SavedFile> {
    await deps.recent.add(resolved.absolute);
    return { path: resolved.display, name: path.basename(resolved.absolute), ...(checkpoints ? { checkpoints } : {}) };
  }

  /** The absolute path of a page path the document came from, or undefined when it names nothing we may read. */
  function sourcePath(pagePath: string | undefined): string | undefined {
    if (pagePath === undefined) return undefined;
    try {
      return resolveWorkspacePath(folders, pagePath).absolute;
    } catch {
      return undefined; // a source we cannot read only means no checkpoints to carry from it
    }
  }

  async function runsOf(pagePath: string): Promise<string> {
    const resolved = resolveWorkspacePath(folders, pagePath);
    await resolveRealPathInside(folders, resolved);
    return resolved.absolute;
  }

  /**
   * The user's own data (issue 14) is read only inside the host's folders: page paths as for graph files (any name),
   * and a graph file's recorded data path resolved beside it (a file may name any place) checked the same way.
   */
  const allowData = (absolute: string) => assertDataInside(folders, absolute);
  const dataPaths: DataPaths = {
    async dataPath(pagePath) {
      const resolved = resolveWorkspaceDataPath(folders, pagePath);
      await allowData(resolved.absolute);
      return resolved.absolute;
    },
    graphPath: runsOf,
    graphLocation: (pagePath) => resolveWorkspacePath(folders, pagePath).absolute,
    // A document not saved yet will be saved in the workspace (Save As writes there): its data path is relative to it.
    unsavedGraphLocation: path.join(folders.workspace, 'untitled.nbrick'),
    allowData,
    display: (text) => toPageText(folders, text),
  };

  async function openPagePath(pagePath: string): Promise<OpenedFile> {
    const resolved = resolveWorkspacePath(folders, pagePath);
    // Read the checked real path, so a link swapped in after the check is not followed.
    const real = await resolveRealPathInside(folders, resolved);
    const file = await files.read(real);
    if (!resolved.readOnly) await deps.recent.add(resolved.absolute);
    const checkpoints = (await deps.checkpoints?.reportsFor(file, resolved.absolute)) ?? [];
    return { file, path: resolved.display, name: path.basename(resolved.absolute), readOnly: resolved.readOnly, checkpoints };
  }

  return {
    ...createServiceHandlers(deps, dataPaths),
    // File → Export… / Import… (issue 15): exports under workspace/exports/, imports into the workspace (webInterop.ts).
    ...createInteropHandlers(deps, webInteropPaths(folders, { graphPath: runsOf, openPagePath })),
    // A run's checkpoint is read beside its file: the path must name a file inside the host's folders.
    ...createEvaluationHandlers(deps, runsOf, allowData),
    ...createInsightHandlers(deps, runsOf, dataPaths),
    ...createDataHandlers(dataPaths, deps.dataJobs),

    async getHostInfo(): Promise<HostInfo> {
      return { transport: 'web', appVersion: deps.appVersion, workspace: folders.workspace };
    },

    async openFile({ path: pagePath }) {
      if (pagePath === undefined) {
        throw new Error('The web host has no file dialog: choose a file from the workspace list or upload one.');
      }
      return openPagePath(pagePath);
    },
    async saveFile({ file, path: pagePath }) {
      // Save writes the document's own file: replacing it is the point.
      const resolved = writable(pagePath);
      // Checkpoints first: the file never claims a model that is not beside it yet. Older ones go after the write.
      const checkpoints = await deps.checkpoints?.carryTo(file, resolved.absolute);
      await files.write(resolved.absolute, file, { folder: workspace, label: resolved.display, existing: 'replace' });
      await deps.checkpoints?.prune(file, resolved.absolute);
      return saved(resolved, checkpoints);
    },

    async saveFileAs({ file, suggestedName, overwrite, source }) {
      let resolved = writable(`workspace/${safeFileName(suggestedName)}`);
      const target = await workspace.resolveForWrite(resolved.absolute, resolved.display);
      let existing: ExistingFile = 'refuse';
      if (target.existingName !== undefined) {
        // The file that would be replaced, by its name on disk (it may differ in case from the one asked for).
        const taken = writable(`${path.posix.dirname(resolved.display)}/${target.existingName}`);
        if (overwrite !== taken.display) throw alreadyExists(taken.display);
        resolved = taken;
        existing = 'replace';
      }
      const checkpoints = await deps.checkpoints?.carryTo(file, resolved.absolute, sourcePath(source));
      // `refuse` stays atomic: a file created since the check above is still never replaced.
      await files.write(resolved.absolute, file, { folder: workspace, label: resolved.display, existing });
      await deps.checkpoints?.prune(file, resolved.absolute);
      return saved(resolved, checkpoints);
    },

    async listFiles() {
      return listWorkspaceFiles(folders);
    },

    async recentFiles() {
      const entries: FileEntry[] = [];
      for (const absolute of await deps.recent.list()) {
        const pagePath = toPagePath(folders, absolute);
        if (!pagePath) continue;
        // Only entries that open: a link that leads out of its folder (or a file gone since) is not offered.
        const inside = await resolveRealPathInside(folders, resolveWorkspacePath(folders, pagePath)).then(
          () => true,
          () => false,
        );
        if (inside) entries.push({ path: pagePath, name: path.basename(absolute), readOnly: pagePath.startsWith('examples/') });
      }
      return entries;
    },

    async exportModel({ runId, name }) {
      // workspace/exports/<graph name>-<run id>/: a new folder per run, so an export never overwrites another.
      const folder = `${safeFolderName(name ?? '', 'model')}-${safeFolderName(runId, 'run')}`;
      const display = `workspace/${EXPORTS_FOLDER}/${folder}`;
      // The same confinement as a save: a link at exports/ or at exports/<folder> cannot carry the files out. The
      // trainer's writer then keeps each file inside that real folder (writeModelFiles.ts).
      const real = await workspace.ensureFolder(path.join(folders.workspace, EXPORTS_FOLDER, folder), display);
      const written = await exportModelWithCheckpointFallback(deps, runId, real);
      return { directory: display, files: written.map((absolute) => `${display}/${path.basename(absolute)}`) };
    },

    async reportDocumentState(state) {
      deps.autosave.report(state);
    },
  };
}
