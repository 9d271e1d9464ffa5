import os from 'node:os';
import type { TrainingWorkers } from '../../../../shared/format/trainingConfig';
import type { BackendInfo } from '../../backends/selectBackend';

/**
 * How many data-parallel replicas a run uses. `auto` takes 2 only where it pays: a backend that runs single-threaded
 * (wasm with 1 thread, cpu) on a machine with at least 2 cores; threaded wasm already uses the cores.
 * tfjs-node always trains with 1: it already runs multi-threaded, and its native addon is not made to load in a
 * second thread of the same process.
 */
export function resolveWorkers(requested: TrainingWorkers | undefined, backend: Pick<BackendInfo, 'name' | 'threads'>, cores = os.cpus().length): 1 | 2 {
  if (requested === 1 || requested === undefined || backend.name === 'tensorflow') return 1;
  if (requested === 2) return 2;
  const singleThreaded = backend.name === 'cpu' || (backend.name === 'wasm' && (backend.threads ?? 1) <= 1);
  return singleThreaded && cores >= 2 ? 2 : 1;
}
