import { describe, expect, it } from 'vitest';
import { DATASET_IDS, datasetInfoSchema, datasetPreviewSchema } from '../../../shared/contracts/trainer';
import { listDatasets } from './datasetRegistry';
import { loadDataset } from './loadDataset';
import { previewDataset } from './previewDataset';

function classCounts(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

describe('listDatasets', () => {
  it('describes every agreed dataset with a valid info record', () => {
    const infos = listDatasets();
    expect(infos.map((d) => d.id)).toEqual([...DATASET_IDS]);
    for (const info of infos) expect(() => datasetInfoSchema.parse(info)).not.toThrow();
    expect(infos.find((d) => d.id === 'mnist')).toMatchObject({ inputShape: [28, 28, 1], classes: 10, trainSize: 8500, testSize: 1500 });
    expect(infos.find((d) => d.id === 'iris')).toMatchObject({ inputShape: [4], classes: 3, trainSize: 120, testSize: 30 });
    expect(infos.find((d) => d.id === 'blobs')?.classes).toBe(3);
  });
});

describe('loadDataset', () => {
  it.each(['xor', 'circles', 'moons', 'spirals', 'blobs'])('%s matches its info, is seeded and balanced', (id) => {
    const a = loadDataset(id, { seed: 7 });
    const b = loadDataset(id, { seed: 7 });
    const c = loadDataset(id, { seed: 8 });
    expect(a.train.count).toBe(a.info.trainSize);
    expect(a.test.count).toBe(a.info.testSize);
    expect(a.train.x.length).toBe(a.train.count * 2);
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
    expect(Array.from(a.train.x)).not.toEqual(Array.from(c.train.x));
    expect(a.train.x.every(Number.isFinite)).toBe(true);
    const counts = classCounts(a.train.labels, a.info.classes);
    for (const n of counts) expect(n).toBeGreaterThan((a.train.count / a.info.classes) * 0.8);
  });

  it('honours size, noise and test fraction options', () => {
    const d = loadDataset('moons', { samples: 100, testFraction: 0.3, noise: 0 });
    expect(d.train.count).toBe(70);
    expect(d.test.count).toBe(30);
    const noisy = loadDataset('moons', { samples: 100, testFraction: 0.3, noise: 0.5 });
    expect(Array.from(noisy.train.x)).not.toEqual(Array.from(d.train.x));
  });

  it('xor labels follow the corner rule when there is no noise', () => {
    const d = loadDataset('xor', { noise: 0 });
    for (let i = 0; i < d.train.count; i++) {
      const positiveProduct = d.train.x[2 * i]! * d.train.x[2 * i + 1]! > 0;
      expect(d.train.labels[i]).toBe(positiveProduct ? 0 : 1);
    }
  });

  it('mnist has a fixed, disjoint 8500/1500 split normalized to [0, 1]', () => {
    const d = loadDataset('mnist');
    expect(d.train.count).toBe(8500);
    expect(d.test.count).toBe(1500);
    expect(d.train.x.length).toBe(8500 * 784);
    let min = Infinity;
    let max = -Infinity;
    for (const v of d.test.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(classCounts(d.test.labels, 10).every((n) => n > 100)).toBe(true);
    // No test image appears in the training set (compare a cheap fingerprint of each image).
    const fingerprint = (x: Float32Array, i: number) => Array.from(x.subarray(i * 784, (i + 1) * 784)).join(',');
    const trainSet = new Set(Array.from({ length: d.train.count }, (_, i) => fingerprint(d.train.x, i)));
    const overlap = Array.from({ length: 200 }, (_, i) => fingerprint(d.test.x, i)).filter((f) => trainSet.has(f));
    expect(overlap.length).toBe(0);
    const limited = loadDataset('mnist', { limit: 850 });
    expect(limited.train.count).toBe(850);
    expect(limited.test.count).toBe(150);
    expect(Array.from(limited.train.labels)).toEqual(Array.from(d.train.labels.slice(0, 850)));
  });

  it('iris is standardized on the training set with a stratified split', () => {
    const d = loadDataset('iris');
    expect(classCounts(d.test.labels, 3)).toEqual([10, 10, 10]);
    for (let j = 0; j < 4; j++) {
      let mean = 0;
      for (let i = 0; i < d.train.count; i++) mean += d.train.x[i * 4 + j]! / d.train.count;
      let variance = 0;
      for (let i = 0; i < d.train.count; i++) variance += (d.train.x[i * 4 + j]! - mean) ** 2 / d.train.count;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 4);
    }
  });

  it('rejects unknown ids and bad options with clear messages', () => {
    expect(() => loadDataset('cifar')).toThrow("Unknown dataset 'cifar'. Available: xor, circles");
    expect(() => loadDataset('xor', { samples: -3 })).toThrow(/Invalid options for dataset 'xor': samples/);
  });
});

describe('previewDataset', () => {
  it('shows one mnist digit per class as 28×28 arrays', () => {
    const p = previewDataset('mnist');
    expect(() => datasetPreviewSchema.parse(p)).not.toThrow();
    if (p.kind !== 'images') throw new Error('expected images');
    expect(p.images.map((i) => i.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.images[0]!.pixels.length).toBe(28);
    expect(p.images[0]!.pixels[0]!.length).toBe(28);
    expect(p.images[0]!.pixels.flat().some((v) => v > 0.5)).toBe(true);
  });

  it('shows 2-D points with labels', () => {
    const p = previewDataset('spirals', { count: 50 });
    if (p.kind !== 'scatter') throw new Error('expected scatter');
    expect(p.points.length).toBe(50);
    expect(new Set(p.points.map((q) => q.label))).toEqual(new Set([0, 1]));
    const iris = previewDataset('iris');
    if (iris.kind !== 'scatter') throw new Error('expected scatter');
    expect(iris.axes).toEqual(['petal length', 'petal width']);
  });
});
