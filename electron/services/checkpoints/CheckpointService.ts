/**
 * A host's checkpoints (web host and Electron main alike): catches each kept model as its run ends, carries checkpoints
 * to the file on Save / Save As, reports them on Open, and finds a run's model again when the trainer no longer
 * holds it (Export, evaluation after reopening).
 *
 * Where a run's checkpoint may be, in the order looked at: beside the file it is asked for (`<file>-runs/<runId>/`),
 * in the pending store (`<state>/checkpoints/<runId>/`, written at the end of the run), beside the file the document
 * was opened from (Save As).
 */
import path from 'node:path';
import type { RunEvent } from '../../../shared/contracts/api';
import { CHECKPOINT_META_FILE, DEFAULT_KEEP_CHECKPOINTS, type CheckpointReport } from '../../../shared/contracts/evaluation';
import type { ModelFile } from '../../../shared/contracts/trainer';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import type { RunSummary } from '../../../shared/format/runSummary';
import type { BundleCheckpoint } from '../files/graphBundle';
import type { ConfinedFolder } from '../files/workspaceFiles';
import type { TrainingService } from '../training/TrainingService';
import {
  checkpointDirFor,
  checkpointsFolderFor,
  copyCheckpoint,
  deleteCheckpoint,
  isRunFolderName,
  listCheckpointFolders,
  pendingCheckpointDir,
  readCheckpoint,
  verifyCheckpointFiles,
  writeCheckpoint,
  PENDING_CHECKPOINTS_FOLDER,
  type CheckpointLocationOptions,
  type CheckpointRead,
} from './checkpointStore';

/** Checkpoints of unsaved runs kept in the pending store (newest run ids); older ones are dropped as new runs end. */
export const MAX_PENDING_CHECKPOINTS = 10;

export interface CheckpointServiceOptions {
  /** The host's private state folder: the pending store is `<stateDir>/checkpoints/`. */
  readonly stateDir: string;
  /** Where graph files and the pending store must stay (the web host's workspace); default: each file's own folder. */
  readonly boundary?: ConfinedFolder;
  readonly log?: (line: string) => void;
}

/** Runs of a file that claim a checkpoint, newest last (the file's own order: runs are appended as they end). */
function claimedRuns(file: GraphFile): RunSummary[] {
  return (file.runs ?? []).filter((run) => run.checkpoint === true);
}

/** How many checkpoints a file keeps beside it. */
export function keepCountOf(file: GraphFile): number {
  return file.training?.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
}

/** The claimed runs split into the newest `keepCheckpoints` (kept) and the older ones (pruned). */
export function splitKept(file: GraphFile): { kept: RunSummary[]; pruned: RunSummary[] } {
  const claimed = claimedRuns(file);
  const keep = keepCountOf(file);
  const cut = Math.max(0, claimed.length - keep);
  return { kept: claimed.slice(cut), pruned: claimed.slice(0, cut) };
}

function prunedReason(file: GraphFile): string {
  return `pruned: only the newest ${keepCountOf(file)} are kept`;
}

/**
 * The status of every checkpoint `file` claims, oldest run first: runs beyond the newest `keepCheckpoints` are
 * `missing` ("pruned"), the others as found beside `filePath`. Never throws.
 */
export async function checkpointReports(file: GraphFile, filePath: string, location: CheckpointLocationOptions = {}): Promise<CheckpointReport[]> {
  const { kept, pruned } = splitKept(file);
  const reports = new Map<string, CheckpointReport>(pruned.map((run) => [run.id, { runId: run.id, status: 'missing', reason: prunedReason(file) }]));
  for (const run of kept) {
    const read = isRunFolderName(run.id)
      ? await readCheckpoint(checkpointDirFor(filePath, run.id), run.id, location)
      : ({ status: 'missing', reason: `run id "${run.id}" cannot name a checkpoint folder` } as const);
    reports.set(run.id, read.status === 'ok' ? { runId: run.id, status: 'ok' } : { runId: run.id, status: read.status, reason: read.reason });
  }
  return claimedRuns(file).map((run) => reports.get(run.id)!);
}

/**
 * Removes from `<target>-runs/` the checkpoints of the runs `file` claims beyond the newest `keepCheckpoints`; only
 * those run folders are touched, anything else in the folder is left alone. Resolves to the run ids removed; a folder
 * that cannot be removed is passed to `log` and kept.
 */
export async function pruneCheckpoints(
  file: GraphFile,
  target: string,
  location: CheckpointLocationOptions = {},
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const removed: string[] = [];
  for (const run of splitKept(file).pruned) {
    if (!isRunFolderName(run.id)) continue;
    try {
      if (await deleteCheckpoint(checkpointsFolderFor(target), run.id, location)) removed.push(run.id);
    } catch (error) {
      log(`checkpoint of run ${run.id} not pruned: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return removed;
}

export class CheckpointService {
  /** Captures in flight, by run id: Save waits for them so a Save right after a run ends still carries its model. */
  private readonly captures = new Map<string, Promise<void>>();
  /** The file each run's checkpoint was last seen beside (opened or saved here), for requests that name no file. */
  private readonly fileOfRun = new Map<string, string>();
  private readonly location: CheckpointLocationOptions;

  constructor(private readonly options: CheckpointServiceOptions) {
    this.location = options.boundary ? { boundary: options.boundary } : {};
  }

  /** Subscribes to the trainer's run events: every `finished` run whose summary says `checkpoint: true` is captured. */
  attach(training: Pick<TrainingService, 'onRunEvent' | 'modelFiles'>): () => void {
    return training.onRunEvent((event) => this.onRunEvent(event, training));
  }

  onRunEvent(event: RunEvent, training: Pick<TrainingService, 'modelFiles'>): void {
    const trainerEvent = event.event;
    if (trainerEvent.type !== 'finished' || trainerEvent.summary.checkpoint !== true) return;
    const { summary } = trainerEvent;
    if (!training.modelFiles) {
      this.log(`run ${summary.id}: this trainer cannot hand over models; no checkpoint kept`);
      return;
    }
    // Asked at once (in the event's turn): the trainer answers before it starts another run and drops this model.
    const files = training.modelFiles(summary.id);
    const capture = this.capture(summary, files)
      .catch((error: unknown) => this.log(`run ${summary.id}: checkpoint not kept: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => this.captures.delete(summary.id));
    this.captures.set(summary.id, capture);
  }

  /** Writes the run's model into the pending store, then keeps only the newest pending checkpoints. */
  async capture(summary: RunSummary, files: Promise<ModelFile[]> | ModelFile[]): Promise<void> {
    if (!summary.graphHash) throw new Error(`run ${summary.id} has no graphHash`);
    const dir = pendingCheckpointDir(this.options.stateDir, summary.id);
    await writeCheckpoint(dir, { runId: summary.id, graphHash: summary.graphHash, files: await files, ...(summary.dataset ? { dataset: summary.dataset } : {}) }, this.location);
    await this.prunePending();
  }

  /** Resolves once every capture in flight has ended (kept or not). */
  async settled(): Promise<void> {
    await Promise.all([...this.captures.values()]);
  }

  private async prunePending(): Promise<void> {
    const folder = path.join(path.resolve(this.options.stateDir), PENDING_CHECKPOINTS_FOLDER);
    // Run ids start with their ISO start time: name order is age order.
    const ids = await listCheckpointFolders(folder);
    for (const runId of ids.slice(0, Math.max(0, ids.length - MAX_PENDING_CHECKPOINTS))) {
      await deleteCheckpoint(folder, runId, this.location).catch((error: unknown) => this.log(`pending checkpoint ${runId} not removed: ${String(error)}`));
    }
  }

  /**
   * Before a save writes `file` to `target`: makes sure `<target>-runs/` holds the checkpoint of each kept run the
   * file claims — already there, or copied from the pending store, or from beside `source` (the file it was opened
   * from). Never fails the save: what cannot be found is reported and left missing. Reports every run the file
   * claims, oldest first, as opening the saved file would: runs beyond the newest `keepCheckpoints` are `missing`
   * ("pruned"; the save's prune removes them).
   */
  async carryTo(file: GraphFile, target: string, source?: string): Promise<CheckpointReport[]> {
    const { kept, pruned } = splitKept(file);
    await Promise.all(kept.map((run) => this.captures.get(run.id)).filter(Boolean));
    const reports: CheckpointReport[] = pruned.map((run) => ({ runId: run.id, status: 'missing', reason: prunedReason(file) }));
    for (const run of kept) reports.push(await this.carryRun(run.id, target, source));
    return reports;
  }

  private async carryRun(runId: string, target: string, source: string | undefined): Promise<CheckpointReport> {
    if (!isRunFolderName(runId)) return { runId, status: 'missing', reason: `run id "${runId}" cannot name a checkpoint folder` };
    const to = checkpointDirFor(target, runId);
    const there = await readCheckpoint(to, runId, this.location);
    if (there.status === 'ok') return { runId, status: 'ok' };
    const candidates = [pendingCheckpointDir(this.options.stateDir, runId)];
    if (source !== undefined && path.resolve(source) !== path.resolve(target)) candidates.push(checkpointDirFor(source, runId));
    const problems: string[] = [there.reason];
    for (const from of candidates) {
      try {
        const copied = await copyCheckpoint(from, to, runId, { from: this.location, to: this.location });
        if (copied.status === 'ok') return { runId, status: 'ok' };
        problems.push(copied.reason);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.log(reason);
        // A refused place (a link out of the boundary) already read as damaged: it stays so, with the write's reason.
        return { runId, status: there.status === 'damaged' ? 'damaged' : 'missing', reason };
      }
    }
    return { runId, status: there.status === 'damaged' ? 'damaged' : 'missing', reason: problems.join('; ') };
  }

  /**
   * After a save: removes from `<target>-runs/` the checkpoints of runs beyond the newest `keepCheckpoints`. Only run
   * folders of runs the file itself claims are touched; anything else in the folder is left alone.
   */
  async prune(file: GraphFile, target: string): Promise<string[]> {
    this.remember(file, target);
    return pruneCheckpoints(file, target, this.location, (line) => this.log(line));
  }

  /** On Open: the status of every checkpoint the file claims. Never throws; a bad sidecar is a warning. */
  async reportsFor(file: GraphFile, filePath: string): Promise<CheckpointReport[]> {
    this.remember(file, filePath);
    return checkpointReports(file, filePath, this.location);
  }

  /**
   * For a bundle of the file saved at `graphFilePath`: every checkpoint it keeps beside it, verified, with
   * checkpoint.json as on disk. A kept run whose checkpoint is not `ok` is left out and reported; older (pruned) runs
   * have none to carry.
   */
  async bundleOf(file: GraphFile, graphFilePath: string): Promise<{ checkpoints: BundleCheckpoint[]; leftOut: CheckpointReport[] }> {
    const checkpoints: BundleCheckpoint[] = [];
    const leftOut: CheckpointReport[] = [];
    for (const run of splitKept(file).kept) {
      const read = isRunFolderName(run.id)
        ? await readCheckpoint(checkpointDirFor(graphFilePath, run.id), run.id, this.location)
        : ({ status: 'missing', reason: `run id "${run.id}" cannot name a checkpoint folder` } as const);
      if (read.status === 'ok' && read.metaBytes) {
        checkpoints.push({ runId: run.id, files: [...read.files, { name: CHECKPOINT_META_FILE, bytes: read.metaBytes }] });
      } else {
        leftOut.push({ runId: run.id, status: read.status === 'ok' ? 'damaged' : read.status, ...(read.status !== 'ok' ? { reason: read.reason } : {}) });
      }
    }
    return { checkpoints, leftOut };
  }

  /**
   * An uploaded bundle's checkpoints (`runs`: files by name per run folder) for an unsaved document: each kept run the
   * file claims is verified as a checkpoint folder would be, and an `ok` one goes to the pending store, where the
   * next Save or Save As finds it. Reports every claimed run, as opening a file does; nothing else is taken.
   */
  async adoptUploaded(file: GraphFile, runs: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>): Promise<CheckpointReport[]> {
    const { kept, pruned } = splitKept(file);
    const reports: CheckpointReport[] = pruned.map((run) => ({ runId: run.id, status: 'missing', reason: prunedReason(file) }));
    for (const run of kept) {
      const files = runs.get(run.id);
      if (!files || !isRunFolderName(run.id)) {
        reports.push({ runId: run.id, status: 'missing', reason: `the bundle has no checkpoint for run ${run.id}` });
        continue;
      }
      const read = await verifyCheckpointFiles(run.id, (name) => files.get(name) ?? 'missing from the bundle (or larger than its checkpoint.json says)');
      if (read.status !== 'ok') {
        reports.push({ runId: run.id, status: read.status, reason: `run ${run.id} in the bundle: ${read.reason}` });
        continue;
      }
      const input = { runId: run.id, graphHash: read.meta.graphHash, files: read.files, createdAt: read.meta.createdAt, ...(read.meta.dataset ? { dataset: read.meta.dataset } : {}) };
      await writeCheckpoint(pendingCheckpointDir(this.options.stateDir, run.id), input, this.location);
      reports.push({ runId: run.id, status: 'ok' });
    }
    return reports;
  }

  /**
   * A run's checkpoint for Export, evaluation and prediction: beside `graphFilePath` (null: the file this run was last
   * opened or saved with here, if any), else in the pending store. `ok` carries the verified files.
   */
  async read(runId: string, graphFilePath: string | null): Promise<CheckpointRead> {
    if (!isRunFolderName(runId)) return { status: 'missing', reason: `run id "${runId}" cannot name a checkpoint folder` };
    await this.captures.get(runId);
    graphFilePath ??= this.fileOfRun.get(runId) ?? null;
    const beside = graphFilePath === null ? undefined : await readCheckpoint(checkpointDirFor(graphFilePath, runId), runId, this.location);
    if (beside?.status === 'ok') return beside;
    const pending = await readCheckpoint(pendingCheckpointDir(this.options.stateDir, runId), runId, this.location);
    if (pending.status === 'ok' || !beside) return pending;
    return beside;
  }

  /** The model files of a run's checkpoint (for Export), or an Error saying why there are none. */
  async modelFiles(runId: string, graphFilePath: string | null): Promise<ModelFile[]> {
    const read = await this.read(runId, graphFilePath);
    if (read.status === 'ok') return read.files;
    throw new Error(`Run ${runId} has no usable checkpoint (${read.status}: ${read.reason})`);
  }

  private remember(file: GraphFile, filePath: string): void {
    for (const run of claimedRuns(file)) this.fileOfRun.set(run.id, path.resolve(filePath));
  }

  private log(line: string): void {
    (this.options.log ?? ((text: string) => console.error(text)))(`checkpoints: ${line}`);
  }
}
