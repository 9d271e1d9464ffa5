/**
 * The host side of the trainer: forks the trainer process on first use, validates every message both ways, and
 * turns a dead child (kill -9, out of memory) into a `failed` event for the run it was doing. After a crash the
 * next `start` forks a fresh trainer, so the host stays usable. Plain Node: no Electron here.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  datasetRefSchema,
  describeSchemaError,
  hostToTrainerSchema,
  trainerToHostSchema,
  type DatasetRef,
  type HostToTrainer,
  type ModelFile,
  type TrainerEvent,
} from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { ExportRequests, isExportReply } from './exportRequests';
import { newRunId } from './runTraining';
import { writeModelFiles } from './writeModelFiles';

export interface TrainingHostOptions {
  /** The trainer entry; defaults to trainerProcess.ts beside this file (run through tsx). */
  readonly entry?: string;
  readonly execArgv?: readonly string[];
  /** Receives the trainer's stdout/stderr lines (diagnostics); by default they are kept only for crash reports. */
  readonly onLog?: (line: string) => void;
}

export interface StartRequest {
  readonly runId?: string;
  readonly graph: GraphDocument;
  readonly dataset?: DatasetRef;
  readonly config: TrainingConfig;
}

type Listener = (event: TrainerEvent) => void;
/** The document type is readonly; the schema's input type is its mutable twin. Same data. */
type HostToTrainerGraph = Extract<HostToTrainer, { type: 'start' }>['graph'];

// V8's OOM report puts a native stack trace of a few KB after its FATAL ERROR line: keep enough to still see it.
const STDERR_TAIL_CHARS = 16_000;

export class TrainingHost {
  private child: ChildProcess | undefined;
  private readonly listeners = new Set<Listener>();
  private activeRunId: string | undefined;
  private stderrTail = '';
  private disposed = false;
  private readonly exports = new ExportRequests();

  constructor(private readonly options: TrainingHostOptions = {}) {}

  /** The run in progress, if any. */
  get currentRunId(): string | undefined {
    return this.activeRunId;
  }

  /** Process id of the trainer child (for diagnostics and tests), if one is running. */
  get trainerPid(): number | undefined {
    return this.child?.pid;
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a run and returns its id. Throws if a run is active or the request is invalid. */
  start(request: StartRequest): string {
    if (this.disposed) throw new Error('TrainingHost has been disposed');
    if (this.activeRunId) throw new Error(`A training run (${this.activeRunId}) is already in progress; stop it first`);
    const runId = request.runId ?? newRunId();
    const ref = datasetRefSchema.safeParse(request.dataset ?? { id: request.config.dataset });
    if (!ref.success) throw new Error(`Invalid start request: dataset.${describeSchemaError(ref.error)}`);
    const dataset = ref.data;
    this.post({ type: 'start', runId, graph: request.graph as HostToTrainerGraph, dataset, config: request.config });
    this.activeRunId = runId;
    return runId;
  }

  pause(runId: string): void {
    this.command('pause', runId);
  }
  resume(runId: string): void {
    this.command('resume', runId);
  }
  stop(runId: string): void {
    this.command('stop', runId);
  }

  /**
   * The trained model of a finished or stopped run, as tfjs layers files (model.json + weights.bin bytes). Only the
   * trainer's last run is kept, and only while that trainer process lives; otherwise this rejects saying why.
   */
  async modelFiles(runId: string): Promise<ModelFile[]> {
    if (this.disposed) throw new Error('TrainingHost has been disposed');
    if (runId === this.activeRunId) throw new Error(`Run ${runId} is still training; stop it or let it finish before exporting`);
    // No trainer (never started, or it died): no model to ask for, and forking a fresh one would not have it.
    if (!this.child) throw new Error(`Cannot export the model of run ${runId}: the trainer no longer holds it (it was restarted); train again`);
    const { requestId, reply } = this.exports.open();
    try {
      this.post({ type: 'exportModel', runId, requestId });
    } catch (error) {
      this.exports.fail(requestId, error instanceof Error ? error.message : String(error));
    }
    return reply;
  }

  /** Writes the model of `runId` into `dir` (see writeModelFiles) and returns the absolute paths, model.json first. */
  async exportModel(runId: string, dir: string): Promise<string[]> {
    return writeModelFiles(dir, await this.modelFiles(runId));
  }

  /** Ends the trainer process; a run in progress is reported as failed. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Wait for 'close' (the same event that reports the run as shut down); a trainer stuck in a long kernel
    // that ignores SIGTERM is killed outright.
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const forceKill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await closed;
    clearTimeout(forceKill);
  }

  private command(type: 'pause' | 'resume' | 'stop', runId: string): void {
    if (runId !== this.activeRunId) return; // the run already ended: nothing to steer
    this.post({ type, runId });
  }

  private post(message: HostToTrainer): void {
    const checked = hostToTrainerSchema.safeParse(message);
    if (!checked.success) throw new Error(`Invalid ${message.type} request: ${describeSchemaError(checked.error)}`);
    this.ensureChild().send(message);
  }

  private emit(event: TrainerEvent): void {
    if (event.type === 'finished' || event.type === 'failed') {
      if (event.runId === this.activeRunId) this.activeRunId = undefined;
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const entry = this.options.entry ?? fileURLToPath(new URL('./trainerProcess.ts', import.meta.url));
    const execArgv = this.options.execArgv ?? (entry.endsWith('.ts') ? ['--import', 'tsx'] : []);
    const child = fork(entry, [], {
      execArgv: [...execArgv],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.stderrTail = '';
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      if (this.options.onLog) for (const line of text.split('\n')) if (line.trim()) this.options.onLog(line);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.options.onLog) for (const line of chunk.toString().split('\n')) if (line.trim()) this.options.onLog(line);
    });
    child.stderr?.on('data', onOutput);
    child.on('message', (raw) => {
      const parsed = trainerToHostSchema.safeParse(raw);
      if (parsed.success) {
        if (isExportReply(parsed.data)) this.exports.settle(parsed.data);
        else this.emit(parsed.data);
        return;
      }
      const runId = this.activeRunId;
      if (runId) {
        this.emit({ type: 'failed', runId, reason: `trainer sent an invalid message: ${describeSchemaError(parsed.error)}` });
      }
    });
    child.on('error', (error) => {
      this.onChildGone(child, `trainer process error: ${error.message}`);
    });
    // 'close', not 'exit': it fires once stdout/stderr are drained, so the reason can quote the child's last words
    // (e.g. V8's "heap out of memory"), which 'exit' may precede.
    child.on('close', (code, signal) => {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      this.onChildGone(child, this.disposed ? 'the trainer process was shut down' : `trainer process exited unexpectedly (${how})`);
    });
    this.child = child;
    return child;
  }

  private onChildGone(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.exports.failAll(`the trainer process ended before the model was exported (${reason})`);
    const runId = this.activeRunId;
    if (!runId) return;
    // Name what the child said about its death (V8's "FATAL ERROR: … heap out of memory", an uncaught Error),
    // which is usually the real cause; native stack frames that follow it are noise.
    const lines = this.stderrTail.split('\n').map((l) => l.trim());
    const lastLine =
      lines.find((l) => /FATAL ERROR|out of memory/i.test(l)) ?? lines.filter((l) => /^(\w*Error\b|Error:)/.test(l)).pop();
    this.emit({ type: 'failed', runId, reason: lastLine && !this.disposed ? `${reason}: ${lastLine}` : reason });
  }
}
