/**
 * `bricks import` (electron/services/import, shared/interop): importing Keras and TF.js models: Keras JSON fixtures (Sequential CNN in the Keras 2.x and 2.0-era formats, a
 * Functional ResNet block in Keras 2 and Keras 3 formats) become graphs that validate with the parameter count tfjs
 * itself gives the original; unsupported layers are listed by name; a TF.js model with weights becomes a kept run
 * whose outputs are the original's; an exported example imports back to the same graph and outputs.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveParams } from '../../../shared/catalog/resolveParams';
import { getLayerSpec } from '../../../shared/catalog/registry';
import type { GraphDocument } from '../../../shared/document/model';
import { importKerasModel } from '../../../shared/interop/importKeras';
import { runCli as bricks } from '../testing/runCli';
import { selectBackend } from '../../services/backends/selectBackend';
import { compileGraph } from '../../services/compiler/compileGraph';
import { readGraphFile } from '../../services/files/readGraphFile';
import { loadModelFromDir, saveModelToDir } from '../../services/training/modelFiles';
import { checkpointDirFor } from '../../services/checkpoints/checkpointStore';

const fixtures = path.resolve(import.meta.dirname, '../../services/import/fixtures');
const repo = path.resolve(import.meta.dirname, '../../..');
let dir: string;

beforeAll(async () => {
  await selectBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(fixtures, name), 'utf8'));
}

/** tfjs's own parameter count of a Keras model JSON. */
async function tfjsParams(json: unknown): Promise<number> {
  const model = await tfl.models.modelFromJSON(json as tf.io.ModelJSON['modelTopology'] as never);
  const n = model.countParams();
  model.dispose();
  return n;
}

function imported(json: unknown) {
  const result = importKerasModel(json);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.layer} (${p.className}): ${p.reason}`).join('; '));
  return result;
}

function resolvedStructure(doc: GraphDocument) {
  return {
    nodes: doc.nodes
      .map((n) => ({ id: n.id, type: n.type, params: resolveParams(getLayerSpec(n.type)!, n.params).params }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    edges: doc.edges.map((e) => `${e.source}->${e.target}:${e.targetPort}`).sort(),
  };
}

async function predict(model: tfl.LayersModel, x: tf.Tensor): Promise<Float32Array> {
  const y = model.predict(x) as tf.Tensor;
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('Keras model JSON', () => {
  it('a Sequential CNN (Keras 2.x to_json) becomes Input → convs → pools → Flatten → Dropout → Output with the same parameters', async () => {
    const json = await fixture('keras-sequential-cnn.json');
    const result = imported(json);
    expect(result.doc.nodes.map((n) => `${n.id}:${n.type}`)).toEqual([
      'input_1:Input',
      'conv2d:Conv2D',
      'max_pooling2d:MaxPool2D',
      'conv2d_1:Conv2D',
      'max_pooling2d_1:MaxPool2D',
      'flatten:Flatten',
      'dropout:Dropout',
      'dense:Output',
    ]);
    expect(result.doc.nodes[0]!.params).toEqual({ kind: 'image', height: 28, width: 28, channels: 1 });
    expect(result.doc.nodes.at(-1)!.params).toEqual({ task: 'classification', units: 10 });
    expect(result.analysis.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(result.analysis.totals.params).toBe(34_826);
    expect(result.analysis.totals.params).toBe(await tfjsParams(json));
    // Top to bottom: each node below the one before.
    const ys = result.doc.nodes.map((n) => n.position.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(result.doc.nodes.map((n) => n.position.x)).size).toBe(1);
  });

  it('the Keras 3 format (InputLayer batch_shape, dtype policies, module/registered_name) gives the same graph', async () => {
    const result = imported(await fixture('keras3-sequential-cnn.json'));
    const current = imported(await fixture('keras-sequential-cnn.json'));
    expect(result.doc.nodes.map((n) => n.id)[0]).toBe('input_layer');
    expect(result.doc.nodes.map((n) => [n.type, n.params])).toEqual(current.doc.nodes.map((n) => [n.type, n.params]));
    expect(result.analysis.totals.params).toBe(current.analysis.totals.params);
  });

  it('the Keras 2.0-era format (config is the list of layers, input declared on the first layer) gives the same graph', async () => {
    const json = await fixture('keras-2.0-sequential-cnn.json');
    const result = imported(json);
    expect(result.doc.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'MaxPool2D', 'Conv2D', 'MaxPool2D', 'Flatten', 'Dropout', 'Output']);
    expect(result.doc.nodes[0]!.id).toBe('input');
    expect(result.analysis.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(result.analysis.totals.params).toBe(await tfjsParams(json));
    const current = imported(await fixture('keras-sequential-cnn.json'));
    expect(result.doc.nodes.map((n) => n.params)).toEqual(current.doc.nodes.map((n) => n.params));
  });

  it('a Functional ResNet block (Conv-BN-ReLU-Conv-BN + Add + ReLU) keeps its skip edge; Keras 2 and Keras 3 files agree', async () => {
    const json = await fixture('keras-resnet-block.json');
    const result = imported(json);
    expect(result.analysis.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(result.analysis.totals.params).toBe(await tfjsParams(json));
    // stem 3·3·3·16+16, two 3·3·16·16 convs without bias, two BN of 4·16, Dense 16·10+10
    expect(result.analysis.totals.params).toBe(448 + 2 * 2304 + 2 * 64 + 170);
    const types = Object.fromEntries(result.doc.nodes.map((n) => [n.id, n.type]));
    expect(types).toMatchObject({ block1_bn1: 'BatchNorm', block1_relu1: 'Activation', block1_add: 'Add', avg_pool: 'GlobalAvgPool2D', logits: 'Output' });
    expect(types['predictions']).toBeUndefined();
    expect(result.notes.join(' ')).toContain("'predictions' (Activation softmax) became part of the Output 'logits'");
    expect(result.doc.edges.filter((e) => e.target === 'block1_add').map((e) => e.source).sort()).toEqual(['block1_bn2', 'stem_conv']);
    expect(result.doc.nodes.find((n) => n.id === 'block1_bn1')!.params).toEqual({ momentum: 0.99, epsilon: 0.001 });
    // The main line is one column; nothing overlaps.
    const spots = result.doc.nodes.map((n) => `${n.position.x},${n.position.y}`);
    expect(new Set(spots).size).toBe(spots.length);

    const k3 = imported(await fixture('keras3-resnet-block.json'));
    expect(resolvedStructure(k3.doc)).toEqual(resolvedStructure(result.doc));
    expect(k3.analysis.totals.params).toBe(result.analysis.totals.params);
  });

  it('unsupported layers are listed with their names and classes, and the CLI writes nothing (exit 1)', async () => {
    const result = importKerasModel(await fixture('keras-unsupported.json'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.layer}:${p.className}`)).toEqual(['scale:Lambda', 'attention:MyAttention']);
    expect(result.problems[0]!.reason).toContain('Lambda');

    const out = path.join(dir, 'unsupported.nbrick');
    const cli = await bricks('import', path.join(fixtures, 'keras-unsupported.json'), out);
    expect(cli.code).toBe(1);
    expect(cli.err).toContain('2 layers cannot be imported; nothing written');
    expect(cli.err).toContain('scale (Lambda):');
    expect(cli.err).toContain('attention (MyAttention): no layer of class MyAttention in the catalog');
    await expect(stat(out)).rejects.toThrow();
  });

  it('the CLI writes a graph file that loads and validates; a Keras JSON has no weights', async () => {
    const out = path.join(dir, 'cnn.nbrick');
    const cli = await bricks('import', path.join(fixtures, 'keras-sequential-cnn.json'), out);
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toContain('8 nodes');
    expect(cli.out).toContain('34,826 parameters');
    expect(cli.out).toContain('weights: none (a Keras model JSON holds no weights)');
    expect(cli.out).toContain("fits the bundled dataset 'mnist'");
    const read = await readGraphFile(out);
    expect(read.ok).toBe(true);
    const validate = await bricks('validate', out);
    expect(validate.code, validate.out + validate.err).toBe(0);
    const again = await bricks('import', path.join(fixtures, 'keras-sequential-cnn.json'), out);
    expect(again.code).toBe(2);
    expect(again.err).toContain('already exists');
    const nowhere = await bricks('import', path.join(fixtures, 'keras-sequential-cnn.json'), path.join(dir, 'missing-folder', 'x.nbrick'));
    expect(nowhere.code).toBe(2);
    expect(nowhere.err).toContain('cannot be saved');
    const notModel = await bricks('import', path.join(repo, 'package.json'), path.join(dir, 'pkg.nbrick'));
    expect(notModel.code).toBe(2);
    expect(notModel.err).toContain('not a Keras model');
  });
});

describe('TF.js layers model with weights', () => {
  it('becomes a kept run whose model gives the original outputs; parameters match countParams()', async () => {
    // A small Functional ResNet-style model with non-trivial BatchNorm statistics.
    const input = tfl.input({ shape: [8, 8, 3], name: 'pixels' });
    const stem = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(input) as tfl.SymbolicTensor;
    const c1 = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'c1' }).apply(stem) as tfl.SymbolicTensor;
    const b1 = tfl.layers.batchNormalization({ name: 'b1' }).apply(c1) as tfl.SymbolicTensor;
    const r1 = tfl.layers.activation({ activation: 'relu', name: 'r1' }).apply(b1) as tfl.SymbolicTensor;
    const c2 = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'c2' }).apply(r1) as tfl.SymbolicTensor;
    const b2 = tfl.layers.batchNormalization({ name: 'b2' }).apply(c2) as tfl.SymbolicTensor;
    const add = tfl.layers.add({ name: 'join' }).apply([stem, b2]) as tfl.SymbolicTensor;
    const relu = tfl.layers.activation({ activation: 'relu', name: 'block_out' }).apply(add) as tfl.SymbolicTensor;
    const pooled = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(relu) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(pooled) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 5, activation: 'softmax', name: 'probs' }).apply(flat) as tfl.SymbolicTensor;
    const original = tfl.model({ inputs: input, outputs: out, name: 'tiny_resnet' });
    for (const name of ['b1', 'b2']) {
      const layer = original.getLayer(name);
      layer.setWeights(layer.getWeights().map((w, i) => tf.add(tf.mul(tf.randomUniform(w.shape, 0, 1, 'float32', 7 + i), 0.5), i === 3 ? 0.5 : 0)));
    }
    const modelDir = path.join(dir, 'tiny-tfjs');
    await saveModelToDir(original, modelDir);
    const graph = path.join(dir, 'tiny.nbrick');
    const cli = await bricks('import', path.join(modelDir, 'model.json'), graph);
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toContain(`${original.countParams().toLocaleString('en-US')} parameters (the original: ${original.countParams().toLocaleString('en-US')})`);
    const read = await readGraphFile(graph);
    if (!read.ok) throw new Error(read.error.message);
    expect(read.file.graph.nodes.map((n) => n.id)).toEqual(['pixels', 'stem', 'c1', 'b1', 'r1', 'c2', 'b2', 'join', 'block_out', 'pool', 'flat', 'probs']);
    const run = read.file.runs![0]!;
    expect(run).toMatchObject({ status: 'completed', checkpoint: true, imported: { from: 'model.json', format: 'tfjs-layers' }, epochs: [] });
    expect(cli.out).toContain(`kept as run ${run.id}`);

    const kept = await loadModelFromDir(checkpointDirFor(graph, run.id));
    expect(kept.countParams()).toBe(original.countParams());
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 3);
    expect(maxAbsDiff(await predict(kept, x), await predict(original, x))).toBeLessThanOrEqual(1e-5);

    // bricks predict uses the kept run at once.
    const inputs = path.join(dir, 'pixels.json');
    await (await import('node:fs/promises')).writeFile(inputs, JSON.stringify(await x.array()));
    const predicted = await bricks('predict', graph, '--input', inputs, '--output', path.join(dir, 'predicted.json'));
    expect(predicted.code, predicted.err).toBe(0);
    const rows = JSON.parse(await readFile(path.join(dir, 'predicted.json'), 'utf8')) as number[][];
    expect(maxAbsDiff(Float32Array.from(rows.flat()), await predict(original, x))).toBeLessThanOrEqual(1e-5);
    tf.dispose(x);
    kept.dispose();
    original.dispose();
  }, 60_000);

  it("a tensorflowjs_converter layout (topology under model_config, several shards named group1-shard…) loads its weights", async () => {
    const original = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [4], units: 16, activation: 'gelu', name: 'hidden' }),
        tfl.layers.batchNormalization({ name: 'norm' }),
        tfl.layers.dense({ units: 3, activation: 'softmax', name: 'classes' }),
      ],
    });
    const modelDir = path.join(dir, 'converter');
    await saveModelToDir(original, modelDir);
    const saved = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8')) as { modelTopology: unknown; weightsManifest: { paths: string[] }[] };
    const bytes = await readFile(path.join(modelDir, 'weights.bin'));
    const { writeFile } = await import('node:fs/promises');
    const half = Math.floor(bytes.byteLength / 8) * 4;
    await writeFile(path.join(modelDir, 'group1-shard1of2.bin'), bytes.subarray(0, half));
    await writeFile(path.join(modelDir, 'group1-shard2of2.bin'), bytes.subarray(half));
    await rm(path.join(modelDir, 'weights.bin'));
    const converted = {
      format: 'layers-model',
      generatedBy: 'keras v2.13.1',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: { keras_version: '2.13.1', backend: 'tensorflow', model_config: saved.modelTopology, training_config: { loss: 'categorical_crossentropy' } },
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: (saved.weightsManifest[0] as unknown as { weights: unknown }).weights }],
    };
    await writeFile(path.join(modelDir, 'model.json'), JSON.stringify(converted));
    const graph = path.join(dir, 'converter.nbrick');
    const cli = await bricks('import', path.join(modelDir, 'model.json'), graph);
    expect(cli.code, cli.err).toBe(0);
    const read = await readGraphFile(graph);
    if (!read.ok) throw new Error(read.error.message);
    expect(read.file.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Dense', 'BatchNorm', 'Output']);
    // Four features, three classes: the graph fits iris, so the imported run evaluates at once.
    expect(read.file.training?.dataset).toBe('iris');
    expect(read.file.runs![0]!.config.dataset).toBe('iris');
    const evaluated = await bricks('evaluate', graph, '--json');
    expect(evaluated.code, evaluated.err).toBe(0);
    expect(JSON.parse(evaluated.out)).toMatchObject({ runId: read.file.runs![0]!.id });
    const kept = await loadModelFromDir(checkpointDirFor(graph, read.file.runs![0]!.id));
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 9);
    expect(maxAbsDiff(await predict(kept, x), await predict(original, x))).toBeLessThanOrEqual(1e-5);
    tf.dispose(x);
    kept.dispose();
    original.dispose();
  });

  it('without its weight shards the model imports as a graph only, saying which file is missing', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }), tfl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    const modelDir = path.join(dir, 'no-shards');
    await saveModelToDir(model, modelDir);
    await rm(path.join(modelDir, 'weights.bin'));
    const out = path.join(dir, 'no-shards.nbrick');
    const cli = await bricks('import', path.join(modelDir, 'model.json'), out);
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toContain('weights: none (weight file weights.bin not found beside model.json)');
    const read = await readGraphFile(out);
    if (!read.ok) throw new Error(read.error.message);
    expect(read.file.runs).toBeUndefined();
    expect(read.file.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Dense', 'Output']);
    expect(read.file.graph.nodes.at(-1)!.params).toEqual({ task: 'binary' });
    model.dispose();
  });
});

describe('every mapped layer type keeps its numbers', () => {
  async function importAndCompare(original: tfl.LayersModel, name: string, x: tf.Tensor): Promise<GraphDocument> {
    const modelDir = path.join(dir, name);
    await saveModelToDir(original, modelDir);
    const graph = path.join(dir, `${name}.nbrick`);
    const cli = await bricks('import', path.join(modelDir, 'model.json'), graph);
    expect(cli.code, cli.err).toBe(0);
    const read = await readGraphFile(graph);
    if (!read.ok) throw new Error(read.error.message);
    const kept = await loadModelFromDir(checkpointDirFor(graph, read.file.runs![0]!.id));
    expect(kept.countParams()).toBe(original.countParams());
    expect(maxAbsDiff(await predict(kept, x), await predict(original, x))).toBeLessThanOrEqual(1e-5);
    kept.dispose();
    return read.file.graph;
  }

  it('image layers: padding, depthwise, separable, transposed and dilated convs, pools, LeakyReLU, LayerNorm, Concatenate, Reshape', async () => {
    const input = tfl.input({ shape: [12, 12, 3], name: 'img' });
    const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
    let x = apply(tfl.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]], name: 'pad' }), input);
    x = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu', name: 'dw' }), x);
    x = apply(tfl.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'elu', name: 'sep' }), x);
    x = apply(tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', name: 'up_conv' }), x);
    x = apply(tfl.layers.averagePooling2d({ poolSize: 2, name: 'avg' }), x);
    x = apply(tfl.layers.leakyReLU({ alpha: 0.1, name: 'leaky' }), x);
    const side = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'sigmoid', name: 'dilated' }), x);
    x = apply(tfl.layers.concatenate({ axis: -1, name: 'cat' }), [x, side]);
    x = apply(tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }), x);
    x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'maxp' }), x);
    x = apply(tfl.layers.globalMaxPooling2d({ name: 'gmp' }), x);
    x = apply(tfl.layers.reshape({ targetShape: [2, 4], name: 'rows' }), x);
    x = apply(tfl.layers.layerNormalization({ epsilon: 1e-5, name: 'ln' }), x);
    x = apply(tfl.layers.flatten({ name: 'flat' }), x);
    x = apply(tfl.layers.dense({ units: 6, activation: 'relu', name: 'hidden' }), x);
    x = apply(tfl.layers.dropout({ rate: 0.3, name: 'drop' }), x);
    const out = apply(tfl.layers.dense({ units: 3, name: 'values' }), x);
    const original = tfl.model({ inputs: input, outputs: out });
    const xs = tf.randomNormal([3, 12, 12, 3], 0, 1, 'float32', 5);
    const doc = await importAndCompare(original, 'image-layers', xs);
    expect(Object.fromEntries(doc.nodes.map((n) => [n.id, n.type]))).toEqual({
      img: 'Input', pad: 'ZeroPadding2D', dw: 'DepthwiseConv2D', sep: 'SeparableConv2D', up_conv: 'Conv2DTranspose', avg: 'AvgPool2D',
      leaky: 'Activation', dilated: 'Conv2D', cat: 'Concatenate', up: 'UpSampling2D', maxp: 'MaxPool2D', gmp: 'GlobalMaxPool2D',
      rows: 'Reshape', ln: 'LayerNorm', flat: 'Flatten', hidden: 'Dense', drop: 'Dropout', values: 'Output',
    });
    expect(doc.nodes.find((n) => n.id === 'pad')!.params).toEqual({ padding: [1, 2, 0, 1] });
    expect(doc.nodes.find((n) => n.id === 'values')!.params).toEqual({ task: 'regression', units: 3 });
    tf.dispose(xs);
    original.dispose();
  }, 60_000);

  it('token layers: Embedding, LSTM and GRU (tfjs gates), with a softmax head', async () => {
    const original = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 30, outputDim: 6, inputLength: 7, name: 'embed' }),
        tfl.layers.lstm({ units: 5, returnSequences: true, name: 'lstm' }),
        tfl.layers.gru({ units: 4, name: 'gru' }),
        tfl.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }),
      ],
    });
    const xs = tf.tensor2d(Array.from({ length: 21 }, (_, i) => (i * 11) % 30), [3, 7], 'int32');
    const doc = await importAndCompare(original, 'token-layers', xs);
    expect(doc.nodes.map((n) => n.type)).toEqual(['Input', 'Embedding', 'LSTM', 'GRU', 'Output']);
    expect(doc.nodes[0]!.params).toEqual({ kind: 'tokens', length: 7 });
    tf.dispose(xs);
    original.dispose();
  }, 60_000);

  it('Keras defaults with no tfjs equivalent are refused by name (sigmoid gates, GRU reset_after)', () => {
    const layer = (className: string, config: Record<string, unknown>) => ({ class_name: className, config: { name: className.toLowerCase(), ...config } });
    const result = importKerasModel({
      class_name: 'Sequential',
      config: {
        name: 'rnn',
        layers: [
          { class_name: 'InputLayer', config: { name: 'seq', batch_input_shape: [null, 5, 3], dtype: 'float32' } },
          layer('LSTM', { units: 4, return_sequences: true, recurrent_activation: 'sigmoid' }),
          layer('GRU', { units: 4, reset_after: true, recurrent_activation: 'hard_sigmoid' }),
          layer('Dense', { units: 1, activation: 'sigmoid' }),
        ],
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.layer} (${p.className})`)).toEqual(['lstm (LSTM)', 'gru (GRU)']);
    expect(result.problems[0]!.reason).toContain("recurrent_activation 'sigmoid'");
    expect(result.problems[1]!.reason).toContain('reset_after');
  });
});

describe('round trip: graph → bricks export --to tfjs → bricks import', () => {
  it.each(['resnet-mini', 'inception-branches', 'lenet', 'nf-resnet-mini', 'autoencoder', 'mnist-mlp', 'spirals', 'xor'])('%s comes back with the same structure and outputs', async (name) => {
    const source = path.join(repo, 'examples', `${name}.nbrick`);
    const exported = path.join(dir, `${name}-tfjs`);
    const ex = await bricks('export', source, '--to', 'tfjs', '--out', exported, '--seed', '5');
    expect(ex.code, ex.err).toBe(0);
    const back = path.join(dir, `${name}-back.nbrick`);
    const im = await bricks('import', path.join(exported, 'model.json'), back);
    expect(im.code, im.err).toBe(0);
    const original = await readGraphFile(source);
    const roundTrip = await readGraphFile(back);
    if (!original.ok || !roundTrip.ok) throw new Error('unreadable');
    expect(resolvedStructure(roundTrip.file.graph)).toEqual(resolvedStructure(original.file.graph));

    const run = roundTrip.file.runs![0]!;
    const kept = await loadModelFromDir(checkpointDirFor(back, run.id));
    const reference = await loadModelFromDir(exported);
    const shape = reference.inputs[0]!.shape.slice(1) as number[];
    const x = tf.randomUniform([3, ...shape], 0, 1, 'float32', 11);
    expect(maxAbsDiff(await predict(kept, x), await predict(reference, x))).toBeLessThanOrEqual(1e-5);
    // The imported graph compiles to a model with the original's parameter count.
    const compiled = compileGraph(roundTrip.file.graph);
    expect(compiled.model.countParams()).toBe(reference.countParams());
    tf.dispose(x);
    compiled.model.dispose();
    kept.dispose();
    reference.dispose();
  }, 120_000);
});
