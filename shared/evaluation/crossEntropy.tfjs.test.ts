/**
 * Our loss and accuracy must equal what tfjs-layers reports for the same predictions: both through its metric
 * functions and through `model.evaluate` of a real model, including saturated outputs where clipping decides.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationMetrics } from './classificationMetrics';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomLabels(random: () => number, n: number, classes: number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(random() * classes));
}

function scalar(t: tf.Tensor | tf.Tensor[]): number {
  return (Array.isArray(t) ? t[0]! : t).dataSync()[0]!;
}

function expectRelativelyClose(ours: number, theirs: number): void {
  expect(Math.abs(ours - theirs) / Math.abs(theirs)).toBeLessThanOrEqual(1e-5);
}

describe('agreement with tfjs-layers', () => {
  it('matches categoricalCrossentropy and categoricalAccuracy on random softmax outputs', () => {
    const random = seededRandom(13);
    const n = 400;
    const classes = 10;
    const labels = randomLabels(random, n, classes);
    // Logits up to ±20 make some probabilities round to 0 or 1 in float32, so clipping is exercised.
    const logits = tf.tensor2d(Float32Array.from({ length: n * classes }, () => (random() - 0.5) * 40), [n, classes]);
    const probabilities = tf.softmax(logits);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);

    const theirLoss = scalar(tf.mean(tfl.metrics.categoricalCrossentropy(oneHot, probabilities)));
    const theirAccuracy = scalar(tf.mean(tfl.metrics.categoricalAccuracy(oneHot, probabilities)));
    const ours = classificationMetrics(labels, probabilities.dataSync() as Float32Array);

    expectRelativelyClose(ours.loss, theirLoss);
    expect(ours.accuracy).toBeCloseTo(theirAccuracy, 6);
  });

  it('matches binaryCrossentropy and binaryAccuracy on random sigmoid outputs', () => {
    const random = seededRandom(7);
    const n = 400;
    const labels = randomLabels(random, n, 2);
    const probabilities = tf.sigmoid(tf.tensor2d(Float32Array.from({ length: n }, () => (random() - 0.5) * 40), [n, 1]));
    const targets = tf.tensor2d(Float32Array.from(labels), [n, 1]);

    const theirLoss = scalar(tf.mean(tfl.metrics.binaryCrossentropy(targets, probabilities)));
    const theirAccuracy = scalar(tf.mean(tfl.metrics.binaryAccuracy(targets, probabilities)));
    const ours = classificationMetrics(labels, probabilities.dataSync() as Float32Array);

    expectRelativelyClose(ours.loss, theirLoss);
    expect(ours.accuracy).toBeCloseTo(theirAccuracy, 6);
  });

  /** A one-layer model with large random weights, so its outputs include saturated probabilities. */
  function denseModel(random: () => number, features: number, units: number, activation: 'softmax' | 'sigmoid'): tfl.Sequential {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [features], units, activation })] });
    model.setWeights([
      tf.tensor2d(Float32Array.from({ length: features * units }, () => (random() - 0.5) * 30), [features, units]),
      tf.tensor1d(Float32Array.from({ length: units }, () => random() - 0.5)),
    ]);
    const loss = activation === 'softmax' ? 'categoricalCrossentropy' : 'binaryCrossentropy';
    model.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
    return model;
  }

  it('reproduces model.evaluate of a softmax classifier from its predictions', () => {
    const random = seededRandom(42);
    const n = 300;
    const features = 6;
    const classes = 4;
    const model = denseModel(random, features, classes, 'softmax');
    const x = tf.tensor2d(Float32Array.from({ length: n * features }, () => random() * 2 - 1), [n, features]);
    const labels = randomLabels(random, n, classes);
    const [loss, accuracy] = model.evaluate(x, tf.oneHot(tf.tensor1d(labels, 'int32'), classes), { batchSize: 64 }) as tf.Scalar[];

    const ours = classificationMetrics(labels, (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expectRelativelyClose(ours.loss, scalar(loss!));
    expect(ours.accuracy).toBeCloseTo(scalar(accuracy!), 6);
  });

  it('reproduces model.evaluate of a sigmoid classifier from its predictions', () => {
    const random = seededRandom(5);
    const n = 300;
    const features = 3;
    const model = denseModel(random, features, 1, 'sigmoid');
    const x = tf.tensor2d(Float32Array.from({ length: n * features }, () => random() * 2 - 1), [n, features]);
    const labels = randomLabels(random, n, 2);
    const [loss, accuracy] = model.evaluate(x, tf.tensor2d(Float32Array.from(labels), [n, 1]), { batchSize: 64 }) as tf.Scalar[];

    const ours = classificationMetrics(labels, (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expectRelativelyClose(ours.loss, scalar(loss!));
    expect(ours.accuracy).toBeCloseTo(scalar(accuracy!), 6);
  });
});
