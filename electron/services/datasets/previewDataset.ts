/** A small plain-data preview for the UI: a few digits per class, or a scatter of 2-D points with labels. */
import type { DatasetOptions, DatasetPreview } from '../../../shared/contracts/trainer';
import { getDatasetInfo } from './datasetRegistry';
import { IRIS_FEATURES } from './irisData';
import { loadDataset } from './loadDataset';

export interface PreviewOptions extends DatasetOptions {
  /** Images: how many digits (default 10, one per class first). Scatter: most points (default 300). */
  readonly count?: number;
}

export function previewDataset(id: string, options: PreviewOptions = {}): DatasetPreview {
  const { count, ...datasetOptions } = options;
  const info = getDatasetInfo(id, datasetOptions);
  const { train } = loadDataset(info.id, datasetOptions);
  if (info.id === 'mnist') {
    const wanted = count ?? 10;
    // One example of each digit first, so the preview shows the whole alphabet.
    const picked: number[] = [];
    for (let cls = 0; cls < info.classes && picked.length < wanted; cls++) {
      const i = train.labels.indexOf(cls);
      if (i >= 0) picked.push(i);
    }
    for (let i = 0; picked.length < wanted && i < train.count; i++) if (!picked.includes(i)) picked.push(i);
    const [h, w] = info.inputShape as [number, number, number];
    return {
      kind: 'images',
      datasetId: info.id,
      images: picked.map((i) => ({
        label: train.labels[i]!,
        pixels: Array.from({ length: h }, (_, r) => Array.from(train.x.subarray((i * h + r) * w, (i * h + r + 1) * w))),
      })),
    };
  }
  const features = info.inputShape[0]!;
  const n = Math.min(count ?? 300, train.count);
  const points = [];
  for (let i = 0; i < n; i++) {
    // Iris: plot petal length against petal width, the two most telling measurements.
    const [a, b] = features === 4 ? [2, 3] : [0, 1];
    points.push({ x: train.x[i * features + a]!, y: train.x[i * features + b]!, label: train.labels[i]! });
  }
  const axes: [string, string] = features === 4 ? [IRIS_FEATURES[2], IRIS_FEATURES[3]] : ['x', 'y'];
  return { kind: 'scatter', datasetId: info.id, axes, points };
}
