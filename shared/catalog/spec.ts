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

/** How many inputs a layer takes. `ordered` layers (Concatenate) give each port its own handle. */
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
   * Names are assigned by the compiler from the node id.
   */
  toTfjs(params: ResolvedParams, inputs: readonly Shape[]): readonly TfjsLayerDesc[];
  /** Present only on Output heads. */
  head?(params: ResolvedParams): HeadDesc;
}

export type { ParamValue, Params };
