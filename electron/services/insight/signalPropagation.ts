/**
 * Signal propagation at initialisation (Brock, De & Smith 2021, "Characterizing signal propagation to close the
 * performance gap in unnormalized ResNets"): one batch of real training data through the freshly initialised network,
 * and per node along the depth the two statistics of their Signal Propagation Plots — the average channel squared
 * mean and the average channel variance. Channels are the last axis; each channel's mean and (population) variance
 * are taken over the batch and all positions.
 *
 * The network is the one training would start from: compiled under the run's seeded Math.random exactly as
 * runTraining does, run in training mode (BatchNorm normalises with the batch's own statistics, Dropout drops), on the
 * first samples of the first epoch's seeded order. No tfjs backend is chosen here: the caller selects it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_SIGNAL_SAMPLES, type SignalNode, type SignalPropagation } from '../../../shared/contracts/insight';
import { assertGraphFitsDataset } from '../../../shared/datasets/checkGraphFitsDataset';
import type { GraphDocument, NodeId } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { compileGraph } from '../compiler/compileGraph';
import type { DatasetInfo } from '../../../shared/contracts/trainer';
import type { DataInfo, LoadedDataset } from '../datasets/loadDataset';
import { assertGraphFitsData, type DataShape } from '../../../shared/data/checkGraphFitsData';
import { installSeededMathRandom } from '../training/seededMathRandom';
import { featureSize, firstTrainingSamples, gatherInputs } from './insightBatch';

export interface SignalPropagationOptions {
  /** Samples in the batch (default DEFAULT_SIGNAL_SAMPLES; fewer when the training split is smaller). */
  readonly samples?: number;
}

/** The two statistics of one activation tensor, channels = last axis. */
export interface ChannelStats {
  readonly channels: number;
  readonly avgSquaredMean: number;
  readonly avgVariance: number;
}

export function channelStats(activation: tf.Tensor): ChannelStats {
  const channels = activation.rank >= 2 ? activation.shape[activation.rank - 1]! : 1;
  const [avgSquaredMean, avgVariance] = tf.tidy(() => {
    const flat = tf.reshape(activation.dtype === 'float32' ? activation : tf.cast(activation, 'float32'), [-1, channels]);
    const { mean, variance } = tf.moments(flat, 0);
    return [tf.mean(tf.square(mean)), tf.mean(variance)];
  });
  const result = { channels, avgSquaredMean: avgSquaredMean!.dataSync()[0]!, avgVariance: avgVariance!.dataSync()[0]! };
  avgSquaredMean!.dispose();
  avgVariance!.dispose();
  return result;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export function signalPropagation(
  graph: GraphDocument,
  data: LoadedDataset<DataInfo> & { readonly shape?: DataShape },
  config: TrainingConfig,
  options: SignalPropagationOptions = {},
): SignalPropagation {
  const startedAt = performance.now();
  // The user's own data (issue 14) carries what the graph must fit; a bundled dataset is checked by its info.
  if (data.shape) assertGraphFitsData(graph, data.shape);
  else assertGraphFitsDataset(graph, data.info as DatasetInfo);
  const indices = firstTrainingSamples(data.train.count, config, options.samples ?? DEFAULT_SIGNAL_SAMPLES);
  const x = gatherInputs(data.train, indices, featureSize(data));
  // The same initial weights (and dropout masks) as a run with this seed: runTraining compiles under this generator.
  const restoreRandom = installSeededMathRandom(config.seed);
  let model: tfl.LayersModel | undefined;
  try {
    const compiled = compileGraph(graph);
    model = compiled.model;
    const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
    const wanted: { nodeId: NodeId; layer: string }[] = [];
    for (const nodeId of compiled.analysis.order) {
      const layer = compiled.layerNames.get(nodeId)?.at(-1);
      if (layer !== undefined) wanted.push({ nodeId, layer });
    }
    const input = tf.tensor(x, [indices.length, ...data.info.inputShape], model.inputs[0]?.dtype === 'int32' ? 'int32' : 'float32');
    let stats: Map<string, { shape: number[]; stats: ChannelStats }>;
    try {
      stats = forwardWithStats(model, input, new Set(wanted.map((w) => w.layer)));
    } finally {
      input.dispose();
    }
    const nodes: SignalNode[] = [];
    for (const { nodeId, layer } of wanted) {
      const found = stats.get(layer);
      if (!found) continue;
      nodes.push({
        nodeId,
        type: typeOf.get(nodeId) ?? 'unknown',
        layer,
        shape: found.shape,
        channels: found.stats.channels,
        avgSquaredMean: finiteOrNull(found.stats.avgSquaredMean),
        avgVariance: finiteOrNull(found.stats.avgVariance),
      });
    }
    return {
      datasetId: data.info.id,
      samples: indices.length,
      seed: config.seed,
      backend: tf.getBackend(),
      elapsedMs: performance.now() - startedAt,
      nodes,
    };
  } finally {
    restoreRandom();
    model?.dispose();
  }
}

type Stats = Map<string, { shape: number[]; stats: ChannelStats }>;

/**
 * Runs `model` layer by layer in training mode and takes the statistics of the named layers' outputs. A nested model
 * (a segment of a very deep graph, see compileGraph's buildInSegments) runs as one step that also returns the outputs
 * of the named layers inside it. Each activation is freed once its last reader has run, so memory stays about one
 * layer's worth wide rather than the whole network's.
 */
function forwardWithStats(model: tfl.LayersModel, input: tf.Tensor, wanted: ReadonlySet<string>): Stats {
  const stats: Stats = new Map();
  const record = (name: string, value: tf.Tensor) => {
    if (wanted.has(name)) stats.set(name, { shape: value.shape.slice(1), stats: channelStats(value) });
  };
  const values = new Map<number, tf.Tensor>();
  const readers = new Map<number, number>();
  for (const layer of model.layers) {
    for (const t of layer.inboundNodes[0]?.inputTensors ?? []) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
  }
  const read = (t: tfl.SymbolicTensor): tf.Tensor => {
    const value = values.get(t.id);
    if (!value) throw new Error(`signal propagation: no value for '${t.name}' when it is read`);
    return value;
  };
  const release = (t: tfl.SymbolicTensor) => {
    const left = (readers.get(t.id) ?? 0) - 1;
    readers.set(t.id, left);
    const value = values.get(t.id);
    if (left <= 0 && value && value !== input) {
      value.dispose();
      values.delete(t.id);
    }
  };
  try {
    model.inputs.forEach((t) => values.set(t.id, input));
    for (const layer of model.layers) {
      const node = layer.inboundNodes[0];
      if (!node) continue;
      if (layer.getClassName() === 'InputLayer') {
        record(layer.name, input);
        continue;
      }
      const args = node.inputTensors.map(read);
      const arg = args.length === 1 ? args[0]! : args;
      let outputs: tf.Tensor[];
      if (layer instanceof tfl.LayersModel) {
        const inner = layer.layers.filter((l) => wanted.has(l.name) && l.getClassName() !== 'InputLayer');
        const probe = tfl.model({ inputs: layer.inputs, outputs: [...layer.outputs, ...inner.map((l) => l.output as tfl.SymbolicTensor)] });
        const all = probe.apply(arg, { training: true }) as tf.Tensor | tf.Tensor[];
        const list = Array.isArray(all) ? all : [all];
        outputs = list.slice(0, layer.outputs.length);
        inner.forEach((l, k) => {
          const value = list[layer.outputs.length + k]!;
          record(l.name, value);
          if (!outputs.includes(value)) value.dispose();
        });
      } else {
        const out = layer.apply(arg, { training: true }) as tf.Tensor | tf.Tensor[];
        outputs = Array.isArray(out) ? out : [out];
        if (outputs.length === 1) record(layer.name, outputs[0]!);
      }
      node.outputTensors.forEach((t, k) => values.set(t.id, outputs[k]!));
      node.inputTensors.forEach(release);
    }
  } finally {
    for (const value of values.values()) if (value !== input) value.dispose();
  }
  return stats;
}
