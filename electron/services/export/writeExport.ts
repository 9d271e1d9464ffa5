/**
 * One export of a graph to one format, into a folder: the exporters `bricks export` uses (PyTorch, ONNX, Keras, TF.js),
 * behind one call for the app's hosts (File → Export…). A graph with nodes the format cannot express throws the
 * exporter's ExportError (every node named, with why) before any file is written.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { EXPORT_FORMAT_NAMES, type ExportFormat } from '../../../shared/contracts/interop';
import { writeTextFileAtomic } from '../files/writeGraphFileAtomic';
import { saveModelToDir } from '../training/modelFiles';
import type { ExportSource } from './exportSource';
import { exportKeras } from './keras/exportKeras';
import { exportOnnx } from './onnx/exportOnnx';
import { exportPytorch } from './pytorch/exportPytorch';

export interface WrittenExport {
  /** File names inside the folder, in the order the CLI lists them. */
  readonly files: readonly string[];
  /** What was written and how to load it, in a line or two. */
  readonly summary: readonly string[];
}

export interface WriteExportOptions {
  /** The graph file's name, quoted in the generated code and README. */
  readonly sourceFile?: string;
  /** The graph's training dataset, described in the README. */
  readonly dataset?: string;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Writes `source` as `format` into `outDir` (created when missing). */
export async function writeExport(source: ExportSource, format: ExportFormat, outDir: string, options: WriteExportOptions = {}): Promise<WrittenExport> {
  switch (format) {
    case 'pytorch': {
      const result = await exportPytorch(source, outDir, options);
      const g = result.generated;
      return {
        files: result.files,
        summary: [
          `class ${g.className}: ${count(result.weightCount)} parameters in ${g.tensors.length} tensors`,
          `input N×${g.input.shape.join('×')}${g.input.kind === 'image' ? ' (NCHW)' : ''} → output N×${g.outputShape.join('×')}; use: from model import load_model`,
        ],
      };
    }
    case 'onnx': {
      const result = await exportOnnx(source, outDir, options);
      const g = result.generated;
      return {
        files: result.files,
        summary: [
          `ONNX opset 13: ${g.nodes.length} operators, ${count(result.weightCount)} parameters (${count(result.bytes)} bytes)`,
          `input '${g.input.name}' N×${g.input.shape.join('×')} → output '${g.output.name}' N×${g.output.shape.join('×')}; use: onnxruntime.InferenceSession('model.onnx')`,
        ],
      };
    }
    case 'keras': {
      const result = await exportKeras(source, outDir, options);
      return {
        files: result.files,
        summary: [
          `tf.keras functional model: ${count(result.weightCount)} parameters`,
          'needs TensorFlow 2 (checked by structure only); use: from model import build_model, load_weights',
        ],
      };
    }
    case 'tfjs': {
      await mkdir(outDir, { recursive: true });
      let files: string[];
      if (source.runFiles) {
        // The run's checkpoint is already a TF.js layers model: its files as kept.
        for (const file of source.runFiles) await writeTextFileAtomic(path.join(outDir, file.name), file.bytes);
        files = source.runFiles.map((f) => f.name);
      } else {
        await saveModelToDir(source.model, outDir);
        files = ['model.json', 'weights.bin'];
      }
      return {
        files,
        summary: [`${EXPORT_FORMAT_NAMES.tfjs} layers model, ${count(source.model.countParams())} parameters`, "use: tf.loadLayersModel('…/model.json')"],
      };
    }
  }
}
