/**
 * The trainer loop behind a message port: validates every incoming message, runs one training at a time, and sends
 * only messages that pass the contract's own schemas.
 */
import {
  describeSchemaError,
  hostToTrainerSchema,
  trainerToHostSchema,
  type StartMessage,
  type TrainerEvent,
} from '../../../shared/contracts/trainer';
import { runTraining } from './runTraining';
import { TrainingControl } from './trainingControl';
import type { TrainerPort } from './trainerPort';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function serveTrainer(port: TrainerPort): void {
  let active: { runId: string; control: TrainingControl } | undefined;

  const send = (event: TrainerEvent) => {
    const checked = trainerToHostSchema.safeParse(event);
    // A message we would send that breaks the contract is our bug: report it as a failure the host can show.
    port.post(
      checked.success
        ? checked.data
        : { type: 'failed', runId: event.runId, reason: `trainer produced an invalid '${event.type}' message: ${describeSchemaError(checked.error)}` },
    );
  };

  const start = async (message: StartMessage) => {
    const control = new TrainingControl();
    active = { runId: message.runId, control };
    const runId = message.runId;
    try {
      const { summary, failure } = await runTraining(message.graph, message.dataset, message.config, {
        runId,
        control,
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
    // Commands for a run that already ended are harmless: the UI may race the last event.
    if (!active || active.runId !== message.runId) return;
    if (message.type === 'pause') active.control.pause();
    else if (message.type === 'resume') active.control.resume();
    else active.control.stop();
  });
}
