/**
 * Two-dimensional toy problems, generated from a seed so a workshop group all see the same points.
 * Features are roughly in [-1.5, 1.5] so no further normalization is needed.
 */
import { createSeededRandom, type SeededRandom } from './seededRandom';

export type Synthetic2dId = 'xor' | 'circles' | 'moons' | 'spirals' | 'blobs';

export interface PointSet {
  /** Interleaved x, y pairs. */
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

type Generator = (count: number, noise: number, random: SeededRandom) => PointSet;

function emptySet(count: number): { x: Float32Array; labels: Int32Array; count: number } {
  return { x: new Float32Array(count * 2), labels: new Int32Array(count), count };
}

/** Four clusters at the corners; opposite corners share a class. */
const xor: Generator = (count, noise, random) => {
  const set = emptySet(count);
  for (let i = 0; i < count; i++) {
    const a = random.next() < 0.5 ? 0 : 1;
    const b = random.next() < 0.5 ? 0 : 1;
    set.x[2 * i] = (a ? 1 : -1) + noise * random.normal();
    set.x[2 * i + 1] = (b ? 1 : -1) + noise * random.normal();
    set.labels[i] = a ^ b;
  }
  return set;
};

/** A small disc (class 1) inside a ring (class 0). */
const circles: Generator = (count, noise, random) => {
  const set = emptySet(count);
  for (let i = 0; i < count; i++) {
    const inner = i % 2;
    const angle = random.next() * 2 * Math.PI;
    const radius = inner ? 0.5 : 1;
    set.x[2 * i] = radius * Math.cos(angle) + noise * random.normal();
    set.x[2 * i + 1] = radius * Math.sin(angle) + noise * random.normal();
    set.labels[i] = inner;
  }
  return set;
};

/** Two interleaving half circles, centred on the origin. */
const moons: Generator = (count, noise, random) => {
  const set = emptySet(count);
  for (let i = 0; i < count; i++) {
    const lower = i % 2;
    const t = random.next() * Math.PI;
    const px = lower ? 1 - Math.cos(t) : Math.cos(t);
    const py = lower ? 0.5 - Math.sin(t) : Math.sin(t);
    set.x[2 * i] = (px - 0.5) * 0.9 + noise * random.normal();
    set.x[2 * i + 1] = (py - 0.25) * 0.9 + noise * random.normal();
    set.labels[i] = lower;
  }
  return set;
};

/** Two arms winding 1.75 turns around the origin: the classic "needs depth" problem. */
const spirals: Generator = (count, noise, random) => {
  const set = emptySet(count);
  for (let i = 0; i < count; i++) {
    const arm = i % 2;
    const t = random.next();
    const radius = 0.1 + 1.3 * t;
    const angle = 1.75 * 2 * Math.PI * t + arm * Math.PI;
    set.x[2 * i] = radius * Math.cos(angle) + noise * random.normal();
    set.x[2 * i + 1] = radius * Math.sin(angle) + noise * random.normal();
    set.labels[i] = arm;
  }
  return set;
};

/** Three Gaussian clusters on a triangle. */
const BLOB_CENTRES: readonly (readonly [number, number])[] = [
  [0, 1],
  [-0.87, -0.5],
  [0.87, -0.5],
];
const blobs: Generator = (count, noise, random) => {
  const set = emptySet(count);
  for (let i = 0; i < count; i++) {
    const cls = i % 3;
    const [cx, cy] = BLOB_CENTRES[cls]!;
    set.x[2 * i] = cx + (0.25 + noise) * random.normal();
    set.x[2 * i + 1] = cy + (0.25 + noise) * random.normal();
    set.labels[i] = cls;
  }
  return set;
};

const GENERATORS: Readonly<Record<Synthetic2dId, Generator>> = { xor, circles, moons, spirals, blobs };

export function generateSynthetic2d(id: Synthetic2dId, count: number, noise: number, seed: number): PointSet {
  return GENERATORS[id](count, noise, createSeededRandom(`${id}:${seed}`));
}
