import type { GraphDocument } from '../../../../shared/document/model';
import type { OptimizerName } from '../../../../shared/format/trainingConfig';
import type { BackendName } from '../../backends/selectBackend';
import type { ReplicaLayout } from './replicaLayout';

/** What a replica worker gets at start (workerData): everything to rebuild the trainer's model and optimizer. */
export interface ReplicaInit {
  readonly replica: number;
  readonly graph: GraphDocument;
  readonly backend: BackendName;
  readonly wasmThreads?: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly seed: number;
  /** The compiled loss and metrics of the trainer's model (tfjs-layers names). */
  readonly loss: string;
  readonly metrics: string[];
  readonly inputShape: number[];
  /** The trainer's initial weights in `model.weights` order. */
  readonly weights: Float32Array[];
  readonly layout: ReplicaLayout;
  readonly buffer: SharedArrayBuffer;
}
