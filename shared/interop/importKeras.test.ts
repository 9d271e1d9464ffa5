/** Keras config → graph document: wiring, naming, inputs and the refusals that name the layer (pure, no tfjs). */
import { describe, expect, it } from 'vitest';
import { importKerasModel } from './importKeras';
import { KerasFormatError } from './kerasTopology';

const layer = (className: string, name: string, config: Record<string, unknown>, inbound?: string[][]) => ({
  class_name: className,
  name,
  config: { name, ...config },
  inbound_nodes: inbound ? inbound.map((call) => call.map((src) => [src, 0, 0, {}])) : [],
});
const input = (name: string, shape: (number | null)[], dtype = 'float32') => layer('InputLayer', name, { batch_input_shape: [null, ...shape], dtype });
const functional = (layers: unknown[], inputs: string[], outputs: string[]) => ({
  class_name: 'Functional',
  config: { name: 'm', layers, input_layers: inputs.map((n) => [n, 0, 0]), output_layers: outputs.map((n) => [n, 0, 0]) },
});
const problemsOf = (json: unknown) => {
  const result = importKerasModel(json);
  return result.ok ? [] : result.problems.map((p) => `${p.layer} (${p.className}): ${p.reason}`);
};

describe('importKerasModel', () => {
  it('a vector model: ids from names (sanitised, unique), Keras 3 activation objects, binary head', () => {
    const result = importKerasModel(
      functional(
        [
          input('features', [5]),
          layer('Dense', 'dense/1', { units: 4, activation: { module: 'keras.activations', class_name: 'function', config: 'silu' } }, [['features']]),
          layer('Dense', 'dense_1', { units: 1, activation: 'sigmoid' }, [['dense/1']]),
        ],
        ['features'],
        ['dense_1'],
      ),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.doc.nodes.map((n) => [n.id, n.type, n.params])).toEqual([
      ['features', 'Input', { kind: 'vector', size: 5 }],
      ['dense_1', 'Dense', { units: 4, activation: 'swish', useBias: true }],
      ['dense_1_2', 'Output', { task: 'binary' }],
    ]);
    expect(result.doc.edges.map((e) => e.id)).toEqual(['features->dense_1', 'dense_1->dense_1_2']);
    expect(result.weightsFrom.get('dense_1_2')).toBe('dense_1');
  });

  it('Concatenate keeps the order of its inputs as ports; side branches get their own column', () => {
    const result = importKerasModel(
      functional(
        [
          input('x', [8, 8, 3]),
          layer('Conv2D', 'a', { filters: 2, kernel_size: 1, activation: 'relu' }, [['x']]),
          layer('Conv2D', 'b', { filters: 3, kernel_size: 3, padding: 'same' }, [['x']]),
          layer('Concatenate', 'cat', { axis: -1 }, [['b', 'a']]),
          layer('GlobalAveragePooling2D', 'gap', {}, [['cat']]),
          layer('Dense', 'out', { units: 4, activation: 'softmax' }, [['gap']]),
        ],
        ['x'],
        ['out'],
      ),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.doc.edges.filter((e) => e.target === 'cat').map((e) => [e.source, e.targetPort])).toEqual([
      ['b', 0],
      ['a', 1],
    ]);
    const pos = Object.fromEntries(result.doc.nodes.map((n) => [n.id, n.position]));
    expect(pos['a']!.y).toBe(pos['b']!.y);
    expect(pos['a']!.x).not.toBe(pos['b']!.x);
    expect(pos['cat']!.x).toBe(pos['out']!.x);
    expect(result.analysis.totals.params).toBe(8 + 84 + 24);
  });

  it('rank-1 integer inputs are token ids; unknown dimensions, several outputs, shared layers and heads we lack are refused by name', () => {
    expect(problemsOf(functional([input('t', [null, 3]), layer('Dense', 'd', { units: 2, activation: 'softmax' }, [['t']])], ['t'], ['d']))).toEqual([
      't (InputLayer): input shape [None, 3] has unknown dimensions; every dimension must be fixed',
    ]);
    expect(
      problemsOf(
        functional(
          [input('x', [4]), layer('Dense', 'd1', { units: 3, activation: 'softmax' }, [['x']]), layer('Dense', 'd2', { units: 1 }, [['x']])],
          ['x'],
          ['d1', 'd2'],
        ),
      )[0],
    ).toBe('m (Functional): the model has 2 outputs; only models with one output can be imported');
    expect(
      problemsOf(
        functional(
          [input('x', [4]), layer('Dense', 'shared', { units: 4 }, [['x'], ['x']]), layer('Dense', 'd', { units: 2, activation: 'softmax' }, [['shared']])],
          ['x'],
          ['d'],
        ),
      ),
    ).toEqual(['shared (Dense): is called 2 times (shared layers are not supported)']);
    expect(problemsOf(functional([input('x', [4]), layer('Dense', 'd', { units: 3, activation: 'relu' }, [['x']])], ['x'], ['d']))).toEqual([
      "d (Dense): cannot become the Output: the model ends in a Dense with activation 'relu'; our Output is a Dense with softmax, sigmoid or linear",
    ]);
    const tokens = importKerasModel(
      functional(
        [input('ids', [6], 'int32'), layer('Embedding', 'emb', { input_dim: 20, output_dim: 4 }, [['ids']]), layer('Flatten', 'f', {}, [['emb']]), layer('Dense', 'd', { units: 2, activation: 'softmax' }, [['f']])],
        ['ids'],
        ['d'],
      ),
    );
    expect(tokens.ok && tokens.doc.nodes[0]!.params).toEqual({ kind: 'tokens', length: 6 });
  });

  it('files that are not Keras models say so', () => {
    expect(() => importKerasModel({ hello: 1 })).toThrow(KerasFormatError);
    expect(() => importKerasModel({ format: 'graph-model', modelTopology: { node: [] } })).toThrow(/only TF.js layers models/);
    expect(() => importKerasModel({ class_name: 'Mystery', config: {} })).toThrow("unknown model class 'Mystery'");
  });
});
