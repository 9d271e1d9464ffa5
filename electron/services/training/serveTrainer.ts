/**
 * The trainer loop behind a message port: validates every incoming message, runs one training at a time, and sends
 * only messages that pass the contract's own schemas.
 *
 * The model of the last completed or stopped run stays in memory so the host can ask for it (`exportModel`,
 * `evaluate`, `predict`); the next `start` disposes it. A checkpoint sent with `evaluate` or `predict` is loaded and
 * kept too (the last one only), so "Try it" sends a model once and then only inputs. Export answers with the
 * files' bytes: the trainer never writes to a user's folder.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import {
  describeSchemaError,
  hostToTrainerSchema,
  trainerToHostSchema,
  type HostToTrainer,
  type StartMessage,
  type TrainerMessage,
} from '../../../shared/contracts/trainer';
import { selectBackend, type BackendPreference } from '../backends/selectBackend';
import { loadDataset } from '../datasets/loadDataset';
import { loadUserData } from '../data/loadUserData';
import { evaluateModel } from '../evaluation/evaluateModel';
import { loadModelFromFiles } from '../evaluation/modelFromFiles';
import { predictBatched } from '../evaluation/predictBatched';
import { createInsightServer, isInsightMessage } from '../insight/serveInsight';
import { modelToFiles } from './modelFiles';
import { runTraining } from './runTraining';
import { TrainingControl } from './trainingControl';
import type { TrainerPort } from './trainerPort';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function serveTrainer(port: TrainerPort): void {
  let active: { runId: string; control: TrainingControl } | undefined;
  let kept: { runId: string; model: tfl.LayersModel } | undefined;
  /** The last checkpoint loaded for `evaluate` / `predict`. */
  let loaded: { runId: string; model: tfl.LayersModel } | undefined;
  /** Exports, evaluations and predictions still reading a model, in order: disposals wait for them. */
  let exporting: Promise<unknown> = Promise.resolve();
  /** The backend the last run or request used. */
  let backendInUse: BackendPreference | undefined;

  const send = (event: TrainerMessage) => {
    const checked = trainerToHostSchema.safeParse(event);
    if (checked.success) {
      port.post(checked.data);
      return;
    }
    const reason = `trainer produced an invalid '${event.type}' message: ${describeSchemaError(checked.error)}`;
    // A message we would send that breaks the contract is our bug: report it as a failure the host can show.
    if (isInsightEvent(event)) {
      port.post({ type: 'insightFailed', requestId: event.requestId, reason });
      return;
    }
    const replyFailed =
      event.type === 'evaluated' || event.type === 'predicted'
        ? { type: 'requestFailed', runId: event.runId, requestId: event.requestId, reason }
        : { type: 'exportFailed', runId: event.runId, requestId: (event as { requestId: number }).requestId, reason };
    port.post('requestId' in event ? replyFailed : { type: 'failed', runId: event.runId, reason });
  };

  const releaseKept = () => {
    const previous = kept;
    kept = undefined;
    if (previous) exporting = exporting.finally(() => previous.model.dispose());
  };

  const exportModel = (runId: string, requestId: number) => {
    const fail = (reason: string) => send({ type: 'exportFailed', runId, requestId, reason });
    if (active?.runId === runId) return fail('the run is still training; stop it or let it finish first');
    if (!kept || kept.runId !== runId) {
      return fail(kept ? `only the last finished run (${kept.runId}) can be exported` : 'no trained model is kept for it (only the last completed or stopped run of this trainer is)');
    }
    const { model } = kept;
    const job = modelToFiles(model).then(
      (files) => send({ type: 'exported', runId, requestId, files }),
      (error: unknown) => fail(messageOf(error)),
    );
    exporting = exporting.then(() => job);
  };

  type ModelRequest = Extract<HostToTrainer, { type: 'evaluate' | 'predict' }>;

  /** The model a request means: its own files (loaded and kept), else what this trainer holds for the run. */
  const modelFor = async (message: ModelRequest): Promise<tfl.LayersModel | undefined> => {
    if (message.files) {
      const model = await loadModelFromFiles(message.files);
      const previous = loaded;
      loaded = { runId: message.runId, model };
      previous?.model.dispose();
      return model;
    }
    if (loaded?.runId === message.runId) return loaded.model;
    if (kept?.runId === message.runId && active?.runId !== message.runId) return kept.model;
    return undefined;
  };

  /**
   * A run in progress keeps its backend; otherwise the one asked for (the run's own), else the current one, else
   * `auto`. selectBackend also installs what tfjs-layers needs, so it runs before any model is loaded.
   */
  const useBackend = async (wanted: BackendPreference | undefined): Promise<string> => {
    if (active) return tf.getBackend();
    const current = backendInUse;
    const fallback = current ?? 'auto';
    // The run's own backend when this machine has it; a model trained elsewhere on tfjs-node still evaluates here.
    await selectBackend(wanted && wanted !== 'auto' ? wanted : fallback).catch(() => selectBackend(fallback));
    backendInUse = tf.getBackend() as BackendPreference;
    return backendInUse;
  };

  const answer = (message: ModelRequest) => {
    const { runId, requestId } = message;
    const run = async () => {
      const backend = await useBackend(message.type === 'evaluate' ? message.backend : undefined);
      const model = await modelFor(message);
      if (!model) {
        const reason = active?.runId === runId ? 'the run is still training' : `this trainer holds no model for run ${runId}`;
        send({ type: 'requestFailed', runId, requestId, reason, needsModel: true });
        return;
      }
      if (message.type === 'evaluate') {
        // A run on the user's own data: its test split with the run's recorded preprocessing (a changed file is refused).
        const data = message.data
          ? await loadUserData(message.data.spec, message.data.graphFilePath !== undefined ? { graphFilePath: message.data.graphFilePath } : {})
          : loadDataset(message.dataset.id, message.dataset.options ?? {});
        const evaluation = evaluateModel(model, data, {
          runId,
          backend,
          maxMistakes: message.maxMistakes,
          ...(message.dataset.options ? { datasetOptions: message.dataset.options } : {}),
        });
        send({ type: 'evaluated', runId, requestId, evaluation });
        return;
      }
      const size = message.shape.reduce((a, b) => a * b, 1);
      if (message.values.length % size !== 0) {
        throw new Error(`${message.values.length} values do not split into samples of shape ${message.shape.join('×')}`);
      }
      const inputShape = model.inputs[0]?.shape.slice(1) ?? [];
      if (inputShape.length !== message.shape.length || inputShape.some((d, i) => d !== null && d !== message.shape[i])) {
        throw new Error(`the model takes samples of shape ${inputShape.join('×')}, got ${message.shape.join('×')}`);
      }
      const { outputs, outputWidth } = predictBatched(model, Float32Array.from(message.values), message.values.length / size, message.shape);
      send({ type: 'predicted', runId, requestId, outputs: Array.from(outputs), outputWidth });
    };
    // One at a time, after the reads before it: a checkpoint loaded by the next request replaces (disposes) this one's.
    exporting = exporting.then(run).catch((error: unknown) => send({ type: 'requestFailed', runId, requestId, reason: messageOf(error) }));
  };

  const answerInsight = createInsightServer({
    send,
    useBackend,
    heldModel: (runId) => (loaded?.runId === runId ? loaded.model : kept?.runId === runId && active?.runId !== runId ? kept.model : undefined),
    enqueue: (job) => {
      exporting = exporting.then(job);
    },
  });

  const start = async (message: StartMessage) => {
    const control = new TrainingControl();
    active = { runId: message.runId, control };
    const runId = message.runId;
    // One trained model at a time: the previous run's goes as soon as a new run starts.
    releaseKept();
    try {
      const { summary: trained, failure, model } = await runTraining(message.graph, message.dataset, message.config, {
        runId,
        control,
        ...(message.graphFilePath !== undefined ? { graphFilePath: message.graphFilePath } : {}),
        keepModel: true,
        // A stop in the app should land within a batch; a stopped run's summary then has no test metrics.
        testOnStop: false,
        callbacks: {
          onStarted: (e) => {
            backendInUse = e.backend.name as BackendPreference;
            send({ type: 'started', runId, ...e });
          },
          onBatch: (e) => send({ type: 'batch', runId, ...e }),
          onEpoch: (e) => send({ type: 'epoch', runId, ...e }),
          onPaused: (e) => send({ type: 'paused', runId, ...e }),
          onResumed: () => send({ type: 'resumed', runId }),
          onBoundary: (e) => send({ type: 'boundary', runId, ...e }),
          onTelemetry: (e) => send({ type: 'telemetry', runId, ...e }),
        },
      });
      // Keep only a model worth exporting: a diverged one (NaN weights) is dropped with its failure. The summary says
      // so (`checkpoint: true`): the host asks for the kept model when the run ends and stores it as its checkpoint.
      if (model && !failure) kept = { runId, model };
      else model?.dispose();
      const summary = kept?.runId === runId ? { ...trained, checkpoint: true as const } : trained;
      if (failure) send({ type: 'failed', runId, reason: failure.reason, ...(failure.epoch ? { epoch: failure.epoch } : {}), ...(failure.batch ? { batch: failure.batch } : {}), summary });
      else send({ type: 'finished', runId, summary });
    } catch (error) {
      send({ type: 'failed', runId, reason: messageOf(error) });
    } finally {
      active = undefined;
    }
  };

  port.onMessage((raw) => {
    const parsed = hostToTrainerSchema.safeParse(raw);
    if (!parsed.success) {
      const runId = typeof (raw as { runId?: unknown })?.runId === 'string' ? (raw as { runId: string }).runId : '(unknown)';
      send({ type: 'failed', runId: runId || '(unknown)', reason: `trainer received an invalid message: ${describeSchemaError(parsed.error)}` });
      return;
    }
    const message = parsed.data;
    if (message.type === 'start') {
      if (active) {
        send({ type: 'failed', runId: message.runId, reason: `a run (${active.runId}) is already in progress in this trainer` });
        return;
      }
      void start(message);
      return;
    }
    if (message.type === 'exportModel') {
      exportModel(message.runId, message.requestId);
      return;
    }
    if (message.type === 'evaluate' || message.type === 'predict') {
      answer(message);
      return;
    }
    if (isInsightMessage(message)) {
      answerInsight(message);
      return;
    }
    // Commands for a run that already ended are harmless: the UI may race the last event.
    if (!active || active.runId !== message.runId) return;
    if (message.type === 'pause') active.control.pause();
    else if (message.type === 'resume') active.control.resume();
    else active.control.stop();
  });
}

type InsightEvent = Extract<TrainerMessage, { type: 'signalPropagated' | 'landscapeComputed' | 'landscapeProgress' | 'insightFailed' }>;
const isInsightEvent = (event: TrainerMessage): event is InsightEvent =>
  event.type === 'signalPropagated' || event.type === 'landscapeComputed' || event.type === 'landscapeProgress' || event.type === 'insightFailed';
