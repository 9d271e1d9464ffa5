/**
 * `bricks signal FILE`: signal propagation at initialisation (Brock, De & Smith 2021) — one batch of real training
 * data through the freshly initialised network, and per node along the depth the average channel squared mean and
 * the average channel variance. The same engine as the app (electron/services/insight), in this process.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_SIGNAL_SAMPLES, MAX_SIGNAL_SAMPLES, type SignalPropagation } from '../../../shared/contracts/insight';
import { describeSchemaError, isDatasetId } from '../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG, TRAINING_BACKENDS, trainingConfigSchema } from '../../../shared/format/trainingConfig';
import { selectBackend, type BackendPreference } from '../../services/backends/selectBackend';
import { runSignalPropagation } from '../../services/insight/runInsight';
import { readGraphFile } from '../../services/files/readGraphFile';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { formatShapeText } from '../formatNumbers';
import { formatTable } from '../table';

interface SignalFlags {
  dataset?: string;
  samples?: number;
  limit?: number;
  seed?: number;
  backend?: string;
  json?: boolean;
}

function intArg(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

/** A statistic as the table shows it: 4 significant digits, or why there is none. */
export function formatStat(x: number | null): string {
  if (x === null) return 'overflow';
  if (x === 0) return '0';
  return Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toPrecision(4);
}

export function formatSignal(label: string, result: SignalPropagation): string {
  const head = `${label}: signal propagation at initialisation on ${result.samples} ${result.datasetId} training samples (seed ${result.seed}, ${result.backend}, ${Math.round(result.elapsedMs)} ms)`;
  const table = formatTable(
    [
      { header: 'node', maxWidth: 28 },
      { header: 'type', maxWidth: 18 },
      { header: 'output' },
      { header: 'avg ch. squared mean', align: 'right' },
      { header: 'avg ch. variance', align: 'right' },
    ],
    result.nodes.map((n) => [n.nodeId, n.type, formatShapeText(n.shape), formatStat(n.avgSquaredMean), formatStat(n.avgVariance)]),
    '  ',
  );
  return `${head}\n\n${table}\nChannels are the last axis; each channel's mean and variance are over the batch and all positions.\n`;
}

async function signal(file: string, flags: SignalFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const fail = (code: number, message: string) => {
    io.stderr.write(`bricks signal: ${message}\n`);
    ctx.setExitCode(code);
  };
  if (flags.dataset !== undefined && !isDatasetId(flags.dataset)) return fail(EXIT.unusable, `unknown dataset '${flags.dataset}'`);
  const read = await readGraphFile(file);
  if (!read.ok) return fail(EXIT.unusable, read.error.message);
  const parsed = trainingConfigSchema.safeParse({
    ...DEFAULT_TRAINING_CONFIG,
    ...read.file.training,
    ...(flags.dataset !== undefined ? { dataset: flags.dataset } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
  });
  if (!parsed.success) return fail(EXIT.unusable, `${file}: invalid training config: ${describeSchemaError(parsed.error)}`);
  const config = parsed.data;
  try {
    await selectBackend((config.backend ?? 'auto') as BackendPreference);
    const options = flags.limit !== undefined ? { limit: flags.limit } : undefined;
    const result = await runSignalPropagation(read.file.graph, config, { id: config.dataset, ...(options ? { options } : {}) }, flags.samples);
    if (flags.json) io.stdout.write(`${JSON.stringify({ file, ...result })}\n`);
    else io.stdout.write(formatSignal(path.basename(file), result));
  } catch (error) {
    fail(EXIT.problems, `${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const signalCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('signal')
      .description('Signal propagation at initialisation: per node, the average channel squared mean and variance of one batch')
      .argument('<file>', '.nbrick graph file')
      .option('--dataset <name>', "the data to send through (default: the file's training dataset)")
      .option('--samples <n>', `samples in the batch (default ${DEFAULT_SIGNAL_SAMPLES})`, intArg('--samples', 1, MAX_SIGNAL_SAMPLES))
      .option('--limit <n>', 'mnist: use only the first N samples', intArg('--limit', 1))
      .option('--seed <n>', "initialisation and batch seed (default: the file's training seed)", intArg('--seed', 0))
      .option('--backend <name>', `one of ${TRAINING_BACKENDS.join(', ')} (default: the file's)`)
      .option('--json', 'one JSON object on stdout')
      .addHelpText(
        'after',
        `
The network is the one training would start from (same seed, same initial weights), run in training mode
(BatchNorm uses the batch's statistics) on the first samples of the first epoch's seeded order. Brock, De & Smith
(2021): a healthy deep network keeps both statistics roughly level with depth.

Exit codes: 0 done · 1 the graph has errors or does not fit the dataset · 2 unreadable file or bad usage.

Examples:
  bricks signal examples/resnet-mini.nbrick
  bricks signal model.nbrick --dataset spirals --json | jq '.nodes[] | [.nodeId, .avgVariance]'`,
      )
      .action(async (file: string, flags: SignalFlags) => {
        await signal(file, flags, ctx);
      });
  },
};
