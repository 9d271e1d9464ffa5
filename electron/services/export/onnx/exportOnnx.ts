/**
 * Writes an ONNX export into a directory: model.onnx (opset 13, weights inside; see generateOnnx) and a README.md
 * saying how to run it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeTextFileAtomic } from '../../files/writeGraphFileAtomic';
import { nodeWeightsOf, type ExportSource } from '../exportSource';
import { encodeOnnxModel, generateOnnx, ONNX_OPSET, type GeneratedOnnx } from './generateOnnx';

export interface OnnxExportResult {
  readonly generated: GeneratedOnnx;
  readonly files: readonly string[];
  readonly weightCount: number;
  readonly bytes: number;
}

function readme(source: ExportSource, g: GeneratedOnnx, dataset: string | undefined): string {
  const name = source.doc.metadata.name || 'Model';
  const image = g.input.shape.length === 3;
  const tokens = g.input.kind === 'tokens';
  const example = tokens
    ? `x = np.random.randint(0, 10, size=(4, ${g.input.shape.join(', ')})).astype(np.int32)  # token ids`
    : `x = np.random.rand(4, ${g.input.shape.join(', ')}).astype(np.float32)${image ? '  # N x H x W x C (NHWC)' : ''}`;
  const notes: string[] = [];
  if (dataset === 'mnist') notes.push('- The graph’s dataset is MNIST, fed as the app feeds it: 28×28×1, pixel values scaled to 0…1 (ink = 1).');
  else if (dataset === 'xor' || dataset === 'spirals') notes.push(`- The graph's dataset is the app's ${dataset} points: (x, y) pairs of raw coordinates, no scaling.`);
  if (image) {
    notes.push(
      '- Images are NHWC (N × height × width × channels), as in the app: the model transposes to NCHW itself (node',
      `  \`${g.input.name}/nchw\`), so do not permute them.`,
    );
  }
  return [
    `# ${name} — ONNX export`,
    '',
    `Exported by Neural Bricks (\`bricks export --to onnx\`). Weights: ${source.weightsFrom}.`,
    '',
    `- \`model.onnx\` — the network, ONNX opset ${ONNX_OPSET}, weights inside as initializers. Node and value names are the graph’s`,
    '  node ids (helper steps are named `<id>/<step>`).',
    '',
    '## Use (ONNX Runtime)',
    '',
    '```python',
    'import numpy as np',
    'import onnxruntime as ort',
    '',
    "session = ort.InferenceSession('model.onnx')",
    example,
    `y = session.run(None, {'${g.input.name}': x})[0]  # N x ${g.output.shape.join(' x ')}`,
    '```',
    '',
    '## Input',
    '',
    `- Input \`${g.input.name}\`: ${tokens ? 'int32 token ids' : 'float32'}, N × ${g.input.shape.join(' × ')}; output \`${g.output.name}\`: N × ${g.output.shape.join(' × ')}.`,
    ...notes,
    '- Feed the same values the app trained on (no normalisation is built into the model). The output is what the app’s',
    '  model outputs (class probabilities for a classifier: softmax is inside the model).',
    '- Dropout is left out (as when the app predicts) and BatchNorm uses the running statistics.',
    '',
  ].join('\n');
}

export async function exportOnnx(
  source: ExportSource,
  outDir: string,
  options: { sourceFile?: string; dataset?: string; producerVersion?: string } = {},
): Promise<OnnxExportResult> {
  const generated = generateOnnx(source.doc, source.analysis, nodeWeightsOf(source.model, source.layerNames), {
    weightsFrom: source.weightsFrom,
    sourceFile: options.sourceFile,
  });
  const bytes = encodeOnnxModel(generated, options.producerVersion ?? '0.1.0');
  await mkdir(outDir, { recursive: true });
  await writeTextFileAtomic(path.join(outDir, 'model.onnx'), bytes);
  await writeTextFileAtomic(path.join(outDir, 'README.md'), readme(source, generated, options.dataset));
  const weightCount = source.model.countParams();
  return { generated, files: ['model.onnx', 'README.md'], weightCount, bytes: bytes.length };
}
