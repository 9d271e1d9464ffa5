/**
 * Writes a PyTorch export into a directory: model.py (see generatePytorch), weights.safetensors and a README.md
 * saying how to use them.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeTextFileAtomic } from '../../files/writeGraphFileAtomic';
import { nodeWeightsOf, type ExportSource } from '../exportSource';
import { generatePytorch, type GeneratedPytorch } from './generatePytorch';
import { encodeSafetensors } from './safetensors';

export interface PytorchExportResult {
  readonly generated: GeneratedPytorch;
  readonly files: readonly string[];
  readonly weightCount: number;
}

function readme(source: ExportSource, g: GeneratedPytorch, dataset: string | undefined): string {
  const name = source.doc.metadata.name || 'Model';
  const image = g.input.kind === 'image';
  const example = image
    ? `x = torch.rand(4, ${g.input.shape.join(', ')})  # N x C x H x W`
    : g.input.kind === 'tokens'
      ? `x = torch.randint(0, 10, (4, ${g.input.shape.join(', ')}))  # token ids`
      : `x = torch.rand(4, ${g.input.shape.join(', ')})`;
  const preprocessing: string[] = [];
  if (dataset === 'mnist') {
    preprocessing.push(
      '- The graph’s dataset is MNIST, fed as the app feeds it: 28×28 grayscale, pixel values scaled to 0…1 (ink = 1, background = 0),',
      '  one channel: a batch is N×1×28×28. With numpy images shaped N×28×28×1 (the app’s NHWC), use',
      '  `torch.from_numpy(images).permute(0, 3, 1, 2)`.',
    );
  } else if (dataset === 'xor' || dataset === 'spirals') {
    preprocessing.push(`- The graph's dataset is the app's ${dataset} points: each sample is an (x, y) pair of raw coordinates, no scaling.`);
  } else if (image) {
    preprocessing.push('- Feed the same values the app trained on (no normalisation is built into the model).');
  }
  if (image) {
    preprocessing.push(
      '- Images are NCHW here (PyTorch’s layout). The app works in NHWC: convert with `x.permute(0, 3, 1, 2)`.',
    );
  }
  return [
    `# ${name} — PyTorch export`,
    '',
    `Exported by Neural Bricks (\`bricks export --to pytorch\`). Weights: ${source.weightsFrom}.`,
    '',
    '- `model.py` — the network as a plain `torch.nn.Module` (`' + g.className + '`); attribute names are the graph’s node ids.',
    '- `weights.safetensors` — the weights in PyTorch layouts (safetensors format, float32).',
    '',
    'Only PyTorch is needed (no safetensors package: `model.py` reads the file itself).',
    '',
    '## Use',
    '',
    '```python',
    'import torch',
    'from model import load_model',
    '',
    "model = load_model('.')  # this directory; returns the module in eval mode",
    example,
    'with torch.no_grad():',
    `    y = model(x)  # N x ${g.outputShape.join(' x ')}`,
    '```',
    '',
    '## Input',
    '',
    ...(preprocessing.length > 0 ? preprocessing : ['- Feed the same values the app trained on (no normalisation is built into the model).']),
    '- The output is what the app’s model outputs (class probabilities for a classifier: softmax is inside the model).',
    '',
    'Eval mode matters: Dropout is off and BatchNorm uses its running statistics, as the app does when predicting.',
    '',
  ].join('\n');
}

export async function exportPytorch(source: ExportSource, outDir: string, options: { sourceFile?: string; dataset?: string } = {}): Promise<PytorchExportResult> {
  const generated = generatePytorch(source.doc, source.analysis, nodeWeightsOf(source.model, source.layerNames), {
    weightsFrom: source.weightsFrom,
    sourceFile: options.sourceFile,
  });
  const weights = encodeSafetensors(generated.tensors, {
    format: 'pt',
    generated_by: 'Neural Bricks',
    weights: source.weightsFrom,
  });
  await mkdir(outDir, { recursive: true });
  await writeTextFileAtomic(path.join(outDir, 'weights.safetensors'), weights);
  await writeTextFileAtomic(path.join(outDir, 'model.py'), generated.source);
  await writeTextFileAtomic(path.join(outDir, 'README.md'), readme(source, generated, options.dataset));
  const weightCount = generated.tensors.reduce((n, t) => n + t.data.length, 0);
  return { generated, files: ['model.py', 'weights.safetensors', 'README.md'], weightCount };
}
