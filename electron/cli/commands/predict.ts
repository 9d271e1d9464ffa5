/**
 * `bricks predict FILE --input X --output Y`: a kept run's model on given inputs. `.npy` inputs are read as float32
 * in the graph's own layout (N×H×W×C for images, N×F for vectors; one sample may leave out N); `.json` takes nested
 * arrays of the same shape. Outputs are N×outputs (class probabilities for a classifier), as `.npy` (<f4) or `.json`.
 *
 * A run trained on a table (`bricks train --data`, issue 14) also takes a `.csv`/`.tsv` input with the table's columns
 * (the target may be absent): each row is encoded with the run's recorded preprocessing. Its regression outputs are in
 * the target's own units, and a `.csv` output names the predicted class (or value) before the class probabilities.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { TRAINING_BACKENDS } from '../../../shared/format/trainingConfig';
import { findKeptRun } from '../../services/evaluation/keptRuns';
import { loadModelFromFiles } from '../../services/evaluation/modelFromFiles';
import { predictBatched } from '../../services/evaluation/predictBatched';
import { readGraphFile } from '../../services/files/readGraphFile';
import { writeTextFileAtomic } from '../../services/files/writeGraphFileAtomic';
import { EXIT, type CliCommand, type CliContext } from '../command';
import type { TableDataSpec } from '../../../shared/data/dataSpec';
import { applyPreprocessing } from '../../services/data/table/loadTable';
import { readTable, TableError } from '../../services/data/table/readTable';
import { readNpy, writeNpy, type NpyArray } from '../npy';
import { useRunBackend } from './evaluate';

interface PredictFlags {
  run?: string;
  input: string;
  output: string;
  backend?: string;
}

/** A usage problem with the input or output (exit 2), as opposed to a problem with the run (exit 1). */
class UsageError extends Error {}

function formatOf(file: string, what: string): 'npy' | 'json' | 'csv' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.json') return 'json';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  throw new UsageError(`${what} ${file}: expected a .npy, .json or .csv file`);
}

/** Most rows a CSV input may have (prediction keeps them as text; train on bigger tables with bricks train --data). */
export const MAX_PREDICT_ROWS = 200_000;

/** A CSV input encoded with the table run's recorded preprocessing: N×features. */
async function tableInput(file: string, spec: TableDataSpec): Promise<NpyArray> {
  const rows: string[][] = [];
  const lines: number[] = [];
  let columns: readonly string[] = [];
  try {
    await readTable(
      file,
      spec.format,
      (cells, line) => {
        if (rows.length >= MAX_PREDICT_ROWS) throw new UsageError(`${file} has more than ${MAX_PREDICT_ROWS} rows: predict on fewer at a time`);
        rows.push([...cells]);
        lines.push(line);
      },
      undefined,
      undefined,
      (names) => (columns = names),
    );
    const x = applyPreprocessing(columns, rows, spec, { file: path.basename(file), lines });
    return { shape: [rows.length, x.length / Math.max(1, rows.length)], data: x };
  } catch (error) {
    if (error instanceof TableError && error.kind === 'unusable') throw new UsageError(error.message);
    throw error;
  }
}

/** Regression outputs of a table run back in the target's units (the model learnt standardised targets). */
function inTargetUnits(outputs: Float32Array, spec: TableDataSpec): Float32Array {
  const mean = spec.target.mean ?? 0;
  const std = spec.target.std !== undefined && spec.target.std > 0 ? spec.target.std : 1;
  return outputs.map((v) => v * std + mean);
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV of predictions: the predicted class and each class's probability, or the predicted value. */
function toCsv(outputs: Float32Array, rows: number, width: number, spec: TableDataSpec | undefined): string {
  const classes = spec?.task === 'classification' ? spec.target.classes : undefined;
  const target = spec?.target.name ?? 'output';
  const lines: string[] = [];
  if (classes && classes.length === width) {
    lines.push([`predicted ${target}`, ...classes.map((c) => `p(${c})`)].map(csvCell).join(','));
    for (let r = 0; r < rows; r++) {
      const p = outputs.subarray(r * width, (r + 1) * width);
      let best = 0;
      for (let c = 1; c < width; c++) if (p[c]! > p[best]!) best = c;
      lines.push([csvCell(classes[best]!), ...Array.from(p, (v) => String(v))].join(','));
    }
  } else {
    lines.push((width === 1 ? [`predicted ${target}`] : Array.from({ length: width }, (_, c) => `${target}[${c}]`)).map(csvCell).join(','));
    for (let r = 0; r < rows; r++) lines.push(Array.from(outputs.subarray(r * width, (r + 1) * width), (v) => String(v)).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Nested arrays of numbers → shape and row-major values; every row at a depth must have the same length. */
export function fromNestedArrays(value: unknown, where: string): NpyArray {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let at = 0;
  const walk = (node: unknown, depth: number, trail: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number' || !Number.isFinite(node)) throw new UsageError(`${where}${trail}: expected a finite number, got ${JSON.stringify(node)}`);
      data[at++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new UsageError(`${where}${trail}: expected an array of ${shape[depth]} (all rows the same length)`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${trail}[${i}]`));
  };
  if (shape.length === 0) throw new UsageError(`${where}: expected nested arrays of numbers`);
  walk(value, 0, '');
  return { shape, data };
}

function toNestedArrays(values: Float32Array, rows: number, width: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(values.subarray(r * width, (r + 1) * width)));
}

/**
 * The input as a batch for a model taking `sampleShape`: N×sampleShape as given, one sample without its N, or trailing
 * channels of 1 left out (N×28×28 for 28×28×1 images).
 */
export function asBatch(input: NpyArray, sampleShape: readonly number[]): { count: number; shape: number[] } {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const trim = (dims: readonly number[]) => {
    const out = [...dims];
    while (out.length > 0 && out[out.length - 1] === 1) out.pop();
    return out.join('×');
  };
  const same = (dims: readonly number[]) => dims.join('×') === sampleShape.join('×') || trim(dims) === trim(sampleShape);
  if (input.shape.length > 0 && same(input.shape.slice(1))) return { count: input.shape[0]!, shape: [...sampleShape] };
  if (same(input.shape) && input.data.length === size) return { count: 1, shape: [...sampleShape] };
  throw new UsageError(`input of shape ${input.shape.join('×') || '()'} does not fit the model, which takes N×${sampleShape.join('×')}`);
}

async function predict(file: string, flags: PredictFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  try {
    const inputFormat = formatOf(flags.input, 'input');
    const outputFormat = formatOf(flags.output, 'output');
    const read = await readGraphFile(file);
    if (!read.ok) throw new UsageError(read.error.message);
    const kept = await findKeptRun(file, read.file, flags.run);
    if (!kept.ok) {
      io.stderr.write(`bricks predict: ${kept.message}\n`);
      ctx.setExitCode(EXIT.problems);
      return;
    }
    const table = kept.run.config.data?.kind === 'table' ? kept.run.config.data : undefined;
    let input: NpyArray;
    if (inputFormat === 'csv') {
      if (!table) throw new UsageError(`a CSV input needs a run trained on a table (bricks train --data); run ${kept.run.id} trained on ${kept.run.config.dataset}`);
      input = await tableInput(flags.input, table);
    } else {
      let bytes: Buffer;
      try {
        bytes = await readFile(flags.input);
      } catch (error) {
        throw new UsageError(`cannot read the input ${flags.input}: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        input = inputFormat === 'npy' ? readNpy(bytes) : fromNestedArrays(JSON.parse(bytes.toString('utf8')), flags.input);
      } catch (error) {
        throw error instanceof UsageError ? error : new UsageError(`${flags.input}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await useRunBackend(kept.run, flags.backend);
    const model = await loadModelFromFiles(kept.files);
    try {
      const sampleShape = (model.inputs[0]?.shape ?? []).slice(1).map((d) => d ?? 1);
      const batch = asBatch(input, sampleShape);
      const t0 = performance.now();
      const predicted = predictBatched(model, input.data, batch.count, batch.shape);
      const { outputWidth } = predicted;
      const outputs = table?.task === 'regression' ? inTargetUnits(predicted.outputs, table) : predicted.outputs;
      const ms = performance.now() - t0;
      const text =
        outputFormat === 'npy'
          ? writeNpy({ shape: [batch.count, outputWidth], data: outputs })
          : outputFormat === 'csv'
            ? toCsv(outputs, batch.count, outputWidth, table)
            : `${JSON.stringify(toNestedArrays(outputs, batch.count, outputWidth))}\n`;
      await writeTextFileAtomic(flags.output, text);
      io.stderr.write(`Predicted ${batch.count} sample${batch.count === 1 ? '' : 's'} with run ${kept.run.id} in ${ms.toFixed(1)} ms → ${flags.output} (${batch.count}×${outputWidth})\n`);
    } finally {
      model.dispose();
    }
  } catch (error) {
    const usage = error instanceof UsageError;
    io.stderr.write(`bricks predict: ${usage ? '' : `${file}: `}${error instanceof Error ? error.message : String(error)}\n`);
    ctx.setExitCode(usage ? EXIT.unusable : EXIT.problems);
  }
}

export const predictCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('predict')
      .description("Run a kept run's model on inputs from a .npy or .json file")
      .argument('<file>', '.nbrick graph file with a recorded run (bricks train --record)')
      .requiredOption('--input <file>', 'inputs: .npy (float32 or any numeric dtype) or .json nested arrays, N×<input shape>; or, for a run trained on a table, a .csv/.tsv with its columns')
      .requiredOption('--output <file>', 'outputs: .npy (float32, N×outputs), .json or .csv (predicted class or value, then class probabilities)')
      .option('--run <id>', 'the run whose model to use (default: the newest run with a kept checkpoint)')
      .option('--backend <name>', `one of ${TRAINING_BACKENDS.join(', ')} (default: the run's own)`)
      .addHelpText(
        'after',
        `
Exit codes: 0 predicted · 1 no such run, or its checkpoint is missing or damaged · 2 unreadable file, input that does
  not fit the model, or bad usage.

Examples:
  bricks predict xor.nbrick --input points.json --output probabilities.json     (points.json: [[1, 1], [-1, 1]])
  bricks predict mnist-mlp.nbrick --input digits.npy --output probabilities.npy  (digits.npy: N×28×28×1 float32)`,
      )
      .action(async (file: string, flags: PredictFlags) => {
        await predict(file, flags, ctx);
      });
  },
};
