/**
 * Issue 14's "a real public tabular dataset reaches the accuracy a logistic regression reaches on it", from the CLI:
 * Palmer penguins (examples/data/penguins.csv), species from the island, four measurements and sex. The reference is a
 * plain multinomial logistic regression fitted here by full-batch gradient descent on the very same training split and
 * preprocessing (loadTable with the spec the CLI proposes); the graph trained by `bricks train --data` is Input → Output
 * (softmax), i.e. the same model family trained by Adam in mini-batches.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { relativeDataPath } from '../../../shared/data/dataSpec';
import { createGraphFile } from '../../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { inspectTable } from '../../services/data/table/inspectTable';
import { loadTable, type TableSplit } from '../../services/data/table/loadTable';
import { proposeTableSpec } from '../../services/data/table/proposeTableSpec';
import { chainGraph } from '../../services/training/referenceGraphs';
import { runCli } from '../testing/runCli';

const penguins = path.resolve(import.meta.dirname, '../../../examples/data/penguins.csv');
const dir = mkdtempSync(path.join(tmpdir(), 'nb-penguins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Multinomial logistic regression, full-batch gradient descent with a little L2; returns test accuracy. */
function logisticRegression(train: TableSplit, test: TableSplit, features: number, classes: number): number {
  const w = new Float64Array(features * classes);
  const b = new Float64Array(classes);
  const lr = 0.5;
  const l2 = 1e-4;
  const probs = new Float64Array(classes);
  const scores = (x: Float32Array, i: number, out: Float64Array) => {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = b[c]!;
      for (let f = 0; f < features; f++) s += x[i * features + f]! * w[f * classes + c]!;
      out[c] = s;
      max = Math.max(max, s);
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[c] = Math.exp(out[c]! - max);
    for (let c = 0; c < classes; c++) out[c]! /= sum;
  };
  for (let iter = 0; iter < 3000; iter++) {
    const gw = new Float64Array(w.length);
    const gb = new Float64Array(classes);
    for (let i = 0; i < train.count; i++) {
      scores(train.x, i, probs);
      for (let c = 0; c < classes; c++) {
        const g = (probs[c]! - (train.labels[i] === c ? 1 : 0)) / train.count;
        gb[c]! += g;
        for (let f = 0; f < features; f++) gw[f * classes + c]! += g * train.x[i * features + f]!;
      }
    }
    for (let k = 0; k < w.length; k++) w[k]! -= lr * (gw[k]! + l2 * w[k]!);
    for (let c = 0; c < classes; c++) b[c]! -= lr * gb[c]!;
  }
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    scores(test.x, i, probs);
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[c]! > probs[best]!) best = c;
    if (best === test.labels[i]) correct++;
  }
  return correct / test.count;
}

describe('Palmer penguins from the CLI', () => {
  // All columns separate the species almost perfectly; flipper length and body mass alone leave Adelie and Chinstrap
  // overlapping (about 75 % for a linear model), a sharper comparison.
  it.each([
    ['every column', undefined],
    ['flipper length and body mass', ['Flipper Length (mm)', 'Body Mass (g)']],
  ])('%s: a softmax graph trained with bricks train --data reaches the logistic-regression accuracy', { timeout: 120_000 }, async (name, features) => {
    const file = path.join(dir, `penguins-${features ? 'two' : 'all'}.nbrick`);
    const seed = 7;
    // The spec the CLI proposes for --target Species, loaded here to size the graph and fit the reference.
    const proposal = proposeTableSpec(await inspectTable(penguins), {
      target: 'Species',
      seed,
      recordedPath: relativeDataPath(file, penguins),
      ...(features ? { features } : {}),
    });
    if (!proposal.ok) throw new Error(proposal.error);
    const table = await loadTable(penguins, proposal.spec);
    const classes = table.spec.target.classes!.length;
    expect(table.spec.target.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const reference = logisticRegression(table.train, table.test, table.featureCount, classes);

    const graph = chainGraph('Penguin species', [
      ['input', 'Input', { kind: 'vector', size: table.featureCount }],
      ['output', 'Output', { task: 'classification', units: classes }],
    ]);
    const training = { dataset: 'penguins.csv', optimizer: 'adam' as const, learningRate: 0.02, batchSize: 32, epochs: 150, validationSplit: 0.2, shuffle: true, seed, backend: 'cpu' as const };
    writeFileSync(file, serializeGraphFile(createGraphFile(graph, { training })));
    const r = await runCli('train', file, '--data', penguins, '--target', 'Species', ...(features ? ['--features', features.join(',')] : []), '--record', '--no-progress');
    expect(r.code, r.err).toBe(0);
    const saved = loadGraphFile(readFileSync(file, 'utf8'));
    if (!saved.ok) throw new Error(saved.error.message);
    const run = saved.file.runs!.at(-1)!;
    // Same split and preprocessing as the reference: the recorded spec is the one fitted above.
    expect(run.config.data).toEqual({ ...table.spec });
    const accuracy = run.final.testAccuracy!;
    console.log(`penguins (${name}): test accuracy ${accuracy.toFixed(4)} (bricks train, Input → softmax) vs ${reference.toFixed(4)} (logistic regression), ${table.test.count} test rows`);
    expect(reference).toBeGreaterThan(features ? 0.6 : 0.95);
    // At most one test penguin worse than the reference.
    expect(accuracy).toBeGreaterThanOrEqual(reference - 1 / table.test.count - 1e-9);
  });
});
