/**
 * The `bricks` CLI. `bin/bricks.js` calls `main(process.argv.slice(2))` and uses the returned number as the exit code.
 *
 * To add a command: create `commands/<name>.ts` exporting a {@link CliCommand} and add it to COMMANDS below.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, type CliCommand, type CliContext, type CliIo } from './command';

/**
 * Registration point: one line per command, in the order `bricks --help` lists them.
 * Modules load lazily and independently, so a command whose dependencies fail to load (say, a broken tfjs install
 * under `train`) does not take `validate` down with it; the failure is reported when that command is used.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'validate', load: async () => (await import('./commands/validate')).validateCommand },
  { name: 'info', load: async () => (await import('./commands/info')).infoCommand },
  { name: 'diff', load: async () => (await import('./commands/diff')).diffCommand },
  { name: 'format', load: async () => (await import('./commands/format')).formatCommand },
  { name: 'train', load: async () => (await import('./commands/train')).trainCommand },
  { name: 'experiment', load: async () => (await import('./commands/experiment')).experimentCommand },
  { name: 'evaluate', load: async () => (await import('./commands/evaluate')).evaluateCommand },
  { name: 'predict', load: async () => (await import('./commands/predict')).predictCommand },
  { name: 'export', load: async () => (await import('./commands/export')).exportCommand },
  { name: 'import', load: async () => (await import('./commands/import')).importCommand },
  { name: 'signal', load: async () => (await import('./commands/signal')).signalCommand },
  { name: 'landscape', load: async () => (await import('./commands/landscape')).landscapeCommand },
  { name: 'lesson', load: async () => (await import('./commands/lesson')).lessonCommand },
  { name: 'data', load: async () => (await import('./commands/data')).dataCommand },
];

export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<CliCommand>;
}

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

export async function createProgram(ctx: CliContext, commands: readonly CommandEntry[] = COMMANDS): Promise<Command> {
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
  1  the graph has errors (validate), the files differ (diff), a file is not canonical (format --check),
     or training diverged or could not run (train)
  2  a file is not a readable graph file (missing, not JSON, no envelope, too new, too large), or bad usage
  130 / 143  train stopped by Ctrl+C (SIGINT) / SIGTERM, after printing the summary of what was trained

Examples:
  bricks validate examples/*.nbrick         per-node shapes, parameters and FLOPs; errors with node ids
  bricks validate --json model.nbrick       the same as JSON on stdout
  bricks info model.nbrick                  summary: sizes, cost, training config and run history
  bricks diff before.nbrick after.nbrick    what changed between two versions of a graph
  bricks format --check examples/*.nbrick   are the files canonical? (without --check: rewrite them)
  bricks train model.nbrick                 train headless with the file's training config (see bricks train --help)
  bricks experiment model.nbrick --vary skip,norm --lr 0.1,0.01   train variants side by side, a table of results
  bricks evaluate model.nbrick              a kept run's confusion matrix, per-class scores, accuracy and loss
  bricks predict model.nbrick --input X.npy --output Y.npy   run a kept run's model on inputs
  bricks signal model.nbrick                signal propagation at initialisation, per node along the depth
  bricks landscape model.nbrick             a slice of the loss landscape around a kept run's weights
  bricks lesson list                        guided experiments; bricks lesson run ID trains one (exit 1: effect not measured)
`,
    );
  const loaded = await Promise.allSettled(commands.map((entry) => entry.load()));
  loaded.forEach((result, i) => {
    const entry = commands[i] as CommandEntry;
    if (result.status === 'fulfilled') {
      result.value.register(program, ctx);
      return;
    }
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    // Keep the command visible, so using it explains what is broken instead of "unknown command".
    program
      .command(entry.name)
      .description(`(unavailable: ${reason.split('\n')[0]})`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        ctx.io.stderr.write(`bricks ${entry.name}: this command could not be loaded: ${reason}\n`);
        ctx.setExitCode(EXIT.internal);
      });
  });
  return program;
}

export async function main(argv: readonly string[], io: CliIo = processIo, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  let exitCode: number = EXIT.ok;
  const ctx: CliContext = {
    io,
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  // Load only the named command's module when there is one: `validate` then starts without loading tfjs for `train`.
  const named = commands.filter((entry) => entry.name === argv[0]);
  const program = await createProgram(ctx, named.length > 0 ? named : commands);
  if (argv.length === 0) {
    // Nothing to do is a usage error: help goes to stderr, and scripts see the failure.
    program.outputHelp({ error: true });
    return EXIT.unusable;
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
