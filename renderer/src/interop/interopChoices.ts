/**
 * The plain parts of File → Export… and File → Import… (ExportDialog.tsx, ImportDialog.tsx): which runs can give their
 * weights to an export, and how files chosen in the page travel to the web host. No React, no stores.
 */
import type { CheckpointReport } from '../../../shared/contracts/evaluation';
import type { RunSummary } from '../../../shared/format/runSummary';
import { runOutcomeText } from '../training/runDescriptions';

export interface RunChoice {
  readonly runId: string;
  /** "Run 3": the run's name in the run history. */
  readonly name: string;
  readonly label: string;
}

/**
 * Runs whose weights an export can use, newest first: finished or stopped runs that keep a checkpoint (or the run that
 * just ended here, `liveRunId`, whose checkpoint is being written), leaving out those whose checkpoint was reported
 * missing or damaged when the file was opened. `number` is the run's place in the history (1 = oldest), as the
 * Training panel numbers it.
 */
export function keptRunChoices(
  runs: readonly RunSummary[],
  reports: ReadonlyMap<string, CheckpointReport>,
  liveRunId?: string,
): RunChoice[] {
  const choices: RunChoice[] = [];
  runs.forEach((run, i) => {
    if (run.status === 'failed') return;
    if (run.checkpoint !== true && run.id !== liveRunId) return;
    const report = reports.get(run.id);
    if (report && report.status !== 'ok') return;
    const name = `Run ${i + 1}`;
    choices.push({ runId: run.id, name, label: `${name} · ${runOutcomeText(run)} · ${run.config.dataset}` });
  });
  return choices.reverse();
}

/** The bytes of a file as base64, in chunks (a spread of a few MB into String.fromCharCode would overflow the stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** Largest upload (all files together) that still fits one message to the web host once base64-encoded. */
export const MAX_UPLOAD_BYTES = 36 * 1024 * 1024;

/** Why a set of chosen files cannot be uploaded for import, or undefined when they can. */
export function uploadProblem(files: readonly { readonly name: string; readonly size: number }[]): string | undefined {
  if (files.length === 0) return 'Choose model.json and its weight files.';
  const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (jsons.length === 0) return 'None of the chosen files is a model JSON (.json).';
  if (jsons.length > 1) return `Choose one model JSON at a time (chosen: ${jsons.map((f) => f.name).join(', ')}).`;
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_UPLOAD_BYTES) {
    return `The files are ${(total / 1024 / 1024).toFixed(1)} MB together; the upload limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. Copy them into the workspace folder and choose them from there.`;
  }
  return undefined;
}

/** A graph name from a chosen model file: its name without `.json` (a TF.js `model.json` has no better one). */
export function graphNameFor(fileName: string): string {
  const base = fileName.replace(/\.json$/i, '');
  return base.toLowerCase() === 'model' ? 'imported-model' : base;
}
