/**
 * The user's-own-data methods of the LabApi (inspectData, proposeFromData, checkData; issue 14), the same in both
 * hosts: each host only says which paths a request may name and how they are shown (the web host confines them to its
 * folders and shows page paths; Electron takes what its native dialog gave and files the user opened).
 */
import type { ApiHandlers, ApiRequest } from '../../shared/contracts/api';
import type { DataInspection, DataStatus } from '../../shared/contracts/data';
import { isAbsoluteDataPath, resolveDataPath, type DataSpec } from '../../shared/data/dataSpec';
import { DataJobs } from '../services/data/dataJobs';
import type { DataImporter } from '../services/data/importData';
import { checkData, inspectData, proposeFromData } from '../services/data/userDataApi';
import { encodeImageForModel } from '../services/data/images/encodeImage';

export type DataHandlers = Pick<ApiHandlers, 'inspectData' | 'proposeFromData' | 'checkData' | 'cancelDataJob' | 'encodeImage'>;

export interface DataPaths {
  /** A data path a request names → absolute; throws when the host may not read it. */
  dataPath(path: string): Promise<string>;
  /** A graph file a request names (it must exist) → absolute; throws when the host may not read it. */
  graphPath(path: string): Promise<string>;
  /** Where a graph file a request names would be (it may not exist yet: a proposal for a new file) → absolute. */
  graphLocation(path: string): string;
  /** The graph file a document not saved yet is taken to live in (web host: the workspace), if any. */
  readonly unsavedGraphLocation?: string;
  /** Throws unless the host may read this absolute data path (a spec resolved beside its graph file). */
  allowData(absolute: string): Promise<void>;
  /** How an absolute path is shown to the page. */
  display(absolute: string): string;
  /** Asks the user for data (Electron's native dialog); absent: the request must name a path. Undefined = cancelled. */
  choose?(pick: 'table' | 'imageFolder'): Promise<string | undefined>;
  /** Copies chosen data into the workspace's data folder (`importToWorkspace`); absent: this host imports otherwise. */
  readonly importer?: DataImporter;
  /** Lets later requests name data this host wrote itself (an import's copy). */
  grant?(absolute: string): void;
}

/** Page-facing copy of an inspection: the paths in it (and in problem messages) as the page names them. */
function shownInspection(inspection: DataInspection, display: (absolute: string) => string): DataInspection {
  if (inspection.kind === 'table') {
    return {
      ...inspection,
      path: display(inspection.path),
      problems: inspection.problems.map((p) => ({ ...p, message: display(p.message) })),
    };
  }
  return { ...inspection, path: display(inspection.path), errors: inspection.errors.map(display) };
}

/** `jobs`: where progress of requests that name a `jobId` goes (the host forwards it as `dataProgress`) and cancels land. */
export function createDataHandlers(paths: DataPaths, jobs: DataJobs = new DataJobs()): DataHandlers {
  return {
    async inspectData({ path, pick, delimiter, header, jobId, importToWorkspace }) {
      let absolute: string | undefined;
      if (importToWorkspace && (path !== undefined || !paths.importer || !paths.choose)) {
        throw new Error(
          path !== undefined
            ? 'An import copies what the dialog gives: it names no path of its own.'
            : 'This host has no file dialog: upload the data from the New from Data dialog instead.',
        );
      }
      if (path !== undefined) absolute = await paths.dataPath(path);
      else if (paths.choose) absolute = await paths.choose(pick ?? 'table');
      else throw new Error('This host has no file dialog: name a table file or an image folder in the workspace (workspace/…).');
      if (absolute === undefined) return null;
      const chosen = absolute;
      const inspection = await jobs.run(jobId, async (job) => {
        const options = {
          ...(delimiter !== undefined ? { delimiter } : {}),
          ...(header !== undefined ? { header } : {}),
          ...(job ? { signal: job.signal, onProgress: job.onProgress } : {}),
        };
        if (!importToWorkspace || !paths.importer) return inspectData(chosen, options);
        // Copy first (the first half of the bar), then inspect the copy (the second half).
        const onProgress = job?.onProgress;
        const copied = await paths.importer.importFromDisk(chosen, {
          ...(job ? { signal: job.signal } : {}),
          ...(onProgress ? { onProgress: (p) => onProgress({ ...(p.fraction !== undefined ? { fraction: p.fraction / 2 } : {}), message: `Importing: ${p.message}` }) } : {}),
        });
        paths.grant?.(copied.absolute);
        return inspectData(copied.absolute, {
          ...options,
          ...(onProgress ? { onProgress: (p) => onProgress({ ...(p.fraction !== undefined ? { fraction: 0.5 + p.fraction / 2 } : {}), message: p.message }) } : {}),
        });
      });
      return shownInspection(inspection, paths.display);
    },

    async proposeFromData({ path, graphPath, jobId, ...choices }) {
      const absolute = await paths.dataPath(path);
      const graphFilePath = graphPath !== undefined ? paths.graphLocation(graphPath) : paths.unsavedGraphLocation;
      return jobs.run(jobId, (job) =>
        proposeFromData(absolute, {
          ...choices,
          ...(graphFilePath !== undefined ? { graphFilePath } : {}),
          ...(job ? { signal: job.signal, onProgress: job.onProgress } : {}),
        }),
      );
    },

    async cancelDataJob({ jobId }) {
      jobs.cancel(jobId);
    },

    async checkData({ graphFilePath, data }) {
      const graph = await paths.graphPath(graphFilePath);
      await paths.allowData(resolveDataPath(graph, data.path));
      const status = await checkData(graph, data);
      return shownStatus(status, paths.display);
    },

    // Bytes the page sent, no path: nothing to confine. The same decode as the folder loader's (encodeImage.ts).
    async encodeImage({ image, height, width, channels }) {
      return encodeImageForModel(Buffer.from(image, 'base64'), height, width, channels);
    },
  };
}

function shownStatus(status: DataStatus, display: (text: string) => string): DataStatus {
  if (status.status === 'same') return { status: 'same', path: display(status.path) };
  return { ...status, path: display(status.path), message: display(status.message) };
}

/**
 * What a training start needs to know about the document's file: its absolute path when the run trains on the user's
 * own data (a relative `config.data.path` resolves beside it), after checking the host may read that data. A relative
 * data path with no file to resolve it against is refused with what to do.
 */
export async function graphFileForStart(
  paths: Pick<DataPaths, 'graphPath' | 'allowData' | 'unsavedGraphLocation'>,
  request: Pick<ApiRequest<'startTraining'>, 'path'> & { readonly config: { readonly data?: DataSpec | undefined } },
): Promise<string | undefined> {
  const data = request.config.data;
  if (!data) return undefined;
  const graphFilePath = request.path ? await paths.graphPath(request.path) : paths.unsavedGraphLocation;
  const resolved = resolveDataPath(graphFilePath, data.path);
  if (graphFilePath === undefined && !isAbsoluteDataPath(data.path)) {
    throw new Error(`The training data path '${data.path}' is relative to the graph file: save the graph first, then train`);
  }
  await paths.allowData(resolved);
  return graphFilePath;
}
