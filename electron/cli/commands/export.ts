/**
 * `bricks export FILE --to pytorch|onnx|keras|tfjs --out DIR [--run ID]`: the graph as a model for another framework, with the
 * weights of a kept run (a named run, or the newest with a checkpoint) or, when there is none, freshly initialised.
 * - pytorch: DIR/model.py (an nn.Module named after the graph, attributes after node ids), DIR/weights.safetensors, DIR/README.md
 * - onnx: DIR/model.onnx (opset 13, weights inside; NHWC image input, node ids as names), DIR/README.md
 * - tfjs: DIR/model.json + DIR/weights.bin, the TF.js layers model (a run's checkpoint files as kept, or the compiled graph)
 * - keras: DIR/model.py (build_model(): tf.keras functional API, layers named after node ids; load_weights()),
 *   DIR/weights.safetensors (Keras layouts), DIR/README.md — needs TensorFlow 2; checked by structure only here
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { selectBackend } from '../../services/backends/selectBackend';
import { GraphCompileError } from '../../services/compiler/compileGraph';
import { ExportSourceError, loadExportSource, type ExportSource } from '../../services/export/exportSource';
import { exportKeras } from '../../services/export/keras/exportKeras';
import { KerasExportError } from '../../services/export/keras/generateKeras';
import { exportOnnx } from '../../services/export/onnx/exportOnnx';
import { OnnxExportError } from '../../services/export/onnx/generateOnnx';
import { exportPytorch } from '../../services/export/pytorch/exportPytorch';
import { PytorchExportError } from '../../services/export/pytorch/generatePytorch';
import { readGraphFile } from '../../services/files/readGraphFile';
import { writeTextFileAtomic } from '../../services/files/writeGraphFileAtomic';
import { saveModelToDir } from '../../services/training/modelFiles';
import { EXIT, type CliCommand, type CliContext } from '../command';

export const EXPORT_TARGETS = ['pytorch', 'onnx', 'keras', 'tfjs'] as const;
const TARGET_NAMES: Readonly<Record<string, string>> = { pytorch: 'PyTorch', onnx: 'ONNX', keras: 'Keras', tfjs: 'TF.js' };

interface ExportFlags {
  to: string;
  out: string;
  run?: string;
  seed?: string;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

async function exportTfjs(source: ExportSource, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  if (source.runFiles) {
    // The run's checkpoint is already a TF.js layers model: copy its files as kept.
    for (const file of source.runFiles) await writeTextFileAtomic(path.join(outDir, file.name), file.bytes);
    return source.runFiles.map((f) => f.name);
  }
  await saveModelToDir(source.model, outDir);
  return ['model.json', 'weights.bin'];
}

async function runExport(file: string, flags: ExportFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const fail = (code: number, message: string) => {
    io.stderr.write(`bricks export: ${message}\n`);
    ctx.setExitCode(code);
  };
  const to = flags.to.toLowerCase();
  if (!(EXPORT_TARGETS as readonly string[]).includes(to)) {
    fail(EXIT.unusable, `unknown target '${flags.to}': use one of ${EXPORT_TARGETS.join(', ')}`);
    return;
  }
  let seed: number | undefined;
  if (flags.seed !== undefined) {
    seed = Number(flags.seed);
    if (!Number.isInteger(seed)) {
      fail(EXIT.unusable, `--seed must be an integer, got '${flags.seed}'`);
      return;
    }
  }
  const read = await readGraphFile(file);
  if (!read.ok) {
    fail(EXIT.unusable, read.error.message);
    return;
  }
  // Exported numbers do not depend on the backend; the CPU one is exact and always there.
  await selectBackend('cpu');
  let source: ExportSource;
  try {
    source = await loadExportSource(file, read.file, flags.run, seed);
  } catch (error) {
    if (error instanceof ExportSourceError || error instanceof GraphCompileError) {
      fail(EXIT.problems, `${file}: ${error.message}`);
      return;
    }
    throw error;
  }
  try {
    io.stderr.write(`Exporting ${path.basename(file)} to ${TARGET_NAMES[to]}; weights: ${source.weightsFrom}…\n`);
    const outDir = path.resolve(flags.out);
    if (to === 'pytorch') {
      const result = await exportPytorch(source, outDir, { sourceFile: path.basename(file), dataset: read.file.training?.dataset });
      const g = result.generated;
      io.stdout.write(
        `Exported ${path.basename(file)} → ${flags.out}: ${result.files.join(', ')}\n` +
          `  class ${g.className}: ${g.names.size - 1} nodes, ${formatCount(result.weightCount)} parameters in ${g.tensors.length} tensors; weights: ${source.weightsFrom}\n` +
          `  input N×${g.input.shape.join('×')}${g.input.kind === 'image' ? ' (NCHW)' : ''} → output N×${g.outputShape.join('×')}\n` +
          `  use: from model import load_model; model = load_model('${flags.out}')\n`,
      );
    } else if (to === 'onnx') {
      const result = await exportOnnx(source, outDir, { sourceFile: path.basename(file), dataset: read.file.training?.dataset });
      const g = result.generated;
      io.stdout.write(
        `Exported ${path.basename(file)} → ${flags.out}: ${result.files.join(', ')}\n` +
          `  ONNX opset 13: ${g.nodes.length} operators, ${formatCount(result.weightCount)} parameters in ${g.initializers.length} initializers (${formatCount(result.bytes)} bytes); weights: ${source.weightsFrom}\n` +
          `  input '${g.input.name}' N×${g.input.shape.join('×')}${g.input.shape.length === 3 ? ' (NHWC, as in the app)' : ''} → output '${g.output.name}' N×${g.output.shape.join('×')}\n` +
          `  use: onnxruntime.InferenceSession('${path.join(flags.out, 'model.onnx')}')\n`,
      );
    } else if (to === 'keras') {
      const result = await exportKeras(source, outDir, { sourceFile: path.basename(file), dataset: read.file.training?.dataset });
      const g = result.generated;
      io.stdout.write(
        `Exported ${path.basename(file)} → ${flags.out}: ${result.files.join(', ')}\n` +
          `  tf.keras functional model: ${g.names.size - 1} layers, ${formatCount(result.weightCount)} parameters in ${g.tensors.length} tensors; weights: ${source.weightsFrom}\n` +
          `  input N×${g.input.shape.join('×')}${g.input.shape.length === 3 ? ' (NHWC, as in the app)' : ''} → output N×${g.outputShape.join('×')}\n` +
          `  needs TensorFlow 2 (checked by structure only); use: from model import build_model, load_weights; model = load_weights(build_model(), '${flags.out}')\n`,
      );
    } else {
      const files = await exportTfjs(source, outDir);
      io.stdout.write(
        `Exported ${path.basename(file)} → ${flags.out}: ${files.join(', ')}\n` +
          `  TF.js layers model, ${formatCount(source.model.countParams())} parameters; weights: ${source.weightsFrom}\n` +
          `  use: tf.loadLayersModel('…/${path.basename(outDir)}/model.json')\n`,
      );
    }
  } catch (error) {
    if (error instanceof PytorchExportError || error instanceof OnnxExportError || error instanceof KerasExportError) {
      fail(EXIT.problems, `${file}: ${error.message}`);
      return;
    }
    fail(EXIT.problems, `${file}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    source.dispose();
  }
}

export const exportCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('export')
      .description('Export a graph with its trained weights as a PyTorch module, an ONNX model, tf.keras code or a TF.js layers model')
      .argument('<file>', '.nbrick graph file')
      .requiredOption('--to <target>', EXPORT_TARGETS.join(' | '))
      .requiredOption('--out <dir>', 'directory to write into (created if missing)')
      .option('--run <id>', 'the kept run whose weights to export (default: the newest with a checkpoint; none: freshly initialised)')
      .option('--seed <n>', 'seed for freshly initialised weights (when no run is used)')
      .addHelpText(
        'after',
        `
Exit codes: 0 exported · 1 the graph has errors, a layer cannot be exported (each named), or the run is missing or
  does not match the graph · 2 unreadable file, unknown target, bad usage.

Examples:
  bricks export lenet.nbrick --to pytorch --out lenet-pt      (model.py, weights.safetensors, README.md)
  bricks export lenet.nbrick --to onnx --out lenet-onnx       (model.onnx, README.md)
  bricks export lenet.nbrick --to keras --out lenet-keras     (model.py, weights.safetensors, README.md; needs TensorFlow 2)
  bricks export lenet.nbrick --to tfjs --out lenet-tfjs --run r2`,
      )
      .action(async (file: string, flags: ExportFlags) => {
        await runExport(file, flags, ctx);
      });
  },
};
