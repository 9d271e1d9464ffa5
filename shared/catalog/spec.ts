/**
 * One LayerSpec per layer type, registered under an explicit type string (see registry.ts).
 * A spec knows everything the app needs about a layer without tfjs: its params, arity, shape
 * inference, parameter count, cost estimates, and a plain description of the tfjs layer(s) it becomes.
 */
import type { ParamValue, Params } from '../document/model';

/** Per-sample tensor shape, without the batch dimension. All dimensions are known. */
export type Shape = readonly number[];

export const LAYER_CATEGORIES = [
  'Inputs',
  'Core',
  'Convolution',
  'Pooling',
  'Normalization',
  'Regularization',
  'Activation',
  'Merge',
  'Recurrent',
  'Output',
] as const;
export type LayerCategory = (typeof LAYER_CATEGORIES)[number];

interface ParamSpecBase {
  readonly label: string;
  readonly help: string;
  /**
   * Show this param only when another enum param has one of these values (e.g. Input's `height` only for
   * `kind: 'image'`). The param is still resolved and validated; hidden params are simply irrelevant.
   */
  readonly visibleWhen?: { readonly param: string; readonly values: readonly string[] };
}
export interface IntParamSpec extends ParamSpecBase {
  readonly kind: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}
export interface FloatParamSpec extends ParamSpecBase {
  readonly kind: 'float';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}
export interface EnumParamSpec extends ParamSpecBase {
  readonly kind: 'enum';
  readonly default: string;
  readonly options: readonly string[];
}
export interface BoolParamSpec extends ParamSpecBase {
  readonly kind: 'bool';
  readonly default: boolean;
}
/** A tuple of integers, e.g. kernel size [3, 3] or a Reshape target. `length` undefined = any length ≥ 1. */
export interface IntsParamSpec extends ParamSpecBase {
  readonly kind: 'ints';
  readonly default: readonly number[];
  readonly length?: number;
  /** Bounds for every element. */
  readonly min: number;
  readonly max: number;
}
export type ParamSpec = IntParamSpec | FloatParamSpec | EnumParamSpec | BoolParamSpec | IntsParamSpec;

/**
 * How many inputs a layer takes.
 * - Single-input layers (max 1) have port 0 only.
 * - `ordered` layers (Concatenate) give each port its own handle (ports 0..max-1, one edge per port); inputs are
 *   taken in port order and unused ports in between are skipped.
 * - Unordered multi-input layers (Add, Multiply) have ONE handle, port 0, that accepts up to `max` edges; the
 *   order of inputs (for messages) is by targetPort, then edge id.
 */
export interface InputArity {
  readonly min: number;
  readonly max: number;
  readonly ordered: boolean;
}

/** Shape inference outcome: an output shape, or an error optionally tied to one input port. */
export type ShapeResult =
  | { readonly ok: true; readonly shape: Shape }
  | { readonly ok: false; readonly message: string; readonly port?: number };

/** A tfjs layer described as plain data: `className` is the tfjs-layers class (e.g. `Dense`), `config` its args. */
export interface TfjsLayerDesc {
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Suffix for the layer name when a node becomes several layers (`conv1` + `act` → `conv1__act`). */
  readonly nameSuffix?: string;
}

/** Loss and metrics for an Output head; the compiler reads these. */
export interface HeadDesc {
  readonly task: 'classification' | 'binary' | 'regression';
  readonly loss: 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';
  readonly metrics: readonly string[];
  readonly units: number;
}

/** Fully resolved params: every declared param present with a valid value. */
export type ResolvedParams = Readonly<Record<string, ParamValue>>;

export interface LayerSpec {
  readonly type: string;
  readonly category: LayerCategory;
  readonly label: string;
  readonly description: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly inputs: InputArity;
  /**
   * Per-sample input ranks this layer accepts (e.g. Conv2D [3], Dense [1, 2]); undefined = any rank.
   * A connection whose rank is not listed can never fit without another layer in between, so the canvas refuses it.
   */
  readonly inputRanks?: readonly number[];
  /** Output shape from input shapes (in port order) and resolved params. */
  inferShape(inputs: readonly Shape[], params: ResolvedParams): ShapeResult;
  /** Trainable + non-trainable parameters, exactly as tfjs's `countParams()` reports them. */
  countParams(inputs: readonly Shape[], output: Shape, params: ResolvedParams): number;
  /** Forward multiply-adds ×2 per sample (an estimate). */
  flops(inputs: readonly Shape[], output: Shape, params: ResolvedParams): number;
  /** Short summary for the node face, e.g. `64 · 3×3 · s2`. */
  summary(params: ResolvedParams): string;
  /**
   * The tfjs layers this node becomes, applied in sequence (first gets the node's inputs).
   * Names are assigned by the compiler from the node id. An empty list means the node passes its single input
   * through unchanged (e.g. Flatten on an already flat vector); Input nodes return an `InputLayer` description.
   */
  toTfjs(params: ResolvedParams, inputs: readonly Shape[]): readonly TfjsLayerDesc[];
  /**
   * Bytes of float32 activations this node keeps per sample; defaults to the output size × 4.
   * Layers that expand into several tfjs layers (e.g. Dense + LeakyReLU) may report more.
   */
  activationBytes?(inputs: readonly Shape[], output: Shape, params: ResolvedParams): number;
  /** Present only on Output heads. */
  head?(params: ResolvedParams): HeadDesc;
}

export type { ParamValue, Params };
