/**
 * Reading a Keras model config into one plain list of layers with their inputs, whatever the file's era:
 * - Keras 2.x / 3 and TF.js `modelTopology`: `{"class_name": "Sequential" | "Functional" | "Model", "config": {...}}`,
 *   possibly wrapped as `{"model_config": {...}, "training_config": ...}` (TF.js, Keras .h5 attributes);
 * - the Keras 2.0-era Sequential whose `config` is a plain list of layers;
 * - `inbound_nodes` as Keras 2 lists (`[[["conv1", 0, 0, {}], ...]]`) or Keras 3 call records
 *   (`[{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["conv1", 0, 0]}}], "kwargs": {}}]`).
 * Pure data work: no tfjs, no Node. Problems are thrown as {@link KerasFormatError} naming where they are.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export class KerasFormatError extends Error {
  override readonly name = 'KerasFormatError';
}

/** One layer of the model, in file order; `inputs` are the names of the layers it is called on (in order). */
export interface KerasLayer {
  readonly name: string;
  readonly className: string;
  readonly config: JsonObject;
  readonly inputs: readonly string[];
}

export interface KerasModel {
  readonly name: string;
  /** `Sequential`, `Functional` or `Model` (Keras 2.0-era list files report `Sequential`). */
  readonly kind: string;
  readonly layers: readonly KerasLayer[];
  /** Names of the model's input and output layers (Sequential: the first and last). */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Layers whose wiring cannot be imported (called several times, using one of several outputs), with the reason. */
  readonly wiringProblems: readonly { readonly name: string; readonly className: string; readonly reason: string }[];
  /** Per-sample input shape a Sequential declares on its first layer (`batch_input_shape` without the batch). */
  readonly declaredInput?: { readonly shape: readonly (number | null)[]; readonly dtype?: string };
}

function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The Keras model config inside a parsed model JSON or TF.js `model.json` (its `modelTopology`). */
export function findModelConfig(json: unknown): JsonObject {
  if (!isObject(json)) throw new KerasFormatError('not a Keras model: expected a JSON object');
  if (typeof json['format'] === 'string' && json['format'] !== 'layers-model') {
    throw new KerasFormatError(`a TF.js "${json['format']}" model has no Keras layers to import: only TF.js layers models (format "layers-model") can be imported`);
  }
  if (isObject(json['modelTopology'])) return findModelConfig(json['modelTopology']);
  if (isObject(json['model_config'])) return findModelConfig(json['model_config']);
  if (typeof json['class_name'] === 'string' && 'config' in json) return json;
  throw new KerasFormatError('not a Keras model: expected "class_name" and "config" (or a TF.js model.json with "modelTopology")');
}

/** Keras 2 node entry `["name", nodeIndex, tensorIndex, kwargs]`, a Keras 3 `__keras_tensor__`, or nested lists of them. */
function tensorNames(x: unknown, where: string): string[] {
  if (Array.isArray(x)) {
    if (typeof x[0] === 'string' && typeof x[1] === 'number') {
      if (x[2] !== undefined && x[2] !== 0) throw new KerasFormatError(`${where}: uses output ${String(x[2])} of layer '${x[0]}' (layers with several outputs are not supported)`);
      return [x[0]];
    }
    return x.flatMap((item) => tensorNames(item, where));
  }
  if (isObject(x) && x['class_name'] === '__keras_tensor__' && isObject(x['config'])) {
    const history = x['config']['keras_history'];
    if (Array.isArray(history) && typeof history[0] === 'string') {
      if (history[2] !== undefined && history[2] !== 0) throw new KerasFormatError(`${where}: uses output ${String(history[2])} of layer '${history[0]}' (layers with several outputs are not supported)`);
      return [history[0]];
    }
  }
  return [];
}

function inboundOf(layer: JsonObject, name: string): string[] {
  const nodes = layer['inbound_nodes'];
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1) throw new KerasFormatError(`layer '${name}' is called ${nodes.length} times (shared layers are not supported)`);
  const node: unknown = nodes[0];
  if (isObject(node)) return tensorNames(node['args'], `layer '${name}'`);
  return tensorNames(node, `layer '${name}'`);
}

function layerName(layer: JsonObject, index: number): string {
  const config = isObject(layer['config']) ? layer['config'] : {};
  const name = layer['name'] ?? config['name'];
  return typeof name === 'string' && name !== '' ? name : `layer_${index + 1}`;
}

function readLayers(list: unknown, where: string): JsonObject[] {
  if (!Array.isArray(list)) throw new KerasFormatError(`${where}: expected a list of layers`);
  return list.map((layer, i) => {
    if (!isObject(layer) || typeof layer['class_name'] !== 'string') throw new KerasFormatError(`${where}[${i}]: expected a layer with "class_name" and "config"`);
    return layer;
  });
}

function endpointNames(x: unknown): string[] {
  if (!Array.isArray(x)) return [];
  // Keras 2: [["input_1", 0, 0], ...]; a single-output Keras 3 model may store just ["dense", 0, 0].
  return tensorNames(x, 'model inputs/outputs');
}

/** Per-sample shape from `batch_input_shape` / `batch_shape` (Keras 3) / `input_shape`. */
export function declaredShape(config: JsonObject): (number | null)[] | undefined {
  const batch = config['batch_input_shape'] ?? config['batch_shape'];
  if (Array.isArray(batch)) return batch.slice(1).map((d) => (typeof d === 'number' ? d : null));
  const shape = config['input_shape'];
  if (Array.isArray(shape)) return shape.map((d) => (typeof d === 'number' ? d : null));
  return undefined;
}

export function parseKerasModel(json: unknown): KerasModel {
  const top = findModelConfig(json);
  const kind = String(top['class_name']);
  const config = top['config'];
  if (kind === 'Sequential') {
    // Keras 2.0-era: `config` is the list of layers itself.
    const rawLayers = readLayers(Array.isArray(config) ? config : isObject(config) ? config['layers'] : undefined, 'config.layers');
    const name = isObject(config) && typeof config['name'] === 'string' ? config['name'] : 'sequential';
    const layers: KerasLayer[] = [];
    rawLayers.forEach((raw, i) => {
      const layer = { name: layerName(raw, i), className: String(raw['class_name']), config: isObject(raw['config']) ? raw['config'] : {} };
      const previous = layers[layers.length - 1];
      layers.push({ ...layer, inputs: previous ? [previous.name] : [] });
    });
    const first = layers[0];
    if (!first) throw new KerasFormatError('the Sequential model has no layers');
    const shape = first.className === 'InputLayer' ? undefined : declaredShape(first.config);
    const dtype = typeof first.config['dtype'] === 'string' ? first.config['dtype'] : undefined;
    return {
      name,
      kind,
      layers,
      wiringProblems: [],
      inputNames: [first.name],
      outputNames: [layers[layers.length - 1]!.name],
      ...(shape ? { declaredInput: { shape, ...(dtype ? { dtype } : {}) } } : {}),
    };
  }
  if (kind === 'Functional' || kind === 'Model') {
    if (!isObject(config)) throw new KerasFormatError(`the ${kind} model has no config object`);
    const rawLayers = readLayers(config['layers'], 'config.layers');
    const wiringProblems: { name: string; className: string; reason: string }[] = [];
    const layers = rawLayers.map((raw, i): KerasLayer => {
      const name = layerName(raw, i);
      const className = String(raw['class_name']);
      let inputs: string[] = [];
      try {
        inputs = inboundOf(raw, name);
      } catch (error) {
        if (!(error instanceof KerasFormatError)) throw error;
        wiringProblems.push({ name, className, reason: error.message.replace(`layer '${name}' `, '').replace(`layer '${name}': `, '') });
      }
      return { name, className, config: isObject(raw['config']) ? raw['config'] : {}, inputs };
    });
    return {
      name: typeof config['name'] === 'string' ? config['name'] : 'model',
      kind,
      layers,
      wiringProblems,
      inputNames: endpointNames(config['input_layers']),
      outputNames: endpointNames(config['output_layers']),
    };
  }
  throw new KerasFormatError(`unknown model class '${kind}': expected Sequential, Functional or Model`);
}
