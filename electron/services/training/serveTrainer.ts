/**
 * The trainer loop behind a message port: validates every incoming message, runs one training at a time, and sends
 * only messages that pass the contract's own schemas.
 *
 * The model of the last completed or stopped run stays in memory so the host can ask for it (`exportModel`); the
 * next `start` disposes it. Export answers with the files' bytes: the trainer never writes to a user's folder.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  describeSchemaError,
  hostToTrainerSchema,
  trainerToHostSchema,
  type StartMessage,
  type TrainerMessage,
} from '../../../shared/contracts/trainer';
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
  /** Exports still reading the kept model: its disposal waits for them. */
  let exporting: Promise<unknown> = Promise.resolve();

  const send = (event: TrainerMessage) => {
    const checked = trainerToHostSchema.safeParse(event);
    if (checked.success) {
      port.post(checked.data);
      return;
    }
    const reason = `trainer produced an invalid '${event.type}' message: ${describeSchemaError(checked.error)}`;
    // A message we would send that breaks the contract is our bug: report it as a failure the host can show.
    port.post('requestId' in event ? { type: 'exportFailed', runId: event.runId, requestId: event.requestId, reason } : { type: 'failed', runId: event.runId, reason });
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

  const start = async (message: StartMessage) => {
    const control = new TrainingControl();
    active = { runId: message.runId, control };
    const runId = message.runId;
    // One trained model at a time: the previous run's goes as soon as a new run starts.
    releaseKept();
    try {
      const { summary, failure, model } = await runTraining(message.graph, message.dataset, message.config, {
        runId,
        control,
        keepModel: true,
        // A stop in the app should land within a batch; a stopped run's summary then has no test metrics.
        testOnStop: false,
        callbacks: {
          onStarted: (e) => send({ type: 'started', runId, ...e }),
          onBatch: (e) => send({ type: 'batch', runId, ...e }),
          onEpoch: (e) => send({ type: 'epoch', runId, ...e }),
          onPaused: (e) => send({ type: 'paused', runId, ...e }),
          onResumed: () => send({ type: 'resumed', runId }),
        },
      });
      // Keep only a model worth exporting: a diverged one (NaN weights) is dropped with its failure.
      if (model && !failure) kept = { runId, model };
      else model?.dispose();
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
    // Commands for a run that already ended are harmless: the UI may race the last event.
    if (!active || active.runId !== message.runId) return;
    if (message.type === 'pause') active.control.pause();
    else if (message.type === 'resume') active.control.resume();
    else active.control.stop();
  });
}
