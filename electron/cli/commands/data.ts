/**
 * `bricks data inspect PATH [--json]`: a first look at your own data (issue 14) before training — for a CSV/TSV table the
 * detected format, each column's inferred type (numeric, categorical, text to ignore) with its statistics, and the
 * problems found (a text cell in a numeric column: line number and column name). For a folder of images: classes and
 * counts, sizes, the proposed Input, unreadable files (dataImages.ts).
 *
 * Exit codes: 0 no problems · 1 problems found (bad cells, a ragged row, an unterminated quote) · 2 the path cannot be
 * read as a table (missing, a folder, empty, not UTF-8) or bad usage.
 *
 * `bricks data import PATH [--workspace DIR] [--name NAME] [--json]`: copies a table or an image folder into
 * `<workspace>/data/<name>` as the app's New from Data import does (services/data/importData.ts), printing where it went.
 * Exit 0 imported · 2 refused (missing, a name or path refused, a link out of the folder, over the limits).
 */
import os from 'node:os';
import nodePath from 'node:path';
import { stat } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { createDataImporter, DataImportError } from '../../services/data/importData';
import { inspectTable, type ColumnInspection, type TableInspection } from '../../services/data/table/inspectTable';
import { TABLE_DELIMITERS, TableError, type TableDelimiter } from '../../services/data/table/readTable';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { inspectImageFolderCommand } from './dataImages';
import { formatTable, type TableColumn } from '../table';

interface InspectFlags {
  json?: boolean;
  delimiter?: TableDelimiter;
  /** Commander: true with --header, false with --no-header, undefined = detect. */
  header?: boolean;
}

const DELIMITER_NAMES: Record<string, TableDelimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', '\\t': '\t', '\t': '\t', tab: '\t', '|': '|', pipe: '|' };

export function delimiterArg(value: string): TableDelimiter {
  const delimiter = DELIMITER_NAMES[value];
  if (!delimiter) throw new InvalidArgumentError(`--delimiter must be one of , ; tab | (got '${value}')`);
  return delimiter;
}

const sig = (x: number | undefined) => (x === undefined ? '' : String(Number(x.toPrecision(4))));
const describeDelimiter = (d: TableDelimiter) => (d === '\t' ? 'tab' : d);

function statsOf(c: ColumnInspection): string {
  if (c.type === 'numeric') return `${sig(c.min)} … ${sig(c.max)}, mean ${sig(c.mean)}, std ${sig(c.std)}`;
  return c.topValues
    .slice(0, 4)
    .map((v) => `${v.value} (${v.count})`)
    .join(', ') + (c.distinct > 4 ? ', …' : '');
}

export function formatInspection(t: TableInspection): string {
  const lines = [
    `${t.path}: ${t.rows} row${t.rows === 1 ? '' : 's'} × ${t.columns.length} column${t.columns.length === 1 ? '' : 's'} · delimiter ${describeDelimiter(t.format.delimiter)} · ${t.format.header ? 'header row' : 'no header row'} · sha256 ${t.hash.slice(0, 12)}…`,
  ];
  const columns: TableColumn[] = [
    { header: 'column', maxWidth: 28 },
    { header: 'type' },
    { header: 'missing', align: 'right' },
    { header: 'distinct', align: 'right' },
    { header: 'values', maxWidth: 60 },
    { header: 'target for' },
  ];
  const rows = t.columns.map((c) => [
    c.name,
    c.type,
    String(c.missing),
    `${c.distinct}${c.distinctCapped ? '+' : ''}`,
    statsOf(c),
    c.targetTasks.join(', ') || '–',
  ]);
  lines.push(formatTable(columns, rows, '  ').trimEnd());
  if (t.problemCount > 0) {
    lines.push(`${t.problemCount} problem${t.problemCount === 1 ? '' : 's'}:`);
    for (const p of t.problems) lines.push(`  ${p.message}`);
    if (t.problemCount > t.problems.length) lines.push(`  … and ${t.problemCount - t.problems.length} more`);
  }
  return `${lines.join('\n')}\n`;
}

async function inspect(path: string, flags: InspectFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const fail = (message: string, code: number) => {
    if (flags.json) io.stdout.write(`${JSON.stringify({ path, error: message })}\n`);
    io.stderr.write(`bricks data inspect: ${message}\n`);
    ctx.setExitCode(code);
  };
  let folder: boolean;
  try {
    folder = (await stat(path)).isDirectory();
  } catch {
    fail(`No such file: ${path}`, EXIT.unusable);
    return;
  }
  if (folder) {
    // An image folder (one sub-folder per class, or a path,label CSV inside): electron/cli/commands/dataImages.ts.
    await inspectImageFolderCommand(path, flags, ctx);
    return;
  }
  try {
    const inspection = await inspectTable(path, {
      ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
      ...(flags.header !== undefined ? { header: flags.header } : {}),
    });
    if (flags.json) io.stdout.write(`${JSON.stringify({ kind: 'table', ...inspection })}\n`);
    else io.stdout.write(formatInspection(inspection));
    ctx.setExitCode(inspection.problemCount > 0 ? EXIT.problems : EXIT.ok);
  } catch (error) {
    if (error instanceof TableError) {
      fail(error.message, error.kind === 'bad-cell' ? EXIT.problems : EXIT.unusable);
      return;
    }
    throw error;
  }
}

export const dataCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const data = program.command('data').description('Look at your own data (CSV/TSV tables, image folders) before training on it, or import it into the workspace');
    data
      .command('inspect')
      .description('Columns, inferred types (numeric, categorical, text to ignore), statistics and problems of a CSV/TSV file')
      .argument('<path>', 'a CSV or TSV file, or a folder of images (one sub-folder per class, or a path,label CSV inside)')
      .option('--json', 'one JSON object on stdout: format, rows, columns with statistics and histograms, problems')
      .option('--delimiter <d>', `override delimiter detection: ${TABLE_DELIMITERS.map((d) => (d === '\t' ? 'tab' : d)).join(' ')}`, delimiterArg)
      .option('--header', 'the first row names the columns (override detection)')
      .option('--no-header', 'the first row is data (override detection)')
      .addHelpText(
        'after',
        `
Exit codes: 0 no problems · 1 problems (a text cell in a numeric column, named by line and column; a ragged row) ·
  2 the path cannot be read as a table (missing, a folder, empty, not UTF-8).

Examples:
  bricks data inspect penguins.csv
  bricks data inspect measurements.tsv --json > columns.json
  bricks data inspect export.csv --delimiter ';' --no-header`,
      )
      .action(async (path: string, flags: InspectFlags) => {
        await inspect(path, flags, ctx);
      });
    data
      .command('import')
      .description("Copy a table or an image folder into the workspace's data folder (as New from Data → Import does)")
      .argument('<path>', 'a CSV/TSV file, or a folder of images (class sub-folders and nested folders are kept)')
      .option('--workspace <dir>', 'the workspace folder (default ~/NeuralBricks, as `npm start` uses)')
      .option('--name <name>', "the name in <workspace>/data/ (default: the file's or folder's own; -2, -3… when taken)")
      .option('--json', 'one JSON object on stdout: kind, path, name, files, bytes')
      .addHelpText(
        'after',
        `
Exit codes: 0 imported · 2 refused (missing, a name or path with .., a link out of the folder, over 2 GB or 200,000 files).
Nothing is left behind when an import is refused or interrupted.

Examples:
  bricks data import ~/Downloads/penguins.csv
  bricks data import photos/ --workspace ~/NeuralBricks --name pets`,
      )
      .action(async (path: string, flags: { workspace?: string; name?: string; json?: boolean }) => {
        const workspace = nodePath.resolve(flags.workspace ?? nodePath.join(os.homedir(), 'NeuralBricks'));
        try {
          const result = await createDataImporter({ workspace }).importFromDisk(path, flags.name !== undefined ? { name: flags.name } : {});
          const summary = { kind: result.kind, path: result.absolute, name: result.name, files: result.files, bytes: result.bytes };
          ctx.io.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `Imported ${path} into ${result.absolute} (${result.files} file${result.files === 1 ? '' : 's'}, ${result.bytes} bytes)\n`);
          ctx.setExitCode(EXIT.ok);
        } catch (error) {
          if (!(error instanceof DataImportError)) throw error;
          if (flags.json) ctx.io.stdout.write(`${JSON.stringify({ path, error: error.message })}\n`);
          ctx.io.stderr.write(`bricks data import: ${error.message}\n`);
          ctx.setExitCode(EXIT.unusable);
        }
      });
  },
};
