/**
 * Which kept run of a saved graph file to use (the CLI's evaluate and predict): a named run, or the newest run whose
 * checkpoint beside the file reads back whole.
 */
import type { ModelFile } from '../../../shared/contracts/trainer';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import type { RunSummary } from '../../../shared/format/runSummary';
import { checkpointDirFor, readCheckpoint } from '../checkpoints/checkpointStore';

export type KeptRun =
  | { readonly ok: true; readonly run: RunSummary; readonly files: ModelFile[] }
  | { readonly ok: false; readonly message: string };

export async function findKeptRun(graphFilePath: string, file: GraphFile, runId?: string): Promise<KeptRun> {
  const runs = file.runs ?? [];
  if (runId !== undefined) {
    const run = runs.find((r) => r.id === runId);
    if (!run) {
      const known = runs.map((r) => r.id).join(', ');
      return { ok: false, message: `no run ${runId} in ${graphFilePath} (${known ? `its runs: ${known}` : 'it has no recorded runs'})` };
    }
    const read = await readCheckpoint(checkpointDirFor(graphFilePath, run.id), run.id);
    if (read.status !== 'ok') return { ok: false, message: `run ${run.id}: its checkpoint is ${read.status} (${read.reason})` };
    return { ok: true, run, files: read.files };
  }
  const problems: string[] = [];
  for (const run of [...runs].reverse()) {
    const read = await readCheckpoint(checkpointDirFor(graphFilePath, run.id), run.id);
    if (read.status === 'ok') return { ok: true, run, files: read.files };
    if (run.checkpoint === true) problems.push(`run ${run.id}: ${read.status} (${read.reason})`);
  }
  if (runs.length === 0) return { ok: false, message: `${graphFilePath} has no recorded runs: train it with bricks train --record first` };
  return {
    ok: false,
    message:
      `no run of ${graphFilePath} has a kept checkpoint` +
      (problems.length > 0 ? `: ${problems.join('; ')}` : ' (train it with bricks train --record to keep one)'),
  };
}
