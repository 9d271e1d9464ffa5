/**
 * Test stand-ins for hosts and services that need a trainer and run records but never train: a TrainingService that
 * answers every call without a trainer process, and a minimal finished run record with a kept checkpoint.
 */
import type { RunSummary } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import type { TrainingService } from '../training/TrainingService';

/** Starts "succeed" with `runId`, steering is a no-op, exports write nothing; override what a test looks at. */
export function idleTrainingService(overrides: Partial<TrainingService> = {}, runId = 'run-x'): TrainingService {
  return {
    start: async () => runId,
    pause: async () => {},
    resume: async () => {},
    stop: async () => {},
    exportModel: async () => [],
    onRunEvent: () => () => {},
    dispose: async () => {},
    ...overrides,
  };
}

export const SAMPLE_GRAPH_HASH = `sha256:${'cd'.repeat(32)}`;

/** A completed run that says it kept a checkpoint. */
export function sampleRun(id: string, patch: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    startedAt: '2026-12-06T10:00:00.000Z',
    status: 'completed',
    backend: 'cpu',
    config: DEFAULT_TRAINING_CONFIG,
    epochs: [],
    final: { loss: 0.1 },
    samplesPerSec: 1,
    wallTimeMs: 1,
    graphHash: SAMPLE_GRAPH_HASH,
    checkpoint: true,
    ...patch,
  };
}
