/**
 * The web host's graph bundles (electron/services/files/graphBundle.ts) in page terms: download the zip of a saved
 * file with the checkpoints kept beside it, and open an uploaded zip as an unsaved document whose checkpoints wait in
 * the pending store for its first Save. Paths go through the same workspace rules as Open and Save; reasons and
 * errors name places by page path.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenedFile } from '../../shared/contracts/api';
import type { CheckpointReport } from '../../shared/contracts/evaluation';
import { formatMegabytes, MAX_FILE_BYTES } from '../../shared/contracts/wireLimits';
import { fileNameProblem } from '../../shared/format/fileNames';
import { GRAPH_FILE_EXTENSION } from '../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../shared/format/loadGraphFile';
import { sha256Hex } from '../../shared/format/sha256';
import type { CheckpointService } from '../services/checkpoints/CheckpointService';
import { FileError } from '../services/files/fileErrors';
import { BundleError, openGraphBundle, zipGraphBundle } from '../services/files/graphBundle';
import { resolveRealPathInside, resolveWorkspacePath, toPageText, type WorkspaceFolders } from './workspaceFolders';

export interface BundleDownload {
  /** `x.zip`, after the graph's name in the bundle. */
  readonly fileName: string;
  readonly zip: Uint8Array;
  /** Kept runs whose checkpoint is not in the bundle (damaged or missing), with why. */
  readonly leftOut: readonly CheckpointReport[];
}

export interface BundleDownloadRequest {
  readonly path: string;
  readonly name?: string;
  /** sha256 hex of the text the page holds: a saved file that differs is refused (BundleConflictError). */
  readonly sha256?: string;
}

export interface BundleRoutes {
  download(request: BundleDownloadRequest): Promise<BundleDownload>;
  upload(zip: Uint8Array): Promise<OpenedFile>;
}

/** The saved file is not what the page shows: the page must save first. */
export class BundleConflictError extends FileError {}

export interface BundleRouteDeps {
  readonly folders: WorkspaceFolders;
  readonly checkpoints?: CheckpointService;
}

export function createBundleRoutes(deps: BundleRouteDeps): BundleRoutes {
  const { folders } = deps;
  const pageReports = (reports: readonly CheckpointReport[]) =>
    reports.map((report) => (report.reason === undefined ? report : { ...report, reason: toPageText(folders, report.reason) }));
  const inPageTerms = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error) error.message = toPageText(folders, error.message);
      throw error;
    }
  };

  return {
    download: (request) =>
      inPageTerms(async () => {
        const resolved = resolveWorkspacePath(folders, request.path);
        const real = await resolveRealPathInside(folders, resolved);
        const info = await lstat(real);
        if (!info.isFile()) throw new FileError(`"${resolved.display}" is not a file.`);
        if (info.size > MAX_FILE_BYTES) throw new FileError(`"${resolved.display}" is ${formatMegabytes(info.size)}; the limit for a graph file is ${formatMegabytes(MAX_FILE_BYTES)}.`);
        const graphBytes = new Uint8Array(await readFile(real));
        if (request.sha256 !== undefined && request.sha256 !== sha256Hex(graphBytes)) {
          throw new BundleConflictError(`"${resolved.display}" has changed since it was saved, or the graph has unsaved changes: save it first, then download it with its trained models.`);
        }
        const loaded = loadGraphFile(new TextDecoder().decode(graphBytes));
        if (!loaded.ok) throw new FileError(`"${resolved.display}": ${loaded.error.message}`);
        const fileName = request.name ?? path.basename(resolved.absolute);
        const problem = fileNameProblem(fileName);
        if (problem || fileName.includes('/') || fileName.includes('\\') || !fileName.toLowerCase().endsWith(GRAPH_FILE_EXTENSION)) {
          throw new FileError(`"${fileName.slice(0, 200)}" cannot name a graph in a bundle${problem ? `: ${problem}` : ''}.`);
        }
        const { checkpoints, leftOut } = deps.checkpoints
          ? await deps.checkpoints.bundleOf(loaded.file, resolved.absolute)
          : { checkpoints: [], leftOut: [] };
        return {
          fileName: `${fileName.slice(0, -GRAPH_FILE_EXTENSION.length)}.zip`,
          zip: zipGraphBundle(fileName, graphBytes, checkpoints),
          leftOut: pageReports(leftOut),
        };
      }),

    upload: (zip) =>
      inPageTerms(async () => {
        const bundle = openGraphBundle(zip);
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(bundle.graphBytes);
        } catch {
          throw new BundleError(`${bundle.fileName}: not UTF-8 text.`);
        }
        const loaded = loadGraphFile(text);
        if (!loaded.ok) throw new BundleError(`${bundle.fileName}: ${loaded.error.message}`);
        const checkpoints = deps.checkpoints ? await deps.checkpoints.adoptUploaded(loaded.file, bundle.runs) : [];
        return { file: loaded.file, path: null, name: bundle.fileName, readOnly: false, checkpoints: pageReports(checkpoints) };
      }),
  };
}
