/**
 * tfjs-layers constructors keyed by the `className` the catalog's `toTfjs()` emits. The catalog stays plain data;
 * only this table knows the tfjs API.
 */
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { WS_CONV2D_CLASS } from '../../../shared/catalog/convolution';
import { SKIP_INIT_CLASS } from '../../../shared/catalog/normalization';
import { fastBatchNormalization } from './fastBatchNorm';
import { fastLstm } from './fastLstm';
import { skipInit } from './skipInit';
import { wsConv2d } from './wsConv2d';

export interface TfLayer {
  readonly name: string;
  apply(inputs: SymbolicTensor | SymbolicTensor[]): unknown;
}
type LayerFactory = (args: Record<string, unknown>) => TfLayer;

function factory<A>(create: (args: A) => TfLayer): LayerFactory {
  return create as unknown as LayerFactory;
}

const FACTORIES: Readonly<Record<string, LayerFactory>> = {
  Dense: factory(layers.dense),
  Activation: factory(layers.activation),
  LeakyReLU: factory(layers.leakyReLU),
  Dropout: factory(layers.dropout),
  Flatten: factory(layers.flatten),
  Reshape: factory(layers.reshape),
  Embedding: factory(layers.embedding),
  Conv2D: factory(layers.conv2d),
  // Our own layers; importing their modules registers them for deserialisation, so saved models reload.
  [WS_CONV2D_CLASS]: factory(wsConv2d),
  [SKIP_INIT_CLASS]: factory(skipInit),
  DepthwiseConv2D: factory(layers.depthwiseConv2d),
  SeparableConv2D: factory(layers.separableConv2d),
  Conv2DTranspose: factory(layers.conv2dTranspose),
  UpSampling2D: factory(layers.upSampling2d),
  ZeroPadding2D: factory(layers.zeroPadding2d),
  MaxPooling2D: factory(layers.maxPooling2d),
  AveragePooling2D: factory(layers.averagePooling2d),
  GlobalAveragePooling2D: factory(layers.globalAveragePooling2d),
  GlobalMaxPooling2D: factory(layers.globalMaxPooling2d),
  // Same class name, config and weights as layers.batchNormalization; fused kernels when training on wasm/cpu.
  BatchNormalization: factory(fastBatchNormalization),
  LayerNormalization: factory(layers.layerNormalization),
  Add: factory(layers.add),
  Multiply: factory(layers.multiply),
  Concatenate: factory(layers.concatenate),
  // Same class name, config and weights as layers.lstm; the cell's gates as one kernel on wasm/cpu.
  LSTM: factory(fastLstm),
  GRU: factory(layers.gru),
};

export function createLayer(className: string, args: Record<string, unknown>): TfLayer | undefined {
  return FACTORIES[className]?.(args);
}

export function hasLayerFactory(className: string): boolean {
  return className in FACTORIES;
}
