/**
 * What an export starts from: the graph, its analysis, and a tfjs model with the weights to export — a kept run's
 * trained model (a named run, or the newest with a checkpoint) or, when the graph has no such run, the compiled
 * graph's freshly initialised weights. The per-node tfjs layer names come from compiling the graph, which names layers
 * after node ids exactly as when the run was trained.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GraphDocument, NodeId } from '../../../shared/document/model';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import type { RunSummary } from '../../../shared/format/runSummary';
import type { GraphAnalysis } from '../../../shared/inference/types';
import type { ModelFile } from '../../../shared/contracts/trainer';
import { compileGraph } from '../compiler/compileGraph';
import { findKeptRun } from '../evaluation/keptRuns';
import { loadModelFromFiles } from '../evaluation/modelFromFiles';
import type { LayerWeight, NodeWeights } from './pytorch/generatePytorch';

export interface ExportSource {
  readonly doc: GraphDocument;
  readonly analysis: GraphAnalysis;
  /** The model whose weights are exported (the run's, or the compiled one). */
  readonly model: tfl.LayersModel;
  readonly layerNames: ReadonlyMap<NodeId, readonly string[]>;
  /** The kept run the weights come from; undefined = freshly initialised. */
  readonly run?: RunSummary;
  /** The run's checkpoint files (model.json + weights.bin), when there is a run. */
  readonly runFiles?: readonly ModelFile[];
  /** Human words for where the weights come from. */
  readonly weightsFrom: string;
  dispose(): void;
}

export class ExportSourceError extends Error {
  override readonly name = 'ExportSourceError';
}

/**
 * The source for exporting `file`: with `runId`, that run (or an error); without, the newest run with a kept
 * checkpoint, else freshly initialised weights (seeded with `seed` when given).
 */
export async function loadExportSource(graphPath: string, file: GraphFile, runId?: string, seed?: number): Promise<ExportSource> {
  let kept: { run: RunSummary; files: readonly ModelFile[] } | undefined;
  if (runId !== undefined || (file.runs ?? []).length > 0) {
    const found = await findKeptRun(graphPath, file, runId);
    if (found.ok) kept = found;
    else if (runId !== undefined) throw new ExportSourceError(found.message);
  }
  return exportSourceOf(file, kept, seed);
}

/**
 * The source for exporting `file` with a kept run's checkpoint files (found by the caller: the CLI beside the file, the
 * app's hosts also in their pending store), or freshly initialised weights when `kept` is undefined. Throws
 * ExportSourceError when the run's model does not match the graph as it is now.
 */
export async function exportSourceOf(
  file: GraphFile,
  kept: { readonly run: RunSummary; readonly files: readonly ModelFile[] } | undefined,
  seed?: number,
): Promise<ExportSource> {
  const doc = file.graph;
  const compiled = compileGraph(doc, { seed });
  let runModel: tfl.LayersModel | undefined;
  const run: RunSummary | undefined = kept?.run;
  const runFiles: readonly ModelFile[] | undefined = kept?.files;
  if (kept) {
    try {
      runModel = await loadModelFromFiles([...kept.files]);
    } catch (error) {
      compiled.model.dispose();
      throw error;
    }
  }
  if (runModel) {
    // The run's model must have every layer the graph compiles to today, with the same weight shapes.
    const missing: string[] = [];
    for (const [nodeId, names] of compiled.layerNames) {
      for (const name of names) {
        const ours = findLayer(compiled.model, name);
        const theirs = findLayer(runModel, name);
        const shapes = (l: tfl.layers.Layer) => l.weights.map((w) => w.shape.join('x')).join(',');
        if (!ours || !theirs || shapes(theirs) !== shapes(ours)) missing.push(`'${nodeId}'`);
      }
    }
    const changed = [...new Set(missing)];
    if (changed.length > 0) {
      compiled.model.dispose();
      runModel.dispose();
      throw new ExportSourceError(
        `run ${run!.id} was trained on a different graph: its model does not match node${changed.length === 1 ? '' : 's'} ` +
          `${changed.join(', ')} — train the graph again to export it with trained weights`,
      );
    }
    compiled.model.dispose();
  }
  const model = runModel ?? compiled.model;
  const epochs = run?.epochs.length;
  return {
    doc,
    analysis: compiled.analysis,
    model,
    layerNames: compiled.layerNames,
    run,
    runFiles,
    weightsFrom: run
      ? `trained, from run ${run.id}${typeof epochs === 'number' ? ` (${epochs} epoch${epochs === 1 ? '' : 's'})` : ''}`
      : 'freshly initialised (no kept run)',
    dispose: () => model.dispose(),
  };
}

/** The source for a graph document with freshly initialised weights (seeded when `seed` is given). */
export function initialisedExportSource(doc: GraphDocument, seed?: number): ExportSource {
  const compiled = compileGraph(doc, { seed });
  return {
    doc,
    analysis: compiled.analysis,
    model: compiled.model,
    layerNames: compiled.layerNames,
    weightsFrom: 'freshly initialised (no kept run)',
    dispose: () => compiled.model.dispose(),
  };
}

/** The weight values of each node's tfjs layers, by short name (`kernel`, `bias`, `gamma`, `moving_mean`, …). */
export function nodeWeightsOf(model: tfl.LayersModel, layerNames: ReadonlyMap<NodeId, readonly string[]>): NodeWeights {
  return (nodeId) => {
    const names = layerNames.get(nodeId) ?? [];
    const out = new Map<string, LayerWeight>();
    for (const name of names) {
      const layer = findLayer(model, name);
      if (!layer) continue;
      const values = layer.getWeights();
      layer.weights.forEach((variable, i) => {
        const short = variable.originalName.split('/').pop()!;
        const value = values[i]!;
        out.set(short, { shape: [...value.shape], data: value.dataSync() as Float32Array });
      });
    }
    return out.size > 0 ? out : undefined;
  };
}

/**
 * The layer named `name`, also inside the nested sub-models the compiler assembles very deep graphs from
 * (see MAX_FLAT_LAYERS in compileGraph).
 */
export function findLayer(model: tfl.LayersModel, name: string): tfl.layers.Layer | undefined {
  for (const layer of model.layers) {
    if (layer.name === name) return layer;
    const inner = (layer as Partial<tfl.LayersModel>).layers;
    if (Array.isArray(inner)) {
      const found = findLayer(layer as tfl.LayersModel, name);
      if (found) return found;
    }
  }
  return undefined;
}
