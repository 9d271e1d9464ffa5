/**
 * File → Export… and File → Import… (issue 15), the same in both hosts: `exportGraph` writes the open graph for PyTorch,
 * ONNX, Keras or TF.js (the exporters of `bricks export`) with a kept run's weights, `importModel` turns a Keras model
 * JSON or a TF.js model.json (+ shards) into a graph file with `bricks import`'s service and opens it. Each host only
 * says where files may go and come from (the web host: under its workspace; Electron: what its dialogs gave).
 *
 * Both run in the host's own process on tfjs's CPU backend (exact, always there): an export compiles the graph and
 * generates code, an import loads the original model and compares outputs — seconds at most for the lab's graphs.
 */
import path from 'node:path';
import type { ApiHandlers, OpenedFile } from '../../shared/contracts/api';
import type { ModelFile } from '../../shared/contracts/trainer';
import type { ExportFormat, ImportModelRequest, ModelFileEntry } from '../../shared/contracts/interop';
import type { GraphFile } from '../../shared/format/graphFileSchema';
import type { RunSummary } from '../../shared/format/runSummary';
import { selectBackend } from '../services/backends/selectBackend';
import { GraphCompileError } from '../services/compiler/compileGraph';
import { ExportError } from '../services/export/exportError';
import { exportSourceOf, ExportSourceError } from '../services/export/exportSource';
import { writeExport } from '../services/export/writeExport';
import { ImportModelError, importModelFile } from '../services/import/importModel';
import type { LabServices } from './labServices';

export type InteropHandlers = Pick<ApiHandlers, 'exportGraph' | 'importModel' | 'listModelFiles'>;

/** A folder an export writes into: `absolute` exists (created by the host), `display` is how the page names it. */
export interface ExportFolder {
  readonly absolute: string;
  readonly display: string;
  /** How a file written into it is shown to the page. */
  show(fileName: string): string;
}

/** The model an import reads and the graph file it writes (which must not exist unless `replace`). */
export interface ImportPlan {
  readonly model: string;
  readonly target: string;
  /** The user agreed to replace `target` (Electron's save dialog asks). */
  readonly replace?: boolean;
}

export interface InteropPaths {
  /** The open file a request names → absolute (it must be one the host may read); throws otherwise. */
  graphPath(path: string): Promise<string>;
  /** A new folder for an export of `name` to `format`; null when the user cancelled (Electron's folder dialog). */
  exportFolder(name: string, format: ExportFormat): Promise<ExportFolder | null>;
  /** Where the model comes from and the graph goes; null when the user cancelled. Throws for what the host refuses. */
  importPlan(request: ImportModelRequest): Promise<ImportPlan | null>;
  /** Opens the imported graph file as openFile does (remembering it, reporting its checkpoints). */
  open(absolute: string): Promise<OpenedFile>;
  /** How an absolute path, or a message naming one, is shown to the page. */
  display(text: string): string;
  /** Model JSONs the page may choose from without a dialog. */
  listModelFiles(): Promise<ModelFileEntry[]>;
}

/** The kept run to export: the one named, or the newest whose checkpoint reads back whole; undefined = none kept. */
async function keptRun(
  deps: Pick<LabServices, 'checkpoints' | 'training'>,
  file: GraphFile,
  graphFilePath: string | null,
  runId: string | undefined,
): Promise<{ run: RunSummary; files: ModelFile[] } | undefined> {
  const runs = file.runs ?? [];
  const read = async (run: RunSummary): Promise<{ files: ModelFile[] } | { reason: string }> => {
    if (deps.checkpoints) {
      const kept = await deps.checkpoints.read(run.id, graphFilePath);
      return kept.status === 'ok' ? { files: kept.files } : { reason: `its checkpoint is ${kept.status} (${kept.reason})` };
    }
    // Hosts without checkpoints (some tests): the trainer may still hold the run's model.
    const files = await deps.training.modelFiles?.(run.id).catch(() => undefined);
    return files ? { files } : { reason: 'the trainer no longer holds its model' };
  };
  if (runId !== undefined) {
    const run = runs.find((r) => r.id === runId);
    if (!run) {
      const known = runs.map((r) => r.id).join(', ');
      throw new ExportSourceError(`no run ${runId} in this graph (${known ? `its runs: ${known}` : 'it has no runs'})`);
    }
    const kept = await read(run);
    if ('reason' in kept) throw new ExportSourceError(`run ${run.id} cannot be exported: ${kept.reason}`);
    return { run, files: kept.files };
  }
  for (const run of [...runs].reverse()) {
    const kept = await read(run);
    if ('files' in kept) return { run, files: kept.files };
  }
  return undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function createInteropHandlers(deps: Pick<LabServices, 'checkpoints' | 'training'>, paths: InteropPaths): InteropHandlers {
  return {
    async exportGraph({ file, path: graphPath, format, runId, name }) {
      const graphFilePath = graphPath === null ? null : await paths.graphPath(graphPath);
      await selectBackend('cpu');
      let source;
      try {
        source = await exportSourceOf(file, await keptRun(deps, file, graphFilePath, runId));
      } catch (error) {
        if (error instanceof ExportSourceError || error instanceof GraphCompileError) throw new Error(`Cannot export: ${paths.display(error.message)}`, { cause: error });
        throw error;
      }
      try {
        const folder = await paths.exportFolder(name?.trim() || file.graph.metadata.name || 'model', format);
        if (!folder) return null;
        const sourceFile = graphFilePath ? path.basename(graphFilePath) : undefined;
        const written = await writeExport(source, format, folder.absolute, {
          ...(sourceFile ? { sourceFile } : {}),
          ...(file.training?.dataset ? { dataset: file.training.dataset } : {}),
        });
        return {
          status: 'exported',
          format,
          directory: folder.display,
          files: written.files.map((f) => folder.show(f)),
          ...(source.run ? { runId: source.run.id } : {}),
          weightsFrom: source.weightsFrom,
          summary: written.summary,
        };
      } catch (error) {
        if (error instanceof ExportError) {
          return { status: 'unsupported', format, message: error.message, problems: error.problems.map((p) => ({ nodeId: p.nodeId, type: p.type, reason: p.reason })) };
        }
        throw error;
      } finally {
        source.dispose();
      }
    },

    async importModel(request) {
      const plan = await paths.importPlan(request);
      if (!plan) return null;
      const shown = paths.display(plan.model);
      await selectBackend('cpu');
      try {
        const result = await importModelFile(plan.model, plan.target, { force: plan.replace === true });
        const opened = await paths.open(plan.target);
        return {
          status: 'imported',
          opened,
          source: shown,
          nodes: result.doc.nodes.length,
          edges: result.doc.edges.length,
          params: result.analysis.totals.params,
          ...(result.originalParams !== undefined ? { originalParams: result.originalParams } : {}),
          notes: result.notes,
          ...(result.dataset ? { dataset: result.dataset } : {}),
          ...(result.weights ? { weights: { runId: result.weights.runId, tensors: result.weights.tensors, maxOutputDiff: result.weights.maxOutputDiff } } : {}),
          ...(result.noWeights ? { noWeights: paths.display(result.noWeights) } : {}),
        };
      } catch (error) {
        if (error instanceof ImportModelError && error.code === 'unsupported') {
          return {
            status: 'unsupported',
            source: shown,
            message: `${plural(error.problems.length, 'layer')} of ${path.basename(plan.model)} cannot be imported; nothing was written`,
            problems: error.problems.map((p) => ({ layer: p.layer, className: p.className, reason: p.reason })),
          };
        }
        if (error instanceof ImportModelError || error instanceof GraphCompileError) {
          throw new Error(`Cannot import ${shown}: ${paths.display(error.message)}`, { cause: error });
        }
        throw error;
      }
    },

    async listModelFiles() {
      return paths.listModelFiles();
    },
  };
}
