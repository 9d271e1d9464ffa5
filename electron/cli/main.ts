/**
 * The `bricks` CLI. `bin/bricks.js` calls `main(process.argv.slice(2))` and uses the returned number as the exit code.
 *
 * To add a command: create `commands/<name>.ts` exporting a {@link CliCommand} and add it to COMMANDS below.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, type CliCommand, type CliContext, type CliIo } from './command';
import { validateCommand } from './commands/validate';
import { infoCommand } from './commands/info';
import { diffCommand } from './commands/diff';
import { trainCommand } from './commands/train';

/** Registration point: one line per command, in the order `bricks --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  validateCommand,
  infoCommand,
  diffCommand,
  trainCommand,
];

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

export function createProgram(ctx: CliContext): Command {
  const program = new Command('bricks')
    .description('Neural Bricks on the command line: check, inspect, compare and train .nbrick graph files offline.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    })
    .showHelpAfterError('(run bricks --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes:
  0  success
  1  the graph has errors (validate), or the files differ (diff)
  2  a file is not a readable graph file (missing, not JSON, no envelope, too new, too large), or bad usage

Examples:
  bricks validate examples/*.nbrick         per-node shapes, parameters and FLOPs; errors with node ids
  bricks validate --json model.nbrick       the same as JSON on stdout
  bricks info model.nbrick                  summary: sizes, cost, training config and run history
  bricks diff before.nbrick after.nbrick    what changed between two versions of a graph
  bricks train model.nbrick                 train headless with the file's training config (see bricks train --help)
`,
    );
  for (const command of COMMANDS) command.register(program, ctx);
  return program;
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const ctx: CliContext = {
    io,
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  const program = createProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version "exit" with 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? EXIT.ok : EXIT.unusable;
    }
    io.stderr.write(`bricks: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.internal;
  }
  return exitCode;
}

const VERSION = '0.1.0';
