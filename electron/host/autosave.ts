/**
 * Crash insurance: the renderer reports its document; every interval, if it has unsaved changes, a copy goes to a
 * private folder (never over the user's file). A clean exit deletes the copy, so a copy found at start-up means the
 * last session died, and it is offered back once.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GraphFile, Recovery } from '../../shared/contracts/api';
import { graphFileSchema } from '../../shared/format/graphFileSchema';
import { writeTextFileAtomic } from '../services/files/writeGraphFileAtomic';

export const AUTOSAVE_INTERVAL_MS = 30_000;

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

export class Autosave {
  private latest: DocumentState | undefined;
  private written: DocumentState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly recordPath: string;

  constructor(
    stateDir: string,
    private readonly intervalMs = AUTOSAVE_INTERVAL_MS,
  ) {
    this.recordPath = path.join(stateDir, 'autosave.json');
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  report(state: DocumentState): void {
    this.latest = state;
  }

  get state(): DocumentState | undefined {
    return this.latest;
  }

  /** Writes the latest dirty document if it changed since the last write; a clean document removes the copy. */
  async flush(): Promise<void> {
    const state = this.latest;
    if (!state || state === this.written) return;
    this.written = state;
    if (!state.dirty) {
      await rm(this.recordPath, { force: true });
      return;
    }
    const record: AutosaveRecord = { savedAt: new Date().toISOString(), originalPath: state.path, file: state.file };
    await mkdir(path.dirname(this.recordPath), { recursive: true });
    await writeTextFileAtomic(this.recordPath, JSON.stringify(record));
  }

  /** The copy from a session that did not exit cleanly, if any and if it is still a readable graph. */
  async takeRecovery(discard: boolean): Promise<Recovery | null> {
    let text: string;
    try {
      text = await readFile(this.recordPath, 'utf8');
    } catch {
      return null;
    }
    if (discard) {
      await rm(this.recordPath, { force: true });
      return null;
    }
    try {
      const raw = JSON.parse(text) as Partial<AutosaveRecord>;
      const file = graphFileSchema.parse(raw.file);
      return {
        file,
        originalPath: typeof raw.originalPath === 'string' ? raw.originalPath : null,
        savedAt: typeof raw.savedAt === 'string' ? raw.savedAt : new Date(0).toISOString(),
      };
    } catch {
      // A damaged copy is worth nothing to the user; drop it rather than offer it forever.
      await rm(this.recordPath, { force: true });
      return null;
    }
  }

  /**
   * Exit. `keepUnsaved`: the process is going away without asking (Ctrl+C on the web host), so unsaved work is
   * written and kept for next time; otherwise the user already chose (saved or discarded) and the copy goes.
   */
  async dispose(options: { keepUnsaved?: boolean } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (options.keepUnsaved && this.latest?.dirty) {
      await this.flush();
      return;
    }
    await rm(this.recordPath, { force: true });
  }
}
