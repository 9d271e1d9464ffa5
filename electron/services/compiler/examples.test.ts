/** Every shipped example must load, analyse without a single issue, and compile to the model its numbers describe. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraphFile, serializeGraphFile } from '../../../shared/format';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { compileGraph } from './compileGraph';

const EXAMPLES_DIR = join(import.meta.dirname, '../../../examples');
const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.nbrick')).sort();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('examples/*.nbrick', () => {
  it('include the agreed set', () => {
    expect(files).toEqual(
      ['autoencoder', 'inception-branches', 'lenet', 'mnist-mlp', 'nf-resnet-mini', 'resnet-mini', 'spirals', 'xor'].map((n) => `${n}.nbrick`),
    );
  });

  it.each(files)('%s loads, analyses cleanly and compiles', (file) => {
    const text = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
    const loaded = loadGraphFile(text);
    if (!loaded.ok) throw new Error(`${file}: ${loaded.error.message}`);
    // Canonical on disk: saving it again gives the same bytes.
    expect(serializeGraphFile(loaded.file)).toBe(text);
    expect(loaded.file.training?.dataset).toMatch(/^(xor|spirals|mnist)$/);

    const analysis = analyzeGraph(loaded.file.graph);
    expect(analysis.issues).toEqual([]);
    // Laid out top to bottom (the way papers draw networks): every edge goes downwards.
    const y = new Map(loaded.file.graph.nodes.map((n) => [n.id, n.position.y]));
    for (const e of loaded.file.graph.edges) expect(y.get(e.target)!, `${e.source} → ${e.target}`).toBeGreaterThan(y.get(e.source)!);

    const compiled = compileGraph(loaded.file.graph, { analysis });
    expect(compiled.model.countParams()).toBe(analysis.totals.params);
    compiled.model.dispose();
  });
});
