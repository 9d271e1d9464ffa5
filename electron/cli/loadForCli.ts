/** Reading a graph file for a command: load + analyse, and the exit code a failure maps to. */
import { analyzeGraph } from '../../shared/inference/analyzeGraph';
import type { GraphAnalysis } from '../../shared/inference/types';
import type { GraphFile } from '../../shared/format/graphFileSchema';
import { readGraphFile, type ReadGraphFileError } from '../services/files/readGraphFile';
import { EXIT } from './command';

export type CliGraph =
  | { readonly ok: true; readonly path: string; readonly file: GraphFile; readonly analysis: GraphAnalysis; readonly migratedFrom?: number }
  | { readonly ok: false; readonly path: string; readonly error: ReadGraphFileError; readonly exitCode: number };

/**
 * A structurally invalid graph file (bad field, dangling edge, too many nodes) is a graph with problems (exit 1);
 * anything we cannot even read as a graph of this version is unusable (exit 2).
 */
export function exitCodeForLoadError(error: ReadGraphFileError): number {
  return error.code === 'invalid' || error.code === 'too-many-nodes' ? EXIT.problems : EXIT.unusable;
}

export async function loadForCli(path: string): Promise<CliGraph> {
  const result = await readGraphFile(path);
  if (!result.ok) return { ok: false, path, error: result.error, exitCode: exitCodeForLoadError(result.error) };
  const analysis = analyzeGraph(result.file.graph);
  return result.migratedFrom === undefined
    ? { ok: true, path, file: result.file, analysis }
    : { ok: true, path, file: result.file, analysis, migratedFrom: result.migratedFrom };
}
