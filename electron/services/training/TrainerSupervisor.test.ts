/** The trainer supervisor against an in-memory trainer: the run bookkeeping, crash reports and shutdown rules. */
import { describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../../shared/contracts/api';
import type { TrainerEvent } from '../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { fakeTrainers } from '../testing/fakeTrainerTransport';
import { XOR_MLP } from './referenceGraphs';
import { TrainerSupervisor, type TrainerSupervisorOptions } from './TrainerSupervisor';

const request = { graph: XOR_MLP, config: { ...DEFAULT_TRAINING_CONFIG, dataset: 'xor' } };

function setUp(options: TrainerSupervisorOptions = {}) {
  const fakes = fakeTrainers();
  const logs: string[] = [];
  const supervisor = new TrainerSupervisor(fakes.launch, { onLog: (line) => logs.push(line), ...options });
  const events: TrainerEvent[] = [];
  supervisor.onEvent((e) => events.push(e));
  /** The trainer reports the end of a run (any end frees the slot). */
  const end = (runId: string, reason = 'ended') => fakes.latest().reply({ type: 'failed', runId, reason });
  return { ...fakes, supervisor, events, logs, end };
}

describe('TrainerSupervisor', () => {
  it('mints run ids in the one run-id format and sends a validated start, launching the trainer on first use', async () => {
    const { supervisor, trainers, latest } = setUp();
    await expect(supervisor.start({ ...request, config: { ...request.config, epochs: 0 } })).rejects.toThrow(/Invalid start request: config.epochs/);
    expect(trainers).toHaveLength(0); // refused before any process was started
    const runId = await supervisor.start(request);
    expect(runId).toMatch(new RegExp(`^run-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z-${process.pid}-\\d+$`));
    expect(latest().last('start')).toMatchObject({ runId, dataset: { id: 'xor' }, config: { dataset: 'xor' } });
    expect(supervisor.currentRunId).toBe(runId);
    expect(supervisor.trainerPid).toBe(latest().pid);
  });

  it('trains a copy of the request: later edits to the graph never reach the trainer, even when the start had to wait', async () => {
    const { supervisor, latest, end } = setUp();
    const graph = structuredClone(XOR_MLP);
    const first = await supervisor.start({ ...request, graph });
    await supervisor.stop(first);
    const waiting = supervisor.start({ ...request, graph });
    (graph.nodes[1]!.params as Record<string, unknown>).units = 3; // edited on the canvas while the first run stops
    end(first);
    await waiting;
    for (const message of latest().sent.filter((m) => m.type === 'start')) {
      expect(message.type === 'start' && message.graph.nodes[1]!.params).toMatchObject({ units: 16 });
    }
  });

  it('refuses to steer a run it never started, and tells an ended run from an unknown one', async () => {
    const { supervisor, latest, end } = setUp();
    for (const action of ['pause', 'resume', 'stop'] as const) {
      await expect(supervisor[action]('run-made-up')).rejects.toThrow(
        'No run run-made-up: no run with this id was started here (or it ended long ago)',
      );
    }
    const runId = await supervisor.start(request);
    end(runId);
    await expect(supervisor.pause(runId)).rejects.toThrow(`Run ${runId} has already ended; it can no longer be paused`);
    await expect(supervisor.resume(runId)).rejects.toThrow(`Run ${runId} has already ended; it can no longer be resumed`);
    await expect(supervisor.stop(runId)).resolves.toBeUndefined();
    expect(latest().sent.map((m) => m.type)).toEqual(['start']);
  });

  it('forgets the oldest ended runs beyond its memory', async () => {
    const { supervisor, end } = setUp({ endedRunMemory: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await supervisor.start(request));
      end(ids.at(-1)!);
    }
    await expect(supervisor.pause(ids[0]!)).rejects.toThrow(`No run ${ids[0]}`);
    await expect(supervisor.pause(ids[1]!)).rejects.toThrow('already ended');
  });

  it('sends one stop; a stopping run cannot be paused, and stopping it again is a no-op', async () => {
    const { supervisor, latest } = setUp();
    const runId = await supervisor.start(request);
    await supervisor.pause(runId);
    await supervisor.stop(runId);
    await supervisor.stop(runId);
    await expect(supervisor.resume(runId)).rejects.toThrow(`Run ${runId} is stopping; it can no longer be resumed`);
    expect(latest().sent.map((m) => m.type)).toEqual(['start', 'pause', 'stop']);
  });

  it('a start right after a stop waits for the stopped run to end, then starts', async () => {
    const { supervisor, latest, end } = setUp();
    const first = await supervisor.start(request);
    await expect(supervisor.start(request)).rejects.toThrow(`A training run (${first}) is already in progress; stop it first`);
    await supervisor.stop(first);
    let second: string | undefined;
    const starting = supervisor.start(request).then((id) => (second = id));
    await Promise.resolve();
    expect(second).toBeUndefined(); // still stopping
    end(first);
    await starting;
    expect(second).not.toBe(first);
    expect(supervisor.currentRunId).toBe(second);
    expect(latest().sent.map((m) => m.type)).toEqual(['start', 'stop', 'start']);
  });

  it('of two starts waiting on a stopping run, one starts and the other is refused', async () => {
    const { supervisor, end } = setUp();
    const first = await supervisor.start(request);
    await supervisor.stop(first);
    const a = supervisor.start(request);
    const b = supervisor.start(request);
    end(first);
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra.status).toBe('fulfilled');
    expect(rb.status === 'rejected' && String(rb.reason)).toContain('is already in progress');
  });

  it('gives up waiting for a run that does not stop, saying so', async () => {
    const { supervisor } = setUp({ stopWaitMs: 30 });
    const first = await supervisor.start(request);
    await supervisor.stop(first);
    await expect(supervisor.start(request)).rejects.toThrow(`Run ${first} is still stopping after 0.03 s`);
    expect(supervisor.currentRunId).toBe(first);
  });

  it('passes valid events on (also as run events) and keeps export replies to itself', async () => {
    const { supervisor, latest, events } = setUp();
    const runEvents: RunEvent[] = [];
    supervisor.onRunEvent((e) => runEvents.push(e));
    const runId = await supervisor.start(request);
    latest().reply({ type: 'resumed', runId });
    expect(events).toEqual([{ type: 'resumed', runId }]);
    expect(runEvents).toEqual([{ runId, event: { type: 'resumed', runId } }]);
  });

  it('retires a trainer that breaks the contract: the run fails, a pending export fails, the next start gets a fresh trainer', async () => {
    const { supervisor, trainers, latest, events, end } = setUp();
    const previous = await supervisor.start(request);
    end(previous);
    const exporting = supervisor.modelFiles(previous);
    const runId = await supervisor.start(request);
    const broken = latest();
    broken.reply({ type: 'batch', runId, loss: 'NaN' });
    expect(events.at(-1)).toMatchObject({ type: 'failed', runId, reason: expect.stringMatching(/^trainer sent an invalid message: /) });
    await expect(exporting).rejects.toThrow(/invalid message/);
    expect(broken.kills).toEqual(['force']);
    broken.reply({ type: 'resumed', runId }); // its last words are ignored
    expect(events.at(-1)?.type).toBe('failed');
    await supervisor.start(request);
    expect(trainers).toHaveLength(2);
  });

  it('reports a dead trainer as a failed run quoting its last words, and the next start launches a fresh one', async () => {
    const { supervisor, trainers, latest, events } = setUp();
    const runId = await supervisor.start(request);
    const dying = latest();
    dying.write('stderr', '\n<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation fail');
    dying.write('stderr', 'ed - JavaScript heap out of memory\n 1: 0xb0 node::Abort() [node]\n');
    dying.exit({ code: null, signal: 'SIGABRT' });
    expect(events.at(-1)).toEqual({
      type: 'failed',
      runId,
      reason: 'trainer process exited unexpectedly (signal SIGABRT): FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    });
    expect(supervisor.currentRunId).toBeUndefined();
    await expect(supervisor.modelFiles(runId)).rejects.toThrow(/no longer holds it/);
    await supervisor.start(request);
    expect(trainers).toHaveLength(2);
    latest().write('stderr', 'TypeError: x is not a function\n    at run (trainer.js:1:1)\n');
    latest().exit({ code: 1, signal: null });
    expect(events.at(-1)).toMatchObject({ reason: 'trainer process exited unexpectedly (exit code 1): TypeError: x is not a function' });
  });

  it('names a broken channel, and fails exports that were waiting on the dead trainer', async () => {
    const { supervisor, latest, events, end } = setUp();
    const runId = await supervisor.start(request);
    end(runId);
    const exporting = supervisor.modelFiles(runId);
    const next = await supervisor.start(request);
    latest().exit({ code: null, signal: null, error: 'channel closed' });
    await expect(exporting).rejects.toThrow('the trainer process ended before the model was exported (trainer process error: channel closed)');
    expect(events.at(-1)).toEqual({ type: 'failed', runId: next, reason: 'trainer process error: channel closed' });
  });

  it('logs whole lines of output, however the chunks fall', async () => {
    const { supervisor, latest, logs } = setUp();
    await supervisor.start(request);
    latest().write('stdout', 'backend: w');
    latest().write('stdout', 'asm\nthreads: 2\n\npart');
    latest().write('stderr', 'warn\n');
    latest().exit({ code: 0, signal: null });
    expect(logs).toEqual(['backend: wasm', 'threads: 2', 'warn', 'part']);
  });

  it('keeps delivering events when a listener throws', async () => {
    const { supervisor, latest, events, logs } = setUp();
    supervisor.onEvent(() => {
      throw new Error('listener bug');
    });
    const runId = await supervisor.start(request);
    latest().reply({ type: 'resumed', runId });
    latest().reply({ type: 'resumed', runId });
    expect(events).toHaveLength(2);
    expect(logs.filter((l) => l.includes('listener bug'))).toHaveLength(2);
  });

  it('dispose asks the trainer to end, reports the run as shut down, and refuses new work', async () => {
    const { supervisor, latest, events } = setUp();
    const runId = await supervisor.start(request);
    await supervisor.dispose();
    expect(latest().kills).toEqual(['terminate']);
    expect(events.at(-1)).toEqual({ type: 'failed', runId, reason: 'the trainer process was shut down' });
    await expect(supervisor.start(request)).rejects.toThrow('shut down');
    await expect(supervisor.stop(runId)).rejects.toThrow('shut down');
  });

  it('dispose kills a trainer that ignores the request after the grace period', async () => {
    const { supervisor, latest } = setUp({ killGraceMs: 20 });
    await supervisor.start(request);
    latest().ignoresTerminate = true;
    await supervisor.dispose();
    expect(latest().kills).toEqual(['terminate', 'force']);
  });

  it('dispose never waits forever, and still reports the run', async () => {
    const { supervisor, latest, events } = setUp({ killGraceMs: 20 });
    const runId = await supervisor.start(request);
    latest().neverExits = true;
    await supervisor.dispose();
    expect(events.at(-1)).toEqual({ type: 'failed', runId, reason: 'the trainer process was shut down' });
  });

  it('dispose refuses a start that was waiting for a stopping run', async () => {
    const { supervisor } = setUp();
    const first = await supervisor.start(request);
    await supervisor.stop(first);
    const waiting = supervisor.start(request);
    await supervisor.dispose();
    await expect(waiting).rejects.toThrow('shut down');
  });

  it('asks the trainer without files first and sends the checkpoint only when it wants the model', async () => {
    const { supervisor, latest } = setUp();
    const runId = await supervisor.start(request);
    expect(supervisor.runSettings(runId)).toEqual({ config: request.config, dataset: { id: 'xor' } });
    const files = [{ name: 'model.json', bytes: new Uint8Array([123, 125]) }];
    let reads = 0;
    const answer = supervisor.predict({ runId: 'saved-run', shape: [2], values: [1, -1], modelFiles: async () => (reads++, files) });
    const first = latest().last('predict');
    expect(first).toMatchObject({ runId: 'saved-run', shape: [2], values: [1, -1] });
    expect(first.files).toBeUndefined();
    latest().reply({ type: 'requestFailed', runId: 'saved-run', requestId: first.requestId, reason: 'no model', needsModel: true });
    await vi.waitFor(() => expect(latest().sent.filter((m) => m.type === 'predict')).toHaveLength(2));
    const second = latest().last('predict');
    expect(second.files?.map((f) => f.name)).toEqual(['model.json']);
    latest().reply({ type: 'predicted', runId: 'saved-run', requestId: second.requestId, outputs: [0.25, 0.75], outputWidth: 2 });
    await expect(answer).resolves.toEqual({ outputs: [0.25, 0.75], outputWidth: 2 });
    expect(reads).toBe(1);
  });

  it("passes the checkpoint's reason on when the trainer wants a model there is none of, and fails requests of a dead trainer", async () => {
    const { supervisor, latest } = setUp();
    await supervisor.start(request);
    const evaluating = supervisor.evaluate({
      runId: 'old',
      dataset: { id: 'xor' },
      maxMistakes: 5,
      modelFiles: async () => {
        throw new Error('its checkpoint is missing (no folder)');
      },
    });
    const asked = latest().last('evaluate');
    expect(asked).toMatchObject({ runId: 'old', dataset: { id: 'xor' }, maxMistakes: 5 });
    latest().reply({ type: 'requestFailed', runId: 'old', requestId: asked.requestId, reason: 'no model', needsModel: true });
    await expect(evaluating).rejects.toThrow('Cannot evaluate run old: its checkpoint is missing (no folder)');

    const refused = supervisor.predict({ runId: 'r', shape: [3], values: [1, 2, 3], modelFiles: async () => undefined });
    latest().reply({ type: 'requestFailed', runId: 'r', requestId: latest().last('predict').requestId, reason: 'the model takes samples of shape 2, got 3' });
    await expect(refused).rejects.toThrow('Cannot predict with run r: the model takes samples of shape 2, got 3');

    const pending = supervisor.predict({ runId: 'r', shape: [2], values: [1, 2], modelFiles: async () => undefined });
    latest().exit({ code: null, signal: 'SIGKILL' });
    await expect(pending).rejects.toThrow(/^Cannot predict with run r: the trainer process ended before answering \(trainer process exited unexpectedly \(signal SIGKILL\)\)/);
  });
});
