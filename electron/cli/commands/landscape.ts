/**
 * `bricks landscape FILE`: a slice of the loss landscape around a kept run's weights (Li et al. 2018) — the loss
 * along one and two filter-normalised random directions on a fixed batch of the run's own training data. The same
 * engine as the app (electron/services/insight), in this process; Ctrl+C cancels between points.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  LANDSCAPE_DEFAULTS,
  MAX_LANDSCAPE_GRID_SIZE,
  MAX_LANDSCAPE_LINE_STEPS,
  MAX_LANDSCAPE_SAMPLES,
  type LossLandscape,
} from '../../../shared/contracts/insight';
import { TRAINING_BACKENDS } from '../../../shared/format/trainingConfig';
import { findKeptRun } from '../../services/evaluation/keptRuns';
import { loadModelFromFiles } from '../../services/evaluation/modelFromFiles';
import { readGraphFile } from '../../services/files/readGraphFile';
import { LandscapeCancelledError } from '../../services/insight/lossLandscape';
import { runLossLandscape } from '../../services/insight/runInsight';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { formatDuration } from '../formatNumbers';
import { formatTable } from '../table';
import { datasetForEvaluation, useRunBackend } from './evaluate';
import { formatStat } from './signal';

/** 128 + SIGINT, as `bricks train` exits when stopped by Ctrl+C. */
const EXIT_CANCELLED = 130;

interface LandscapeFlags {
  run?: string;
  samples?: number;
  range?: number;
  lineSteps?: number;
  grid?: number;
  seed?: number;
  backend?: string;
  json?: boolean;
  progress?: boolean;
}

function intArg(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

/** 0 (no grid) or at least 2 points per side. */
function gridArg(value: string): number {
  const n = intArg('--grid', 0, MAX_LANDSCAPE_GRID_SIZE)(value);
  if (n === 1) throw new InvalidArgumentError('--grid must be 0 (no grid) or at least 2, got 1');
  return n;
}

function rangeArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new InvalidArgumentError(`--range must be a number above 0 and at most 100, got '${value}'`);
  return n;
}

/** Ten shades from low to high loss; overflowed points are '!'. */
const SHADES = ' .:-=+*#%@';

/** The grid as text, one character per point, row β = +range on top. */
export function shadeGrid(result: LossLandscape): string[] {
  const { alphas, betas, losses } = result.grid;
  const finite = losses.filter((l): l is number => l !== null);
  if (finite.length === 0) return [];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const rows: string[] = [];
  for (let j = betas.length - 1; j >= 0; j--) {
    let row = '';
    for (let i = 0; i < alphas.length; i++) {
      const loss = losses[j * alphas.length + i];
      const k = loss === null || loss === undefined ? -1 : hi > lo ? Math.min(SHADES.length - 1, Math.floor(((loss - lo) / (hi - lo)) * SHADES.length)) : 0;
      row += k < 0 ? '!' : SHADES[k];
    }
    rows.push(row);
  }
  return rows;
}

export function formatLandscape(label: string, result: LossLandscape): string {
  const lines = [
    `${label}: loss landscape of run ${result.runId} on ${result.samples} ${result.datasetId} training samples (seed ${result.seed}, ${result.backend}, ${formatDuration(result.elapsedMs)})`,
    `  loss at the trained weights: ${formatStat(result.centerLoss)}; ${result.directionParams.toLocaleString('en-US')} kernel weights moved along filter-normalised directions`,
    '',
    `  Along direction 1 (α from −${result.range} to +${result.range}):`,
    formatTable(
      [{ header: 'α', align: 'right' }, { header: 'loss', align: 'right' }],
      result.line.alphas.map((a, i) => [a.toFixed(3), formatStat(result.line.losses[i] ?? null)]),
      '    ',
    ).trimEnd(),
  ];
  const shaded = shadeGrid(result);
  if (shaded.length > 0) {
    const finite = result.grid.losses.filter((l): l is number => l !== null);
    lines.push(
      '',
      `  Grid ${result.grid.alphas.length}×${result.grid.betas.length} (α across, β up; '${SHADES[0]}' lowest ${formatStat(Math.min(...finite))} … '${SHADES.at(-1)}' highest ${formatStat(Math.max(...finite))}${finite.length < result.grid.losses.length ? ", '!' overflow" : ''}):`,
      ...shaded.map((row) => `    |${row}|`),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function landscape(file: string, flags: LandscapeFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const fail = (code: number, message: string) => {
    io.stderr.write(`bricks landscape: ${message}\n`);
    ctx.setExitCode(code);
  };
  const read = await readGraphFile(file);
  if (!read.ok) return fail(EXIT.unusable, read.error.message);
  const kept = await findKeptRun(file, read.file, flags.run);
  if (!kept.ok) return fail(EXIT.problems, kept.message);
  const { run, files } = kept;
  const abort = new AbortController();
  const onSigint = () => {
    io.stderr.write('\nbricks landscape: SIGINT: cancelling…\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  const useBar = flags.json !== true && flags.progress !== false && process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  try {
    await useRunBackend(run, flags.backend);
    const model = await loadModelFromFiles(files);
    try {
      const { id, options } = datasetForEvaluation(run, {});
      const result = await runLossLandscape(model, { id, ...(Object.keys(options).length > 0 ? { options } : {}) }, {
        runId: run.id,
        signal: abort.signal,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
        ...(flags.range !== undefined ? { range: flags.range } : {}),
        ...(flags.lineSteps !== undefined ? { lineSteps: flags.lineSteps } : {}),
        ...(flags.grid !== undefined ? { gridSize: flags.grid } : {}),
        onProgress: (p) => {
          if (!useBar) return;
          if (!bar) {
            bar = new cliProgress.SingleBar(
              { stream: process.stderr, format: 'loss landscape |{bar}| {value}/{total} points · ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
              cliProgress.Presets.shades_classic,
            );
            bar.start(p.total, 0);
          }
          bar.update(p.done);
        },
      });
      bar?.stop();
      if (flags.json) io.stdout.write(`${JSON.stringify({ file, ...result })}\n`);
      else io.stdout.write(formatLandscape(path.basename(file), result));
    } finally {
      model.dispose();
    }
  } catch (error) {
    bar?.stop();
    if (error instanceof LandscapeCancelledError) return fail(EXIT_CANCELLED, `${file}: run ${run.id}: cancelled`);
    fail(EXIT.problems, `${file}: run ${run.id}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export const landscapeCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const d = LANDSCAPE_DEFAULTS;
    program
      .command('landscape')
      .description("A slice of the loss landscape around a kept run's weights: along one and two random directions")
      .argument('<file>', '.nbrick graph file with a recorded run (bricks train --record)')
      .option('--run <id>', 'the run (default: the newest run with a kept checkpoint)')
      .option('--samples <n>', `training samples in the fixed evaluation batch (default ${d.samples})`, intArg('--samples', 1, MAX_LANDSCAPE_SAMPLES))
      .option('--range <r>', `offsets from −r to +r filter norms (default ${d.range})`, rangeArg)
      .option('--line-steps <n>', `points on the 1-D line (default ${d.lineSteps})`, intArg('--line-steps', 2, MAX_LANDSCAPE_LINE_STEPS))
      .option('--grid <n>', `points per side of the 2-D grid, 0 for none (default ${d.gridSize})`, gridArg)
      .option('--seed <n>', `seed of the batch and the directions (default ${d.seed})`, intArg('--seed', 0, 2 ** 31 - 1))
      .option('--backend <name>', `one of ${TRAINING_BACKENDS.join(', ')} (default: the run's own)`)
      .option('--json', 'one JSON object on stdout')
      .option('--no-progress', 'no progress bar, even on a terminal')
      .addHelpText(
        'after',
        `
Li et al. (2018): each direction is Gaussian noise rescaled per filter to the norm of that filter of the trained
weights; biases and normalisation parameters stay put. The same seed gives the same slice.

Exit codes: 0 done · 1 no such run, its checkpoint is missing or damaged, or the model does not fit the data ·
  2 unreadable file or bad usage · 130 cancelled by Ctrl+C.

Examples:
  bricks train examples/lenet.nbrick --record && bricks landscape examples/lenet.nbrick
  bricks landscape model.nbrick --grid 0 --line-steps 101 --json | jq .line`,
      )
      .action(async (file: string, flags: LandscapeFlags) => {
        await landscape(file, flags, ctx);
      });
  },
};
