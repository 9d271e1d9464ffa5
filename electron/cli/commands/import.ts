/**
 * `bricks import MODEL OUT.nbrick [--force]`: a Keras model JSON (Sequential or Functional, Keras 2.0-era list format
 * included) or a TF.js layers model.json becomes a graph file, laid out top to bottom. With a TF.js model whose weight
 * shards are beside it, the weights become a kept run of OUT (checked against the original's outputs).
 * Unsupported layers are listed (name, class, why) and nothing is written.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { selectBackend } from '../../services/backends/selectBackend';
import { GraphCompileError } from '../../services/compiler/compileGraph';
import { FileError } from '../../services/files/fileErrors';
import { ImportModelError, importModelFile } from '../../services/import/importModel';
import { EXIT, type CliCommand, type CliContext } from '../command';

interface ImportFlags {
  force?: boolean;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

async function runImport(model: string, out: string, flags: ImportFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const fail = (code: number, message: string) => {
    io.stderr.write(`bricks import: ${message}\n`);
    ctx.setExitCode(code);
  };
  if (path.extname(out) !== '.nbrick') {
    fail(EXIT.unusable, `the output file must end in .nbrick, got '${out}'`);
    return;
  }
  // Weights are copied and compared on the CPU backend: exact, and always there.
  await selectBackend('cpu');
  try {
    const result = await importModelFile(model, out, { force: flags.force === true });
    const counts = new Map<string, number>();
    for (const n of result.doc.nodes) counts.set(n.type, (counts.get(n.type) ?? 0) + 1);
    const types = [...counts].map(([t, n]) => (n > 1 ? `${n} ${t}` : t)).join(', ');
    io.stdout.write(
      `Imported ${path.basename(model)} → ${out}: ${result.doc.nodes.length} nodes (${types}), ${result.doc.edges.length} edges\n` +
        `  ${formatCount(result.analysis.totals.params)} parameters` +
        (result.originalParams !== undefined ? ` (the original: ${formatCount(result.originalParams)})` : '') +
        '\n',
    );
    for (const note of result.notes) io.stdout.write(`  note: ${note}\n`);
    if (result.dataset) io.stdout.write(`  fits the bundled dataset '${result.dataset}': set as the file's training dataset\n`);
    if (result.weights) {
      io.stdout.write(
        `  weights: ${result.weights.tensors} tensors kept as run ${result.weights.runId} in ${result.weights.checkpointDir}\n` +
          `  outputs match the original within ${result.weights.maxOutputDiff.toExponential(1)}\n`,
      );
    } else {
      io.stdout.write(`  weights: none (${result.noWeights ?? 'not in the file'}); train the graph to get some\n`);
    }
  } catch (error) {
    if (error instanceof ImportModelError) {
      if (error.code === 'unsupported') {
        fail(EXIT.problems, `${error.message}; nothing written:`);
        for (const p of error.problems) io.stderr.write(`  ${p.layer} (${p.className}): ${p.reason}\n`);
      } else {
        fail(error.code === 'unusable' ? EXIT.unusable : EXIT.problems, error.message);
      }
      return;
    }
    if (error instanceof FileError) {
      fail(EXIT.unusable, error.message);
      return;
    }
    if (error instanceof GraphCompileError) {
      fail(EXIT.problems, `${model}: the imported graph does not compile: ${error.message}`);
      return;
    }
    throw error;
  }
}

export const importCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('import')
      .description('Import a Keras model JSON or a TF.js layers model (with its weights) as a graph file')
      .argument('<model>', 'Keras model JSON (Sequential or Functional) or TF.js model.json')
      .argument('<out>', '.nbrick file to write')
      .option('--force', 'replace OUT when it exists')
      .addHelpText(
        'after',
        `
TF.js models whose weight files lie beside model.json bring their weights: they are kept as a run of OUT
(OUT-runs/<run id>/), so bricks evaluate, predict and export use them at once.

Exit codes: 0 imported · 1 some layers cannot be imported (each listed with its class and why; nothing is written)
  or the weights do not load · 2 unreadable or not a model, OUT exists (without --force), bad usage.

Examples:
  bricks import cnn.json cnn.nbrick                  (Keras model.to_json())
  bricks import web_model/model.json model.nbrick    (TF.js layers model, with weights)`,
      )
      .action(async (model: string, out: string, flags: ImportFlags) => {
        await runImport(model, out, flags, ctx);
      });
  },
};
