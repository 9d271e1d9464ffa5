/**
 * `bricks experiment FILE --vary skip,norm --lr 0.1,0.01 --seeds 1,2`: derives the variants of the file's graph
 * (shared/experiments/variants.ts), trains them one after another on the same data and prints a table of results
 * (or, with --json, JSON lines: each variant's events tagged with its index, then one `experiment` line).
 * Ctrl+C / SIGTERM stops the running variant after its batch and starts no further one.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { ACTIVATIONS, type ActivationName } from '../../../shared/catalog/activations';
import { describeSchemaError, type DatasetRef } from '../../../shared/contracts/trainer';
import type { GraphDocument } from '../../../shared/document/model';
import { planVariants, type VariantToggle } from '../../../shared/experiments/variants';
import { DEFAULT_TRAINING_CONFIG, TRAINING_BACKENDS, trainingConfigSchema } from '../../../shared/format/trainingConfig';
import { runExperiment, type VariantResult } from '../../services/experiments/runExperiment';
import { readGraphFile } from '../../services/files/readGraphFile';
import { writeGraphFileAtomic } from '../../services/files/writeGraphFileAtomic';
import { TrainingControl } from '../../services/training/trainingControl';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { formatTable, type TableColumn } from '../table';
import { EXIT_STOPPED, EXIT_TERMINATED } from './train';

interface ExperimentFlags {
  vary?: string;
  lr?: number[];
  seeds?: number[];
  epochs?: number;
  batchSize?: number;
  dataset?: string;
  backend?: string;
  workers?: string;
  samples?: number;
  limit?: number;
  json?: boolean;
  record?: boolean;
  progress?: boolean;
}

const STOP_SIGNALS = { SIGINT: EXIT_STOPPED, SIGTERM: EXIT_TERMINATED } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * --vary: skip (remove skip edges), norm (remove BatchNorm/LayerNorm), act:FROM>TO (swap an activation),
 * depth:BLOCK:N (a block — group id or name — N times in sequence), comma-separated.
 */
export function togglesFromVary(vary: string | undefined, graph: GraphDocument): { ok: true; toggles: VariantToggle[] } | { ok: false; error: string } {
  const toggles: VariantToggle[] = [];
  for (const raw of (vary ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (/^(no-)?skips?$/.test(raw)) toggles.push({ kind: 'no-skips' });
    else if (/^(no-)?norms?$/.test(raw)) toggles.push({ kind: 'no-norms' });
    else if (raw.startsWith('act:')) {
      const m = /^act:([A-Za-z]+)>([A-Za-z]+)$/.exec(raw);
      const known = (a: string | undefined): a is ActivationName => (ACTIVATIONS as readonly string[]).includes(a ?? '');
      if (!m || !known(m[1]) || !known(m[2])) {
        return { ok: false, error: `--vary ${raw}: expected act:FROM>TO with activations from ${ACTIVATIONS.join(', ')}` };
      }
      toggles.push({ kind: 'activation', from: m[1], to: m[2] });
    } else if (raw.startsWith('depth:')) {
      const m = /^depth:(.+):(\d+)$/.exec(raw);
      const group = m ? graph.groups.find((g) => g.id === m[1] || g.name === m[1]) : undefined;
      if (!m) return { ok: false, error: `--vary ${raw}: expected depth:BLOCK:N (BLOCK a group id or name)` };
      if (!group) {
        const blocks = graph.groups.map((g) => `${g.id} (${g.name})`).join(', ');
        return { ok: false, error: `--vary ${raw}: the graph has no block '${m[1]}'${blocks ? `; blocks: ${blocks}` : ''}` };
      }
      toggles.push({ kind: 'depth', groupId: group.id, repeats: Number(m[2]) });
    } else {
      return { ok: false, error: `--vary: unknown toggle '${raw}' (skip, norm, act:FROM>TO, depth:BLOCK:N)` };
    }
  }
  return { ok: true, toggles };
}

function numberList(name: string, integer: boolean) {
  return (value: string) =>
    value.split(',').map((part) => {
      const n = Number(part.trim());
      if (part.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
        throw new InvalidArgumentError(`${name} must be a comma-separated list of ${integer ? 'integers' : 'numbers'}, got '${value}'`);
      }
      return n;
    });
}
function intArg(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got '${value}'`);
    return n;
  };
}

/** One row of the final `experiment` line and of the table. */
export function variantRow(r: VariantResult) {
  const f = r.summary?.final;
  return {
    index: r.index,
    name: r.name,
    changes: r.changes,
    status: r.summary?.status ?? (r.skipped ? 'skipped' : 'failed'),
    finalLoss: f?.loss,
    finalAccuracy: f?.accuracy,
    valLoss: f?.valLoss,
    valAccuracy: f?.valAccuracy,
    params: r.params,
    wallTimeMs: Math.round(r.wallTimeMs),
    graphHash: r.graphHash,
    ...(r.summary ? { runId: r.summary.id } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

const fixed4 = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(4));
const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);

export function formatExperimentTable(results: readonly VariantResult[]): string {
  const columns: TableColumn[] = [
    { header: 'variant', maxWidth: 48 },
    { header: 'status' },
    { header: 'loss', align: 'right' },
    { header: 'acc', align: 'right' },
    { header: 'val loss', align: 'right' },
    { header: 'val acc', align: 'right' },
    { header: 'params', align: 'right' },
    { header: 'time', align: 'right' },
  ];
  const rows = results.map((r) => {
    const row = variantRow(r);
    return [
      row.name,
      row.status,
      fixed4(row.finalLoss),
      pct(row.finalAccuracy),
      fixed4(row.valLoss),
      pct(row.valAccuracy),
      row.params.toLocaleString('en-US'),
      `${(row.wallTimeMs / 1000).toFixed(1)} s`,
    ];
  });
  const errors = results.filter((r) => r.error !== undefined).map((r) => `  ${r.name}: ${r.error}\n`);
  return `${formatTable(columns, rows, '  ')}${errors.join('')}`;
}

async function experiment(file: string, flags: ExperimentFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const usage = (message: string) => {
    io.stderr.write(`bricks experiment: ${message}\n`);
    ctx.setExitCode(EXIT.unusable);
  };
  const read = await readGraphFile(file);
  if (!read.ok) return usage(read.error.message);
  const graph = read.file.graph;
  const parsed = trainingConfigSchema.safeParse({
    ...DEFAULT_TRAINING_CONFIG,
    ...read.file.training,
    ...(flags.dataset !== undefined ? { dataset: flags.dataset } : {}),
    ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
    ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
    ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
    ...(flags.workers !== undefined ? { workers: /^\d+$/.test(flags.workers) ? Number(flags.workers) : flags.workers } : {}),
  });
  if (!parsed.success) return usage(`${file}: invalid training config: ${describeSchemaError(parsed.error)}`);
  const config = parsed.data;
  const toggles = togglesFromVary(flags.vary, graph);
  if (!toggles.ok) return usage(toggles.error);
  const all: VariantToggle[] = [
    ...toggles.toggles,
    ...(flags.lr ? [{ kind: 'learningRate', values: flags.lr } as const] : []),
    ...(flags.seeds ? [{ kind: 'seed', values: flags.seeds } as const] : []),
  ];
  if (all.length === 0) return usage('nothing to vary: give --vary, --lr or --seeds');
  const plan = planVariants(graph, config, all);
  if (plan.problems.length > 0) return usage(plan.problems.map((p) => p.message).join('\n  '));

  const dataset: DatasetRef = {
    id: config.dataset,
    options: { ...(flags.samples !== undefined ? { samples: flags.samples } : {}), ...(flags.limit !== undefined ? { limit: flags.limit } : {}) },
  };
  const label = path.basename(file);
  const json = flags.json === true;
  const emit = (record: object) => io.stdout.write(`${JSON.stringify(record)}\n`);
  const count = plan.variants.length;
  if (!json) io.stderr.write(`Experiment on ${label}: ${count} variant${count === 1 ? '' : 's'} on ${config.dataset}, one after another\n`);

  const control = new TrainingControl();
  let stoppedBy: StopSignal | undefined;
  let writing = false;
  const onStopSignal = (signal: StopSignal) => {
    if (stoppedBy !== undefined) {
      if (writing) return;
      io.stderr.write(`\nbricks experiment: aborted (${signal})\n`);
      process.exit(STOP_SIGNALS[signal]);
    }
    stoppedBy = signal;
    io.stderr.write(`\nbricks experiment: ${signal}: stopping after the current batch; no further variant starts…\n`);
    control.stop();
  };
  const onSigint = () => onStopSignal('SIGINT');
  const onSigterm = () => onStopSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  const useBar = !json && flags.progress !== false && process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let batchesPerEpoch = 1;
  /** Every variant trains the same data and epochs, so the first one's batches per epoch size the whole bar. */
  const totalSteps = () => plan.variants.reduce((sum, v) => sum + v.config.epochs * batchesPerEpoch, 0);
  const stepsBefore = (index: number) => plan.variants.slice(0, index).reduce((sum, v) => sum + v.config.epochs * batchesPerEpoch, 0);
  try {
    const result = await runExperiment(plan.variants, dataset, {
      control,
      training: { telemetry: false },
      callbacks: {
        onVariantStarted: (v) => {
          if (json) emit({ type: 'variant', index: v.index, name: v.name, changes: v.changes, runId: v.runId });
          else if (!useBar) io.stderr.write(`[${v.index + 1}/${count}] ${v.name}\n`);
        },
        trainingCallbacks: (v) => ({
          onStarted: (e) => {
            if (json) emit({ type: 'started', variant: v.index, ...e });
            batchesPerEpoch = Math.ceil(e.trainSize / Math.min(config.batchSize, Math.max(1, e.trainSize)));
            if (useBar && !bar) {
              bar = new cliProgress.SingleBar(
                {
                  stream: process.stderr,
                  format: 'variant {variant}/{variants} |{bar}| epoch {epoch}/{epochs} · loss {loss} · ETA {eta_formatted} · {name}',
                  hideCursor: true,
                  etaBuffer: 100,
                },
                cliProgress.Presets.shades_classic,
              );
              bar.start(totalSteps(), 0, { variant: 1, variants: count, epoch: 1, epochs: config.epochs, loss: '–', name: v.name });
            }
            bar?.update(stepsBefore(v.index), { variant: v.index + 1, name: v.name, epoch: 1, loss: '–' });
          },
          onBatch: (e) => {
            if (json) emit({ type: 'batch', variant: v.index, ...e });
            bar?.update(stepsBefore(v.index) + (e.epoch - 1) * e.batchesPerEpoch + e.batch, { epoch: e.epoch, loss: e.loss.toFixed(4) });
          },
          onEpoch: (e) => {
            if (json) emit({ type: 'epoch', variant: v.index, ...e });
            else if (!bar) {
              const val = e.valLoss !== undefined ? ` · val loss ${e.valLoss.toFixed(4)} acc ${pct(e.valAccuracy)}` : '';
              io.stderr.write(`  epoch ${e.epoch}/${config.epochs} · loss ${e.loss.toFixed(4)} acc ${pct(e.accuracy)}${val}\n`);
            }
          },
        }),
        onVariantFinished: (r) => {
          if (json) emit({ type: 'variantFinished', ...variantRow(r) });
        },
      },
    });
    bar?.stop();
    bar = undefined;
    if (json) emit({ type: 'experiment', experimentId: result.experimentId, stopped: result.stopped, variants: result.variants.map(variantRow) });
    else io.stdout.write(`${label}: experiment ${result.experimentId}${result.stopped ? ' (stopped)' : ''}\n${formatExperimentTable(result.variants)}`);

    if (flags.record) {
      writing = true;
      const summaries = result.variants.flatMap((r) => (r.summary ? [r.summary] : []));
      // Re-read so edits made to the file while training are kept; append the runs and write atomically.
      const latest = await readGraphFile(file);
      if (!latest.ok) throw new Error(`cannot record the runs: ${latest.error.message}`);
      await writeGraphFileAtomic(file, { ...latest.file, runs: [...(latest.file.runs ?? []), ...summaries] });
      writing = false;
      if (json) emit({ type: 'recorded', file, runs: summaries.length });
      else io.stdout.write(`Recorded ${summaries.length} run${summaries.length === 1 ? '' : 's'} in ${file}\n`);
    }
    const failed = result.variants.some((r) => r.error !== undefined || r.summary?.status === 'failed');
    ctx.setExitCode(failed ? EXIT.problems : result.stopped ? STOP_SIGNALS[stoppedBy ?? 'SIGINT'] : EXIT.ok);
  } catch (error) {
    bar?.stop();
    const message = error instanceof Error ? error.message : String(error);
    if (json) emit({ type: 'failed', reason: message });
    io.stderr.write(`bricks experiment: ${file}: ${message}\n`);
    ctx.setExitCode(EXIT.problems);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

export const experimentCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('experiment')
      .description('Train variants of a graph side by side (no skip edges, no norms, other activation, learning rates, seeds)')
      .argument('<file>', '.nbrick graph file')
      .option('--vary <toggles>', 'comma-separated: skip (remove skip edges), norm (remove BatchNorm/LayerNorm), act:FROM>TO, depth:BLOCK:N')
      .option('--lr <list>', 'learning rates, e.g. 0.1,0.01: every variant with each', numberList('--lr', false))
      .option('--seeds <list>', 'seeds, e.g. 1,2: every variant with each', numberList('--seeds', true))
      .option('--epochs <n>', 'epochs per variant', intArg('--epochs'))
      .option('--batch-size <n>', 'samples per batch', intArg('--batch-size'))
      .option('--dataset <name>', 'dataset id (default: the file\'s)')
      .option('--backend <name>', `one of ${TRAINING_BACKENDS.join(', ')}`)
      .option('--workers <n>', 'data-parallel workers per variant: 1, 2 or auto')
      .option('--samples <n>', 'synthetic datasets: number of points', intArg('--samples'))
      .option('--limit <n>', 'mnist: train on the first N samples only (quick runs)', intArg('--limit'))
      .option('--json', 'JSON lines on stdout: each variant\'s events (tagged "variant": index), then {"type":"experiment",…}')
      .option('--record', "append every variant's run (with its variant name, changes and graph hash) to the file's run history")
      .option('--no-progress', 'no progress bar, even on a terminal')
      .addHelpText(
        'after',
        `
Variants: the baseline (the graph as it is) and one variant per --vary toggle (toggles are not combined), each with
every --lr and every --seeds value. Variants with the same seed train on the same split with the same initial draw.

Exit codes: 0 every variant completed · 1 a variant failed or diverged · 2 unreadable file, bad flags, or a toggle
  that does not apply (e.g. --vary norm on a graph without norms) · 130 / 143 stopped by Ctrl+C / SIGTERM.

Examples:
  bricks experiment examples/resnet-mini.nbrick --vary skip,norm --limit 1000 --epochs 2
  bricks experiment examples/spirals.nbrick --vary act:relu>leakyRelu --lr 0.1,0.01 --seeds 1,2 --json
  bricks experiment model.nbrick --lr 0.03,0.01,0.003 --record`,
      )
      .action(async (file: string, flags: ExperimentFlags) => {
        await experiment(file, flags, ctx);
      });
  },
};
