/**
 * Crash insurance: the renderer reports its document; shortly after each change (and periodically), if it has unsaved
 * changes, a copy goes to a private folder (never over the user's file). A clean exit deletes the copy, so a copy
 * found at start-up means the last session died, and it is offered back until the user restores or discards it.
 *
 * Two files in the state folder:
 * - `autosave.json`: this session's copy of its unsaved document (removed when the document becomes clean);
 * - `recovery.json`: the copy a dead session left, waiting for the user's answer. A session adopts the copy it finds
 *   at start-up into this file before it writes anything, so its own clean state can never delete it; if a copy is
 *   already waiting, the newer of the two is kept (the user worked past the older one's offer).
 *
 * All file work runs one task at a time, so a slow write can never land after (and undo) a later write or removal.
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GraphFile, Recovery } from '../../shared/contracts/api';
import { graphFileSchema } from '../../shared/format/graphFileSchema';
import { confinedFolder, type ConfinedFolder } from '../services/files/workspaceFiles';

/** A copy is written this long after the last reported change… */
export const AUTOSAVE_IDLE_MS = 1_500;
/** …and at least this often while changes keep coming. */
export const AUTOSAVE_MAX_WAIT_MS = 10_000;
/** Periodic safety net: writes anything still unwritten (e.g. after a failed write). */
export const AUTOSAVE_INTERVAL_MS = 30_000;

export interface AutosaveTiming {
  readonly idleMs: number;
  readonly maxWaitMs: number;
  readonly intervalMs: number;
}

interface AutosaveRecord {
  readonly savedAt: string;
  readonly originalPath: string | null;
  readonly file: GraphFile;
}

export interface DocumentState {
  readonly file: GraphFile;
  readonly path: string | null;
  readonly dirty: boolean;
}

export interface AutosaveOptions extends Partial<AutosaveTiming> {
  /** Where failed background writes are reported. */
  readonly log?: (line: string) => void;
  /**
   * The folder the copy must stay inside, links followed (the web host: its workspace, which holds the state
   * folder). Defaults to the state folder itself. A state folder that is a link to elsewhere is refused, not used.
   */
  readonly confineTo?: { readonly root: string; readonly description: string };
}

export class Autosave {
  private latest: DocumentState | undefined;
  /** The state the copy on disk reflects (a clean state: no copy). */
  private written: DocumentState | undefined;
  private running = false;
  private interval: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** When the oldest change not yet written was reported (for the max wait). */
  private unwrittenSince: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private adopted = false;
  private readonly copyPath: string;
  private readonly recoveryPath: string;
  private readonly timing: AutosaveTiming;
  private readonly log: (line: string) => void;
  private readonly folder: ConfinedFolder;
  /** The state folder is the boundary itself: it must exist before its real path can be taken. */
  private readonly createRoot: string | undefined;

  constructor(stateDir: string, options: AutosaveOptions = {}) {
    this.folder = confinedFolder(options.confineTo?.root ?? stateDir, options.confineTo?.description ?? 'the autosave folder');
    this.createRoot = options.confineTo ? undefined : stateDir;
    this.copyPath = path.join(stateDir, 'autosave.json');
    this.recoveryPath = path.join(stateDir, 'recovery.json');
    this.timing = {
      idleMs: options.idleMs ?? AUTOSAVE_IDLE_MS,
      maxWaitMs: options.maxWaitMs ?? AUTOSAVE_MAX_WAIT_MS,
      intervalMs: options.intervalMs ?? AUTOSAVE_INTERVAL_MS,
    };
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** Starts the timers: until then (and after dispose) copies are written only by explicit flushes. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.enqueue(async () => {}).catch((error: unknown) => this.log(`autosave: ${String(error)}`));
    this.interval = setInterval(() => this.flushInBackground(), this.timing.intervalMs);
    this.interval.unref();
  }

  report(state: DocumentState): void {
    this.latest = state;
    if (!this.running) return;
    const now = Date.now();
    this.unwrittenSince ??= now;
    const wait = Math.max(0, Math.min(this.timing.idleMs, this.unwrittenSince + this.timing.maxWaitMs - now));
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.flushInBackground(), wait);
    this.debounce.unref();
  }

  get state(): DocumentState | undefined {
    return this.latest;
  }

  /** Resolves when every write or removal asked for so far is done (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Writes the latest dirty document if it changed since the last write; a clean document removes the copy. */
  flush(): Promise<void> {
    return this.enqueue(() => this.writeLatest());
  }

  /**
   * The copy from a session that did not exit cleanly (or this session's own, when its page was reloaded): the newest
   * one, if it is still a readable graph. `discard` removes every waiting copy; if the page already reported the
   * restored document, it is written as this session's copy before the old one goes, so there is never a moment
   * without one.
   */
  takeRecovery(discard: boolean): Promise<Recovery | null> {
    return this.enqueue(async () => {
      if (discard) {
        this.written = undefined;
        await this.writeLatest();
        await rm(this.recoveryPath, { force: true });
        return null;
      }
      const waiting = await readCopy(this.recoveryPath);
      const own = await readCopy(this.copyPath);
      return newest(waiting, own);
    });
  }

  /**
   * Exit. `keepUnsaved`: the process is going away without asking (Ctrl+C on the web host), so unsaved work is
   * written and kept for next time; otherwise the user already chose (saved or discarded) and this session's copy
   * goes. A dead session's copy that was never answered stays for the next start.
   */
  async dispose(options: { keepUnsaved?: boolean } = {}): Promise<void> {
    this.running = false;
    if (this.interval) clearInterval(this.interval);
    if (this.debounce) clearTimeout(this.debounce);
    this.interval = this.debounce = undefined;
    if (options.keepUnsaved) {
      await this.flush();
      return;
    }
    await this.enqueue(() => rm(this.copyPath, { force: true }));
  }

  private flushInBackground(): void {
    this.debounce = undefined;
    this.flush().catch((error: unknown) => this.log(`autosave: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async writeLatest(): Promise<void> {
    const state = this.latest;
    this.unwrittenSince = undefined;
    if (!state || state === this.written) return;
    if (state.dirty) {
      const record: AutosaveRecord = { savedAt: new Date().toISOString(), originalPath: state.path, file: state.file };
      if (this.createRoot) await mkdir(this.createRoot, { recursive: true });
      else await this.folder.ensureFolder(path.dirname(this.copyPath));
      await this.folder.write(this.copyPath, JSON.stringify(record), { existing: 'replace' });
    } else {
      await rm(this.copyPath, { force: true });
    }
    // Only after success: a failed write is tried again by the next flush.
    this.written = state;
  }

  /** Moves a copy left by a dead session out of this session's way (see the file comment). */
  private async adoptPreviousCopy(): Promise<void> {
    const left = await readCopy(this.copyPath);
    if (!left) return;
    const waiting = await readCopy(this.recoveryPath);
    if (newest(waiting, left) === left) await rename(this.copyPath, this.recoveryPath);
    else await rm(this.copyPath, { force: true });
  }

  /** Runs file tasks one at a time; the first task of the session adopts the previous session's copy. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (!this.adopted) {
        this.adopted = true;
        await this.adoptPreviousCopy();
      }
      return task();
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/** A readable copy, or null; a damaged copy is worth nothing to the user and is removed rather than offered forever. */
async function readCopy(file: string): Promise<Recovery | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const raw = JSON.parse(text) as Partial<AutosaveRecord>;
    return {
      file: graphFileSchema.parse(raw.file),
      originalPath: typeof raw.originalPath === 'string' ? raw.originalPath : null,
      savedAt: typeof raw.savedAt === 'string' && !Number.isNaN(Date.parse(raw.savedAt)) ? raw.savedAt : new Date(0).toISOString(),
    };
  } catch {
    await rm(file, { force: true });
    return null;
  }
}

function newest(a: Recovery | null, b: Recovery | null): Recovery | null {
  if (!a || !b) return a ?? b;
  return Date.parse(b.savedAt) >= Date.parse(a.savedAt) ? b : a;
}
