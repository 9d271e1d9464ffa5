import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Tiny tf.layers models, one per catalog layer type / activation / loss / optimizer, used to prove that a backend can
 * TRAIN each of them (forward + backward + optimizer step), not just run inference.
 */
export interface LayerProbe {
  name: string;
  build: () => tfl.LayersModel;
  /** Input batch and target batch (batch 3 unless noted). */
  data: () => { x: tf.Tensor; y: tf.Tensor };
  loss: 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';
  optimizer: 'sgd' | 'momentum' | 'adam' | 'rmsprop';
}

const B = 3;

function seq(inputShape: number[], layers: tfl.layers.Layer[], head: 'softmax' | 'sigmoid' | 'linear' = 'softmax'): tfl.LayersModel {
  const model = tfl.sequential();
  const input = tfl.layers.inputLayer({ inputShape });
  model.add(input);
  for (const layer of layers) model.add(layer);
  if ((model.outputs[0]?.shape.length ?? 0) > 2) model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: head === 'sigmoid' ? 1 : 4, activation: head }));
  return model;
}

function oneHot(n: number, classes = 4): tf.Tensor {
  return tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32'), classes), 'float32');
}

function image(h = 7, w = 7, c = 3): () => { x: tf.Tensor; y: tf.Tensor } {
  return () => ({ x: tf.randomNormal([B, h, w, c], 0, 1, 'float32', 1), y: oneHot(B) });
}

function vector(n = 5): () => { x: tf.Tensor; y: tf.Tensor } {
  return () => ({ x: tf.randomNormal([B, n], 0, 1, 'float32', 2), y: oneHot(B) });
}

function sequence(t = 4, f = 3): () => { x: tf.Tensor; y: tf.Tensor } {
  return () => ({ x: tf.randomNormal([B, t, f], 0, 1, 'float32', 3), y: oneHot(B) });
}

function twoBranch(merge: 'add' | 'concatenate' | 'multiply'): tfl.LayersModel {
  const input = tfl.input({ shape: [6] });
  const a = tfl.layers.dense({ units: 5, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.dense({ units: 5, activation: 'tanh' }).apply(input) as tfl.SymbolicTensor;
  const merged =
    merge === 'add'
      ? tfl.layers.add().apply([a, b])
      : merge === 'concatenate'
        ? tfl.layers.concatenate().apply([a, b])
        : tfl.layers.multiply().apply([a, b]);
  const out = tfl.layers.dense({ units: 4, activation: 'softmax' }).apply(merged as tfl.SymbolicTensor);
  return tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
}

const cce = 'categoricalCrossentropy' as const;

export const LAYER_PROBES: LayerProbe[] = [
  { name: 'Dense', build: () => seq([5], [tfl.layers.dense({ units: 6 })]), data: vector(), loss: cce, optimizer: 'sgd' },
  {
    name: 'Conv2D same stride 2 dilation 1',
    build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })]),
    data: image(),
    loss: cce,
    optimizer: 'adam',
  },
  {
    name: 'Conv2D valid dilation 2',
    build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 4, kernelSize: [3, 2], dilationRate: 2, padding: 'valid' })]),
    data: image(),
    loss: cce,
    optimizer: 'sgd',
  },
  {
    name: 'Conv2D same dilation 2 relu',
    build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu' })]),
    data: image(),
    loss: cce,
    optimizer: 'adam',
  },
  {
    name: 'DepthwiseConv2D',
    build: () => seq([7, 7, 3], [tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' })]),
    data: image(),
    loss: cce,
    optimizer: 'sgd',
  },
  {
    name: 'DepthwiseConv2D dilation 2',
    build: () => seq([7, 7, 3], [tfl.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'valid' })]),
    data: image(),
    loss: cce,
    optimizer: 'sgd',
  },
  {
    name: 'SeparableConv2D',
    build: () => seq([7, 7, 3], [tfl.layers.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same' })]),
    data: image(),
    loss: cce,
    optimizer: 'rmsprop',
  },
  {
    name: 'SeparableConv2D dilation 2',
    build: () => seq([7, 7, 3], [tfl.layers.separableConv2d({ filters: 5, kernelSize: 3, dilationRate: 2, padding: 'same', depthMultiplier: 2 })]),
    data: image(),
    loss: cce,
    optimizer: 'sgd',
  },
  {
    name: 'Conv2DTranspose',
    build: () => seq([5, 5, 3], [tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' })]),
    data: image(5, 5, 3),
    loss: cce,
    optimizer: 'sgd',
  },
  { name: 'MaxPool2D', build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 1 }), tfl.layers.maxPooling2d({ poolSize: 2, padding: 'same' })]), data: image(), loss: cce, optimizer: 'sgd' },
  { name: 'AvgPool2D', build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 1 }), tfl.layers.averagePooling2d({ poolSize: 2, strides: 2 })]), data: image(), loss: cce, optimizer: 'sgd' },
  { name: 'GlobalAvgPool2D', build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 1 }), tfl.layers.globalAveragePooling2d({})]), data: image(), loss: cce, optimizer: 'sgd' },
  { name: 'GlobalMaxPool2D', build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 1 }), tfl.layers.globalMaxPooling2d({})]), data: image(), loss: cce, optimizer: 'sgd' },
  { name: 'BatchNorm', build: () => seq([7, 7, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 3 }), tfl.layers.batchNormalization({})]), data: image(), loss: cce, optimizer: 'momentum' },
  { name: 'LayerNorm', build: () => seq([5], [tfl.layers.dense({ units: 6 }), tfl.layers.layerNormalization({})]), data: vector(), loss: cce, optimizer: 'adam' },
  { name: 'Dropout', build: () => seq([5], [tfl.layers.dense({ units: 6 }), tfl.layers.dropout({ rate: 0.5 })]), data: vector(), loss: cce, optimizer: 'sgd' },
  ...(['relu', 'elu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax'] as const).map(
    (activation): LayerProbe => ({
      name: `Activation ${activation}`,
      build: () => seq([5], [tfl.layers.dense({ units: 6 }), tfl.layers.activation({ activation: activation as 'relu' })]),
      data: vector(),
      loss: cce,
      optimizer: 'sgd',
    }),
  ),
  { name: 'Activation leakyRelu', build: () => seq([5], [tfl.layers.dense({ units: 6 }), tfl.layers.leakyReLU({ alpha: 0.2 })]), data: vector(), loss: cce, optimizer: 'sgd' },
  { name: 'Add', build: () => twoBranch('add'), data: vector(6), loss: cce, optimizer: 'sgd' },
  { name: 'Concatenate', build: () => twoBranch('concatenate'), data: vector(6), loss: cce, optimizer: 'sgd' },
  { name: 'Multiply', build: () => twoBranch('multiply'), data: vector(6), loss: cce, optimizer: 'sgd' },
  {
    name: 'Embedding',
    build: () => seq([5], [tfl.layers.embedding({ inputDim: 11, outputDim: 4 })]),
    data: () => ({ x: tf.tensor2d([[1, 2, 3, 4, 1], [0, 10, 2, 2, 9], [5, 6, 7, 8, 9]]), y: oneHot(B) }),
    loss: cce,
    optimizer: 'adam',
  },
  { name: 'LSTM', build: () => seq([4, 3], [tfl.layers.lstm({ units: 5, returnSequences: true })]), data: sequence(), loss: cce, optimizer: 'rmsprop' },
  { name: 'GRU', build: () => seq([4, 3], [tfl.layers.gru({ units: 5 })]), data: sequence(), loss: cce, optimizer: 'adam' },
  { name: 'UpSampling2D', build: () => seq([4, 5, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 1 }), tfl.layers.upSampling2d({ size: [2, 3] })]), data: image(4, 5, 3), loss: cce, optimizer: 'sgd' },
  { name: 'ZeroPadding2D', build: () => seq([4, 5, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 1 }), tfl.layers.zeroPadding2d({ padding: [1, 2] })]), data: image(4, 5, 3), loss: cce, optimizer: 'sgd' },
  { name: 'Reshape', build: () => seq([6], [tfl.layers.dense({ units: 6 }), tfl.layers.reshape({ targetShape: [2, 3] })]), data: vector(6), loss: cce, optimizer: 'sgd' },
  { name: 'Flatten', build: () => seq([4, 5, 3], [tfl.layers.conv2d({ filters: 2, kernelSize: 2 })]), data: image(4, 5, 3), loss: cce, optimizer: 'sgd' },
  {
    name: 'binaryCrossentropy loss',
    build: () => seq([5], [tfl.layers.dense({ units: 6, activation: 'relu' })], 'sigmoid'),
    data: () => ({ x: tf.randomNormal([B, 5], 0, 1, 'float32', 4), y: tf.tensor2d([[1], [0], [1]]) }),
    loss: 'binaryCrossentropy',
    optimizer: 'sgd',
  },
  {
    name: 'meanSquaredError loss',
    build: () => seq([5], [tfl.layers.dense({ units: 6, activation: 'relu' })], 'linear'),
    data: () => ({ x: tf.randomNormal([B, 5], 0, 1, 'float32', 5), y: tf.randomNormal([B, 4], 0, 1, 'float32', 6) }),
    loss: 'meanSquaredError',
    optimizer: 'momentum',
  },
];


function makeOptimizer(kind: LayerProbe['optimizer']): tf.Optimizer {
  switch (kind) {
    case 'sgd':
      return tf.train.sgd(0.05);
    case 'momentum':
      return tf.train.momentum(0.05, 0.9);
    case 'adam':
      return tf.train.adam(0.01);
    case 'rmsprop':
      return tf.train.rmsprop(0.01);
  }
}

export interface ProbeResult {
  name: string;
  loss: number;
  /** Largest absolute change of any trainable weight after one step. */
  maxWeightChange: number;
  /** How many trainable weights did not change at all. */
  unchangedWeights: string[];
}

/** Runs one compiled training step (model.trainOnBatch) of a probe on the current backend. */
export async function runProbe(probe: LayerProbe): Promise<ProbeResult> {
  const model = probe.build();
  model.compile({ optimizer: makeOptimizer(probe.optimizer), loss: probe.loss });
  const { x, y } = probe.data();
  const beforeFlat = model.trainableWeights.map((w) => w.read().dataSync().slice());
  const result = await model.trainOnBatch(x, y);
  const loss = Array.isArray(result) ? (result[0] as number) : result;
  let maxWeightChange = 0;
  const unchangedWeights: string[] = [];
  model.trainableWeights.forEach((w, i) => {
    const after = w.read().dataSync();
    const prev = beforeFlat[i] as ArrayLike<number>;
    let change = 0;
    for (let j = 0; j < after.length; j++) change = Math.max(change, Math.abs((after[j] as number) - (prev[j] as number)));
    if (change === 0) unchangedWeights.push(w.name);
    maxWeightChange = Math.max(maxWeightChange, change);
  });
  x.dispose();
  y.dispose();
  model.dispose();
  return { name: probe.name, loss, maxWeightChange, unchangedWeights };
}
