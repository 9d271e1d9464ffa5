/**
 * Writes a Keras export into a directory: model.py (see generateKeras), weights.safetensors (Keras layouts, the same
 * file format as the PyTorch export) and a README.md saying how to use them and how far they were checked.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeTextFileAtomic } from '../../files/writeGraphFileAtomic';
import { nodeWeightsOf, type ExportSource } from '../exportSource';
import { encodeSafetensors } from '../pytorch/safetensors';
import { generateKeras, type GeneratedKeras } from './generateKeras';

export interface KerasExportResult {
  readonly generated: GeneratedKeras;
  readonly files: readonly string[];
  readonly weightCount: number;
}

function readme(source: ExportSource, g: GeneratedKeras, dataset: string | undefined): string {
  const name = source.doc.metadata.name || 'Model';
  const example =
    g.input.kind === 'tokens'
      ? `x = np.random.randint(0, 10, size=(4, ${g.input.shape.join(', ')})).astype('int32')  # token ids`
      : `x = np.random.rand(4, ${g.input.shape.join(', ')}).astype('float32')`;
  const notes: string[] = [];
  if (dataset === 'mnist') notes.push('- The graph’s dataset is MNIST, fed as the app feeds it: N×28×28×1, pixel values 0…1 (ink = 1).');
  if (g.input.kind === 'image') notes.push('- Images are NHWC (channels last), as in the app and Keras’s default.');
  return [
    `# ${name} — Keras export`,
    '',
    `Exported by Neural Bricks (\`bricks export --to keras\`). Weights: ${source.weightsFrom}.`,
    '',
    '- `model.py` — `build_model()` builds the network with the tf.keras functional API; variables and layer names are the',
    '  graph’s node ids (`/` in an id becomes `_`). `load_weights(model, directory)` sets the weights.',
    '- `weights.safetensors` — the weights in Keras layouts (Dense kernel [in, out], Conv2D kernel [kh, kw, in, out]), named',
    '  `<layer>/<weight>`; the metadata lists each layer’s weights in its `get_weights()` order. `model.py` reads the file',
    '  with numpy only (no safetensors package needed).',
    '',
    '**Needs TensorFlow 2 (tf.keras).** Neural Bricks cannot run TensorFlow, so this export was checked by structure only:',
    'the code parses, every layer and its configuration is the graph’s, and `build_model()` wires the layers as the graph',
    'does (run against a stand-in `tensorflow` module); the numbers were not compared with TensorFlow.',
    '',
    '## Use',
    '',
    '```python',
    'import numpy as np',
    'from model import build_model, load_weights',
    '',
    "model = load_weights(build_model(), '.')  # this directory",
    example,
    `y = model.predict(x)  # N x ${g.outputShape.join(' x ')}`,
    '```',
    '',
    '## Notes',
    '',
    ...notes,
    '- LSTM/GRU use `recurrent_activation=\'hard_sigmoid\'` (TF.js’s default) and GRU `reset_after=False`. In Keras 2',
    '  hard_sigmoid is clip(0.2·x + 0.5, 0, 1), as in TF.js; Keras 3 changed it to relu6(x + 3) / 6, so recurrent outputs differ there.',
    '- Bilinear UpSampling2D: Keras uses half-pixel centres, TF.js does not; values can differ slightly.',
    '- WSConv2D and SkipInit (no Keras layer) are small custom layers defined in `model.py`.',
    '',
  ].join('\n');
}

export async function exportKeras(source: ExportSource, outDir: string, options: { sourceFile?: string; dataset?: string } = {}): Promise<KerasExportResult> {
  const generated = generateKeras(source.doc, source.analysis, nodeWeightsOf(source.model, source.layerNames), {
    weightsFrom: source.weightsFrom,
    sourceFile: options.sourceFile,
  });
  const weights = encodeSafetensors(generated.tensors, {
    format: 'keras',
    generated_by: 'Neural Bricks',
    weights: source.weightsFrom,
    keras_layers: JSON.stringify(Object.fromEntries(generated.layerWeights)),
  });
  await mkdir(outDir, { recursive: true });
  await writeTextFileAtomic(path.join(outDir, 'weights.safetensors'), weights);
  await writeTextFileAtomic(path.join(outDir, 'model.py'), generated.source);
  await writeTextFileAtomic(path.join(outDir, 'README.md'), readme(source, generated, options.dataset));
  const weightCount = generated.tensors.reduce((n, t) => n + t.data.length, 0);
  return { generated, files: ['model.py', 'weights.safetensors', 'README.md'], weightCount };
}
