/**
 * The learning rate of every training step under a schedule (issue 12). Pure, so the trainer applies exactly what the
 * chart under the loss curve draws.
 *
 * Time is measured in epochs, per step (`step / batchesPerEpoch`), so every schedule is smooth over an epoch except
 * `step`, which jumps at epoch boundaries. Warm-up rises linearly from lr/W to lr over the first `warmupEpochs`
 * (W = its steps), then the schedule runs on the time after warm-up: `t = epoch − warmupEpochs`.
 * - constant: lr
 * - step: lr · factor^⌊t / everyEpochs⌋
 * - exponential: lr · factor^t
 * - cosine: min + (lr − min) · (1 + cos(π · t / T)) / 2, T = epochs − warmupEpochs (Loshchilov & Hutter 2017, no restarts)
 */
import type { LearningRateSchedule } from '../format/trainingConfig';

export interface ScheduleContext {
  readonly learningRate: number;
  readonly batchesPerEpoch: number;
  readonly epochs: number;
}

/** Learning rate of the 0-based global training step `step`. */
export function learningRateAt(schedule: LearningRateSchedule | undefined, step: number, ctx: ScheduleContext): number {
  const lr = ctx.learningRate;
  if (!schedule) return lr;
  const perEpoch = Math.max(1, ctx.batchesPerEpoch);
  const warmupSteps = Math.round((schedule.warmupEpochs ?? 0) * perEpoch);
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const t = (step - warmupSteps) / perEpoch;
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'step':
      return lr * schedule.factor ** Math.floor(t / schedule.everyEpochs + 1e-9);
    case 'exponential':
      return lr * schedule.factor ** t;
    case 'cosine': {
      const min = Math.min(schedule.minLearningRate ?? 0, lr);
      const total = Math.max(1e-9, ctx.epochs - warmupSteps / perEpoch);
      const progress = Math.min(1, t / total);
      return min + ((lr - min) * (1 + Math.cos(Math.PI * progress))) / 2;
    }
  }
}

/** The whole curve, one point per step (for charts: thin it to the chart's width). */
export function learningRateCurve(schedule: LearningRateSchedule | undefined, ctx: ScheduleContext, maxPoints = 400): { x: number; lr: number }[] {
  const steps = ctx.epochs * Math.max(1, ctx.batchesPerEpoch);
  const stride = Math.max(1, Math.ceil(steps / maxPoints));
  const out: { x: number; lr: number }[] = [];
  for (let s = 0; s < steps; s += stride) out.push({ x: s / Math.max(1, ctx.batchesPerEpoch), lr: learningRateAt(schedule, s, ctx) });
  const last = steps - 1;
  if (last >= 0 && (out.length === 0 || out[out.length - 1]!.x !== last / ctx.batchesPerEpoch)) {
    out.push({ x: last / Math.max(1, ctx.batchesPerEpoch), lr: learningRateAt(schedule, last, ctx) });
  }
  return out;
}
