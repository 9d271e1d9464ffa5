/**
 * The host side of the trainer, once for every host: starts a trainer process through a transport (fork or
 * utilityProcess) on first use, validates every message both ways, keeps the one run in progress, and turns a dead
 * trainer (kill -9, out of memory) into a `failed` event that quotes the process's last words. After a crash the next
 * `start` launches a fresh trainer, so the host stays usable; `dispose` ends the trainer and never waits forever.
 */
import type { RunEvent } from '../../../shared/contracts/api';
import type { PredictResult, RunEvaluation } from '../../../shared/contracts/evaluation';
import type { InsightProgress, LossLandscape, SignalPropagation } from '../../../shared/contracts/insight';
import {
  datasetRefSchema,
  describeSchemaError,
  hostToTrainerSchema,
  trainerToHostSchema,
  type DatasetRef,
  type HostToTrainer,
  type LandscapeProgressEvent,
  type ModelFile,
  type TrainerEvent,
} from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { EvaluationRequests, ExportRequests, TrainerRequestError, isEvaluationReply, isExportReply } from './exportRequests';
import { InsightRequestError, InsightRequests, isInsightReply, type InsightQueries, type LandscapeModelRequest, type SignalRequest } from '../insight/insightQueries';
import { newRunId } from './runId';
import type { TrainerExit, TrainerTransport, LaunchTrainer } from './trainerTransport';
import type { EvaluateModelRequest, ModelQueries, PredictModelRequest, RunSettings, TrainingService } from './TrainingService';
import { writeModelFiles } from './writeModelFiles';

export interface TrainerSupervisorOptions {
  /** Receives the trainer's stdout/stderr lines (diagnostics); by default they are kept only for crash reports. */
  readonly onLog?: (line: string) => void;
  /** After asking the trainer to end, how long dispose waits before killing it outright. */
  readonly killGraceMs?: number;
  /** How long a start waits for a stopping run to end (a run stops at its next batch boundary). */
  readonly stopWaitMs?: number;
  /** How many ended run ids to remember, to tell "already ended" from "never started here". */
  readonly endedRunMemory?: number;
}

/** What a run starts from. Its id is always minted here (newRunId), never taken from the caller. */
export interface StartRequest {
  readonly graph: GraphDocument;
  /** Defaults to the dataset the config names. */
  readonly dataset?: DatasetRef;
  readonly config: TrainingConfig;
  /** The document's .nbrick file (absolute): a relative `config.data.path` resolves beside it in the trainer. */
  readonly graphFilePath?: string;
}

type Listener = (event: TrainerEvent) => void;
type StartMessage = Extract<HostToTrainer, { type: 'start' }>;
type SteerCommand = 'pause' | 'resume' | 'stop';

/** One launched trainer process and what we keep of its output. */
interface Trainer {
  readonly transport: TrainerTransport;
  stderrTail: string;
  readonly exited: Promise<void>;
}

// V8's OOM report puts a native stack trace of a few KB after its FATAL ERROR line: keep enough to still see it.
const STDERR_TAIL_CHARS = 16_000;
const VERB: Record<SteerCommand, string> = { pause: 'paused', resume: 'resumed', stop: 'stopped' };

export class TrainerSupervisor implements TrainingService, ModelQueries, InsightQueries {
  private trainer: Trainer | undefined;
  private active: { readonly runId: string; stopping: boolean } | undefined;
  /** Ids of runs that ended, oldest first (a Set keeps insertion order). */
  private readonly endedRuns = new Set<string>();
  /** Woken when the active run ends or the supervisor is disposed. */
  private readonly runEndWaiters = new Set<() => void>();
  private readonly listeners = new Set<Listener>();
  private readonly exports = new ExportRequests();
  private readonly evaluations = new EvaluationRequests();
  private readonly insights = new InsightRequests();
  /** Landscape jobs in progress: the renderer's job id ↔ the trainer's request id. */
  private readonly insightJobs = new Map<string, number>();
  private readonly progressListeners = new Set<(progress: InsightProgress) => void>();
  /** What each run started here trained on (newest last, bounded like endedRuns): evaluating a run not saved yet needs it. */
  private readonly settings = new Map<string, RunSettings>();
  private disposed = false;
  private disposing: Promise<void> | undefined;

  constructor(
    private readonly launch: LaunchTrainer,
    private readonly options: TrainerSupervisorOptions = {},
  ) {}

  /** The run in progress (including one that is stopping), if any. */
  get currentRunId(): string | undefined {
    return this.active?.runId;
  }

  /** Process id of the trainer (diagnostics and tests), if one is running. */
  get trainerPid(): number | undefined {
    return this.trainer?.transport.pid;
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRunEvent(listener: (event: RunEvent) => void): () => void {
    return this.onEvent((event) => listener({ runId: event.runId, event }));
  }

  /**
   * Starts a run and resolves to its id. The request is copied first, so the run trains the graph as it was at this
   * call. A run that is stopping is waited for (up to `stopWaitMs`); an active run makes this reject.
   */
  async start(request: StartRequest): Promise<string> {
    this.assertOpen();
    const message = this.startMessage(request);
    while (this.active) {
      const run = this.active;
      if (!run.stopping) throw new Error(`A training run (${run.runId}) is already in progress; stop it first`);
      const waitMs = this.options.stopWaitMs ?? 10_000;
      if (!(await this.runEnd(waitMs))) {
        throw new Error(
          `Run ${run.runId} is still stopping after ${waitMs / 1000} s (it stops when its current batch ends); try again once it has stopped`,
        );
      }
      this.assertOpen();
      // Another start may have won the slot while we waited: the loop checks again.
    }
    this.ensureTrainer().transport.send(message); // validated by startMessage
    this.active = { runId: message.runId, stopping: false };
    this.settings.set(message.runId, {
      config: message.config,
      dataset: message.dataset,
      ...(message.graphFilePath !== undefined ? { graphFilePath: message.graphFilePath } : {}),
    });
    for (const oldest of this.settings.keys()) {
      if (this.settings.size <= (this.options.endedRunMemory ?? 256)) break;
      this.settings.delete(oldest);
    }
    return message.runId;
  }

  async pause(runId: string): Promise<void> {
    this.steer('pause', runId);
  }

  async resume(runId: string): Promise<void> {
    this.steer('resume', runId);
  }

  /** Stopping a run that already ended succeeds and does nothing: a Stop clicked as the run ends wanted just that. */
  async stop(runId: string): Promise<void> {
    this.steer('stop', runId);
  }

  /**
   * The trained model of a finished or stopped run, as tfjs layers files (model.json + weights.bin bytes). Only the
   * trainer's last run is kept, and only while that trainer process lives; otherwise this rejects saying why.
   */
  async modelFiles(runId: string): Promise<ModelFile[]> {
    this.assertOpen();
    if (runId === this.active?.runId) throw new Error(`Run ${runId} is still training; stop it or let it finish before exporting`);
    // No trainer (never started, or it died): no model to ask for, and a fresh one would not have it.
    if (!this.trainer) throw new Error(`Cannot export the model of run ${runId}: the trainer no longer holds it (it was restarted); train again`);
    const { requestId, reply } = this.exports.open();
    try {
      this.post({ type: 'exportModel', runId, requestId });
    } catch (error) {
      this.exports.fail(requestId, error instanceof Error ? error.message : String(error));
    }
    return reply;
  }

  runSettings(runId: string): RunSettings | undefined {
    return this.settings.get(runId);
  }

  /**
   * Evaluates a model on its run's test split in the trainer (which holds tfjs): the checkpoint's `files`, or without
   * them the model this trainer keeps for the run. Rejects with the trainer's reason, naming the run.
   */
  async evaluate(request: EvaluateModelRequest): Promise<RunEvaluation> {
    const { runId } = request;
    const reply = await this.askWithModel(request.modelFiles, (files) => (requestId) => ({
      type: 'evaluate',
      runId,
      requestId,
      dataset: request.dataset,
      ...(request.data ? { data: request.data } : {}),
      maxMistakes: request.maxMistakes,
      ...(files ? { files } : {}),
      ...(request.backend ? { backend: request.backend } : {}),
    })).catch((error: unknown) => {
      throw new Error(`Cannot evaluate run ${runId}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (reply.type !== 'evaluated') throw new Error(`Cannot evaluate run ${runId}: the trainer answered '${reply.type}'`);
    return reply.evaluation;
  }

  /**
   * Runs the model of `runId` on inputs. The trainer keeps the last model it loaded, so the files are read (with
   * `modelFiles`) and sent only when it asks for them.
   */
  async predict(request: PredictModelRequest): Promise<PredictResult> {
    const { runId, shape, values } = request;
    const reply = await this.askWithModel(request.modelFiles, (files) => (requestId) => ({
      type: 'predict',
      runId,
      requestId,
      shape: [...shape],
      values: [...values],
      ...(files ? { files } : {}),
    })).catch((error: unknown) => {
      throw new Error(`Cannot predict with run ${runId}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (reply.type !== 'predicted') throw new Error(`Cannot predict with run ${runId}: the trainer answered '${reply.type}'`);
    return { outputs: reply.outputs, outputWidth: reply.outputWidth };
  }

  /** Asks without files first (the trainer may hold the model); when it wants them, reads them and asks again. */
  private async askWithModel(
    modelFiles: () => Promise<ModelFile[] | undefined>,
    message: (files: ModelFile[] | undefined) => (requestId: number) => HostToTrainer,
  ) {
    try {
      return await this.ask(message(undefined));
    } catch (error) {
      if (!(error instanceof TrainerRequestError && error.needsModel)) throw error;
      const files = await modelFiles();
      if (!files) throw error;
      return this.ask(message(files));
    }
  }

  /** Sends an `evaluate` / `predict` request and resolves to its reply (rejects with TrainerRequestError when refused). */
  private ask(message: (requestId: number) => HostToTrainer) {
    this.assertOpen();
    const { requestId, reply } = this.evaluations.open();
    try {
      this.post(message(requestId));
    } catch (error) {
      this.evaluations.fail(requestId, error instanceof Error ? error.message : String(error));
    }
    return reply;
  }

  /** Signal propagation at initialisation of a graph, computed in the trainer (which holds tfjs). */
  async signalPropagation(request: SignalRequest): Promise<SignalPropagation> {
    const reply = await this.askInsight((requestId) => ({
      type: 'signalPropagation',
      requestId,
      graph: structuredClone(request.graph) as Extract<HostToTrainer, { type: 'signalPropagation' }>['graph'],
      config: request.config,
      ...(request.dataset ? { dataset: request.dataset } : {}),
      ...(request.data ? { data: request.data } : {}),
      ...(request.samples !== undefined ? { samples: request.samples } : {}),
    })).catch((error: unknown) => {
      throw new Error(`Cannot compute signal propagation: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (reply.type !== 'signalPropagated') throw new Error(`Cannot compute signal propagation: the trainer answered '${reply.type}'`);
    return reply.result;
  }

  /**
   * A loss landscape slice around the model of `runId`, as askWithModel does for evaluations: without files first,
   * then with the checkpoint's when the trainer asks. Progress goes to onInsightProgress listeners under `jobId`.
   */
  async lossLandscape(request: LandscapeModelRequest): Promise<LossLandscape> {
    const { runId, jobId } = request;
    if (this.insightJobs.has(jobId)) throw new Error(`A loss landscape with job id ${jobId} is already running`);
    const message = (files: ModelFile[] | undefined) => (requestId: number): HostToTrainer => {
      this.insightJobs.set(jobId, requestId);
      return {
        type: 'lossLandscape',
        runId,
        requestId,
        dataset: request.dataset,
        ...(request.data ? { data: request.data } : {}),
        ...(files ? { files } : {}),
        ...(request.backend ? { backend: request.backend } : {}),
        ...(request.options ? { options: request.options } : {}),
      };
    };
    try {
      let reply;
      try {
        reply = await this.askInsight(message(undefined));
      } catch (error) {
        if (!(error instanceof InsightRequestError && error.needsModel)) throw error;
        const files = await request.modelFiles();
        if (!files) throw error;
        reply = await this.askInsight(message(files));
      }
      if (reply.type !== 'landscapeComputed') throw new Error(`the trainer answered '${reply.type}'`);
      return reply.landscape;
    } catch (error) {
      if (error instanceof InsightRequestError && error.cancelled) throw error;
      throw new Error(`Cannot compute the loss landscape of run ${runId}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.insightJobs.delete(jobId);
    }
  }

  async cancelInsight(jobId: string): Promise<void> {
    const requestId = this.insightJobs.get(jobId);
    if (requestId !== undefined && this.trainer) this.post({ type: 'cancelInsight', requestId });
  }

  onInsightProgress(listener: (progress: InsightProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  private askInsight(message: (requestId: number) => HostToTrainer) {
    this.assertOpen();
    const { requestId, reply } = this.insights.open();
    try {
      this.post(message(requestId));
    } catch (error) {
      this.insights.fail(requestId, error instanceof Error ? error.message : String(error));
    }
    return reply;
  }

  private insightProgress(event: LandscapeProgressEvent): void {
    const jobId = [...this.insightJobs].find(([, requestId]) => requestId === event.requestId)?.[0];
    if (jobId === undefined) return;
    const { done, total, elapsedMs, etaMs } = event;
    for (const listener of [...this.progressListeners]) {
      try {
        listener({ jobId, done, total, elapsedMs, ...(etaMs !== undefined ? { etaMs } : {}) });
      } catch (error) {
        this.log(`insight progress listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Writes the model of `runId` into `dir` (see writeModelFiles) and returns the absolute paths, model.json first. */
  async exportModel(runId: string, dir: string): Promise<string[]> {
    return writeModelFiles(dir, await this.modelFiles(runId));
  }

  /**
   * Ends the trainer: asks it to exit, kills it after `killGraceMs`, and gives up waiting after as long again (a
   * process that ignores even that is left to the OS). A run in progress is reported as failed.
   */
  dispose(): Promise<void> {
    this.disposing ??= this.shutDown();
    return this.disposing;
  }

  private async shutDown(): Promise<void> {
    this.disposed = true;
    this.wakeRunEndWaiters();
    const trainer = this.trainer;
    if (!trainer) return;
    const graceMs = this.options.killGraceMs ?? 5_000;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const gaveUp = new Promise<void>((resolve) => {
      timers.push(setTimeout(() => trainer.transport.kill('force'), graceMs));
      timers.push(setTimeout(resolve, 2 * graceMs));
    });
    trainer.transport.kill('terminate');
    await Promise.race([trainer.exited, gaveUp]);
    for (const timer of timers) clearTimeout(timer);
    // Still here: it never reported its exit. Report the run now rather than never.
    this.trainerGone(trainer, { code: null, signal: null });
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('The trainer has been shut down (the lab is closing)');
  }

  /** A validated start message holding its own copy of the graph, dataset and config. */
  private startMessage(request: StartRequest): StartMessage {
    const dataset = datasetRefSchema.safeParse(request.dataset ?? { id: request.config.dataset });
    if (!dataset.success) throw new Error(`Invalid start request: dataset.${describeSchemaError(dataset.error)}`);
    const message = structuredClone({
      type: 'start' as const,
      runId: newRunId(),
      graph: request.graph as StartMessage['graph'],
      dataset: dataset.data,
      config: request.config,
      ...(request.graphFilePath !== undefined ? { graphFilePath: request.graphFilePath } : {}),
    });
    this.validate(message);
    return message;
  }

  private steer(command: SteerCommand, runId: string): void {
    this.assertOpen();
    const run = this.active;
    if (run?.runId === runId) {
      if (run.stopping) {
        if (command === 'stop') return;
        throw new Error(`Run ${runId} is stopping; it can no longer be ${VERB[command]}`);
      }
      this.post({ type: command, runId });
      if (command === 'stop') run.stopping = true;
      return;
    }
    if (this.endedRuns.has(runId)) {
      if (command === 'stop') return;
      throw new Error(`Run ${runId} has already ended; it can no longer be ${VERB[command]}`);
    }
    throw new Error(`No run ${runId}: no run with this id was started here (or it ended long ago)`);
  }

  private validate(message: HostToTrainer): void {
    const checked = hostToTrainerSchema.safeParse(message);
    if (!checked.success) throw new Error(`Invalid ${message.type} request: ${describeSchemaError(checked.error)}`);
  }

  private post(message: HostToTrainer): void {
    this.validate(message);
    this.ensureTrainer().transport.send(message);
  }

  /** Resolves true when the active run has ended, false after `timeoutMs` (or on dispose, which callers check). */
  private runEnd(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.runEndWaiters.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.runEndWaiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      this.runEndWaiters.add(wake);
    });
  }

  private wakeRunEndWaiters(): void {
    for (const wake of [...this.runEndWaiters]) wake();
  }

  private emit(event: TrainerEvent): void {
    // Bookkeeping first, so a listener that starts the next run on `finished` finds the slot free.
    if ((event.type === 'finished' || event.type === 'failed') && event.runId === this.active?.runId) {
      this.rememberEnded(event.runId);
      this.active = undefined;
      this.wakeRunEndWaiters();
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A throwing listener must not take the message loop (and the host process) down with it.
        this.log(`run event listener failed on '${event.type}': ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      }
    }
  }

  private rememberEnded(runId: string): void {
    this.endedRuns.add(runId);
    const limit = this.options.endedRunMemory ?? 256;
    for (const oldest of this.endedRuns) {
      if (this.endedRuns.size <= limit) break;
      this.endedRuns.delete(oldest);
    }
  }

  private log(line: string): void {
    if (this.options.onLog) this.options.onLog(line);
    else console.error(`[trainer] ${line}`);
  }

  private ensureTrainer(): Trainer {
    if (this.trainer) return this.trainer;
    const transport = this.launch();
    let markExited!: () => void;
    const trainer: Trainer = { transport, stderrTail: '', exited: new Promise<void>((resolve) => (markExited = resolve)) };
    const partial = { stdout: '', stderr: '' };
    transport.onOutput((stream, text) => {
      if (stream === 'stderr') trainer.stderrTail = (trainer.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      if (!this.options.onLog) return;
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.options.onLog(line);
    });
    transport.onMessage((raw) => this.received(trainer, raw));
    transport.onExit((exit) => {
      for (const stream of ['stdout', 'stderr'] as const) if (partial[stream].trim()) this.options.onLog?.(partial[stream]);
      markExited();
      this.trainerGone(trainer, exit);
    });
    this.trainer = trainer;
    return trainer;
  }

  private received(trainer: Trainer, raw: unknown): void {
    if (this.trainer !== trainer) return; // a retired trainer's last words
    const parsed = trainerToHostSchema.safeParse(raw);
    if (parsed.success) {
      if (isExportReply(parsed.data)) this.exports.settle(parsed.data);
      else if (isEvaluationReply(parsed.data)) this.evaluations.settle(parsed.data);
      else if (isInsightReply(parsed.data)) this.insights.settle(parsed.data);
      else if (parsed.data.type === 'landscapeProgress') this.insightProgress(parsed.data);
      else this.emit(parsed.data);
      return;
    }
    // A trainer that breaks the contract cannot be trusted with the run, or with the next: retire it.
    const reason = `trainer sent an invalid message: ${describeSchemaError(parsed.error)}`;
    this.trainer = undefined;
    trainer.transport.kill('force');
    this.exports.failAll(`Cannot export the model: ${reason}`);
    this.evaluations.failAll(reason);
    this.insights.failAll(reason);
    const run = this.active;
    if (run) this.emit({ type: 'failed', runId: run.runId, reason });
  }

  private trainerGone(trainer: Trainer, exit: TrainerExit): void {
    if (this.trainer !== trainer) return;
    this.trainer = undefined;
    const how = exit.error
      ? `trainer process error: ${exit.error}`
      : `trainer process exited unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`})`;
    const reason = this.disposed ? 'the trainer process was shut down' : how;
    this.exports.failAll(`the trainer process ended before the model was exported (${reason})`);
    this.evaluations.failAll(`the trainer process ended before answering (${reason})`);
    this.insights.failAll(`the trainer process ended before answering (${reason})`);
    const run = this.active;
    if (!run) return;
    const words = this.disposed ? undefined : lastWords(trainer.stderrTail);
    this.emit({ type: 'failed', runId: run.runId, reason: words ? `${reason}: ${words}` : reason });
  }
}

/**
 * What a dying process said about its death: V8's "FATAL ERROR: … heap out of memory", or the last uncaught Error
 * line. Native stack frames that follow are noise.
 */
export function lastWords(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.find((l) => /FATAL ERROR|out of memory/i.test(l)) ?? lines.filter((l) => /^(\w*Error\b|Error:)/.test(l)).pop();
}
