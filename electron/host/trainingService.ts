/**
 * Adapter from TRAINER's TrainingHost (electron/services/training) to the hosts' TrainingService view.
 * Until the trainer service lands, starting a run reports that clearly instead of pretending.
 */
import type { TrainingService } from './labServices';

export function createTrainingService(): TrainingService {
  const unavailable = async (): Promise<never> => {
    throw new Error('Training is not available in this build yet (trainer service missing).');
  };
  return {
    start: unavailable,
    pause: unavailable,
    resume: unavailable,
    stop: unavailable,
    onRunEvent: () => () => {},
    dispose: async () => {},
  };
}
