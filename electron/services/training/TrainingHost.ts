/**
 * The trainer supervisor over a forked Node child: what the web host, the benchmarks and the tests use. Electron
 * main uses the same supervisor over utilityProcess (electron/shell/utilityTrainingService.ts).
 */
import { forkTrainer, type ForkTrainerOptions } from './forkTrainer';
import { TrainerSupervisor, type TrainerSupervisorOptions } from './TrainerSupervisor';

export type { StartRequest } from './TrainerSupervisor';
export type TrainingHostOptions = ForkTrainerOptions & TrainerSupervisorOptions;

export class TrainingHost extends TrainerSupervisor {
  constructor(options: TrainingHostOptions = {}) {
    super(() => forkTrainer(options), options);
  }
}
