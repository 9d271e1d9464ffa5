import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-layers calls chained tensor methods (`x.flatten()`, `x.toFloat()`, `rMat.flatten()` in LSTM…). The
 * @tensorflow/tfjs umbrella package installs them, but its Node bundle also drags in webgl, converter and data, and
 * the ESM file tfjs-core ships for this (`dist/public/chained_ops/register_all_chained_ops.js`) would load a second copy
 * of tfjs-core under Node's CommonJS resolution. So we install the same methods ourselves on the Tensor class of the
 * tfjs-core instance everyone shares. Methods that already exist are left alone.
 */
const SAME_NAME_OPS = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'avgPool',
  'batchToSpaceND', 'batchNorm', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'conv1d', 'conv2d', 'conv2dTranspose',
  'cos', 'cosh', 'cumprod', 'cumsum', 'depthToSpace', 'depthwiseConv2d', 'dilation2d', 'div', 'divNoNan', 'dot', 'elu',
  'equal', 'erf', 'euclideanNorm', 'exp', 'expandDims', 'expm1', 'fft', 'floor', 'floorDiv', 'gather', 'greater',
  'greaterEqual', 'ifft', 'irfft', 'isFinite', 'isInf', 'isNaN', 'leakyRelu', 'less', 'lessEqual',
  'localResponseNormalization', 'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp', 'logicalAnd', 'logicalNot',
  'logicalOr', 'logicalXor', 'matMul', 'max', 'maxPool', 'maximum', 'mean', 'min', 'minimum', 'mirrorPad', 'mod', 'mul',
  'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad', 'pool', 'pow', 'prelu', 'prod', 'reciprocal', 'relu', 'relu6',
  'reshape', 'resizeBilinear', 'resizeNearestNeighbor', 'reverse', 'rfft', 'round', 'rsqrt', 'selu', 'separableConv2d',
  'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax', 'softplus', 'spaceToBatchND', 'split', 'sqrt', 'square',
  'squaredDifference', 'squeeze', 'step', 'stridedSlice', 'sub', 'sum', 'tan', 'tanh', 'tile', 'topk', 'transpose',
  'unique', 'unsortedSegmentSum', 'unstack', 'zerosLike',
] as const;

type Method = (this: tf.Tensor, ...args: unknown[]) => unknown;

const SPECIAL: Record<string, Method> = {
  as1D(this: tf.Tensor) { return tf.reshape(this, [this.size]); },
  as2D(this: tf.Tensor, ...d: unknown[]) { return tf.reshape(this, d.slice(0, 2) as number[]); },
  as3D(this: tf.Tensor, ...d: unknown[]) { return tf.reshape(this, d.slice(0, 3) as number[]); },
  as4D(this: tf.Tensor, ...d: unknown[]) { return tf.reshape(this, d.slice(0, 4) as number[]); },
  as5D(this: tf.Tensor, ...d: unknown[]) { return tf.reshape(this, d.slice(0, 5) as number[]); },
  asScalar(this: tf.Tensor) {
    if (this.size !== 1) throw new Error('The array must have only 1 element.');
    return tf.reshape(this, []);
  },
  asType(this: tf.Tensor, dtype: unknown) { return tf.cast(this, dtype as tf.DataType); },
  toFloat(this: tf.Tensor) { return tf.cast(this, 'float32'); },
  toInt(this: tf.Tensor) { return tf.cast(this, 'int32'); },
  toBool(this: tf.Tensor) { return tf.cast(this, 'bool'); },
  flatten(this: tf.Tensor) { return tf.reshape(this, [this.size]); },
  reshapeAs(this: tf.Tensor, x: unknown) { return tf.reshape(this, (x as tf.Tensor).shape); },
  concat(this: tf.Tensor, x: unknown, axis: unknown) {
    const rest = x instanceof tf.Tensor ? [x] : (x as tf.Tensor[]);
    return tf.concat([this, ...rest], axis as number | undefined);
  },
  stack(this: tf.Tensor, x: unknown, axis: unknown) {
    const rest = x instanceof tf.Tensor ? [x] : (x as tf.Tensor[]);
    return tf.stack([this, ...rest], axis as number | undefined);
  },
  where(this: tf.Tensor, condition: unknown, x: unknown) {
    return tf.where(condition as tf.Tensor, this, x as tf.Tensor);
  },
};

let installed = false;

/** Installs the chained tensor methods tfjs-layers relies on. Idempotent; returns the names it added. */
export function registerChainedOps(): string[] {
  if (installed) return [];
  installed = true;
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, (...args: unknown[]) => unknown>;
  const added: string[] = [];
  const define = (name: string, method: Method): void => {
    if (typeof proto[name] === 'function') return;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return method.apply(this, args);
    };
    added.push(name);
  };
  for (const name of SAME_NAME_OPS) {
    const op = ops[name];
    if (typeof op !== 'function') continue;
    define(name, function (this: tf.Tensor, ...args: unknown[]) {
      return op(this, ...args);
    });
  }
  for (const [name, method] of Object.entries(SPECIAL)) define(name, method);
  return added;
}
