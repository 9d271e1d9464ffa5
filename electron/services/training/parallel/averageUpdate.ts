/**
 * The rows-weighted average of the two replicas' gradients and moving statistics, in its own module because both
 * threads compute it (DataParallel.ts and replicaWorker.ts) and must get the same bits from the same inputs.
 */

/**
 * out = a·wa + b·wb, element by element (in double precision, stored as float32): the same formula as before, so the
 * same bits. A small function of its own so the JIT compiles a tight loop (~20 µs for the bench CNN's 34k weights)
 * rather than a loop inside the async trainOnBatch's state machine.
 */
export function weightedSum(out: Float32Array, a: Float32Array, wa: number, b: Float32Array, wb: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = a[i]! * wa + b[i]! * wb;
}

/**
 * The update both replicas apply: the rows-weighted mean of the trainer's (g0, s0; n0 rows) and the worker's (g1, s1;
 * n1 rows) gradients and moving statistics. The one formula both threads use (replicaWorker.ts calls it too), so the
 * same inputs give the same bits on both. n1 = 0 (a 1-row batch): the trainer's own, copied (g1 may hold anything).
 */
export function averageUpdate(
  gradients: Float32Array,
  statistics: Float32Array,
  g0: Float32Array,
  s0: Float32Array,
  n0: number,
  g1: Float32Array,
  s1: Float32Array,
  n1: number,
): void {
  if (n1 === 0) {
    gradients.set(g0);
    statistics.set(s0);
    return;
  }
  const rows = n0 + n1;
  weightedSum(gradients, g0, n0 / rows, g1, n1 / rows);
  weightedSum(statistics, s0, n0 / rows, s1, n1 / rows);
}
