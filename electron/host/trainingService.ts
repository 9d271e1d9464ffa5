/**
 * The web host's training: the trainer supervisor over a forked Node child. Electron main runs the same supervisor
 * over utilityProcess (electron/shell/utilityTrainingService.ts).
 */
import { TrainingHost, type TrainingHostOptions } from '../services/training/TrainingHost';
import type { TrainingService } from './labServices';

export function createTrainingService(options: TrainingHostOptions = {}): TrainingService {
  return new TrainingHost(options);
}
