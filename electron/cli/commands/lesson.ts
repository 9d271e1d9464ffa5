/**
 * `bricks lesson list` and `bricks lesson run ID`: the guided experiments shipped with the app (shared/lessons).
 * `run` trains the lesson's variants one after another and reports whether the effect the lesson is about was
 * measured. Progress goes to stderr (a bar with ETA on a terminal, a line per epoch otherwise); with --json, stdout has
 * one JSON line per variant and last a `lessonResult` line.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { LESSONS, getLesson, type Lesson } from '../../../shared/lessons';
import { finalAccuracy, finalLoss } from '../../../shared/lessons/measure';
import { runLesson } from '../../services/lessons/runLesson';
import type { VariantResult } from '../../services/experiments/runExperiment';
import { TrainingControl } from '../../services/training/trainingControl';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { formatTable } from '../table';
import { EXIT_STOPPED } from './train';

/** The numbers of one variant in the result line: validation loss/accuracy (null when it diverged or did not run). */
export function variantNumbers(v: VariantResult): { name: string; finalLoss: number | null; finalAccuracy: number | null } {
  return { name: v.name, finalLoss: finalLoss(v.summary) ?? null, finalAccuracy: finalAccuracy(v.summary) ?? null };
}

function list(ctx: CliContext, json: boolean): void {
  const rows = LESSONS.map((l) => ({ id: l.id, title: l.title, minutes: l.minutes }));
  if (json) {
    ctx.io.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  ctx.io.stdout.write(
    formatTable(
      [{ header: 'id' }, { header: 'title' }, { header: 'minutes', align: 'right' }],
      rows.map((r) => [r.id, r.title, String(r.minutes)]),
    ),
  );
  ctx.io.stdout.write('\nRun one with: bricks lesson run ID\n');
}

/** Share of the whole lesson done: variants finished plus the running one's epochs and batches. */
function progressOf(done: number, total: number, epochs: number, epoch: number, batchFraction: number): number {
  return Math.min(1, (done + Math.min(1, (epoch - 1 + batchFraction) / Math.max(1, epochs))) / Math.max(1, total));
}

async function run(ctx: CliContext, lesson: Lesson, flags: { json?: boolean; progress?: boolean }): Promise<void> {
  const { io } = ctx;
  const json = flags.json === true;
  const emit = (line: object) => io.stdout.write(`${JSON.stringify(line)}\n`);
  const specs = lesson.variants();
  const useBar = flags.progress !== false && process.stderr.isTTY === true && io.stderr === process.stderr;
  const bar = useBar
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: '{variant} |{bar}| {percentage}% · ETA {eta_formatted}', hideCursor: true, etaBuffer: 200 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const control = new TrainingControl();
  let stoppedBy: 'SIGINT' | undefined;
  const onSigint = () => {
    stoppedBy = 'SIGINT';
    control.stop();
  };
  process.on('SIGINT', onSigint);
  io.stderr.write(`Lesson: ${lesson.title} — ${specs.length} variants on ${lesson.dataset.id}\n`);
  bar?.start(1000, 0, { variant: specs[0]?.name ?? '' });
  let done = 0;
  try {
    const result = await runLesson(lesson, {
      control,
      callbacks: {
        onVariantStarted: (v) => {
          if (bar) bar.update(Math.round((1000 * done) / specs.length), { variant: `${v.index + 1}/${specs.length} ${v.name}` });
          else io.stderr.write(`[${v.index + 1}/${specs.length}] ${v.name}\n`);
        },
        trainingCallbacks: (v) => {
          const epochs = specs[v.index]!.config.epochs;
          return {
            onBatch: (e) => bar?.update(Math.round(1000 * progressOf(done, specs.length, epochs, e.epoch, e.batch / e.batchesPerEpoch))),
            onEpoch: (e) => {
              if (!bar) {
                const val = e.valAccuracy !== undefined ? ` · val acc ${(e.valAccuracy * 100).toFixed(1)} %` : '';
                io.stderr.write(`  epoch ${e.epoch}/${epochs} · loss ${e.loss.toFixed(4)}${val}\n`);
              }
            },
          };
        },
        onVariantFinished: (v) => {
          done += 1;
          bar?.update(Math.round((1000 * done) / specs.length));
          const numbers = variantNumbers(v);
          if (json) {
            emit({
              type: 'variant',
              index: v.index,
              ...numbers,
              changes: v.changes,
              status: v.summary?.status ?? (v.skipped ? 'skipped' : 'failed'),
              wallTimeMs: Math.round(v.wallTimeMs),
              params: v.params,
              ...(v.error ? { error: v.error } : {}),
            });
          } else if (!bar && v.error) io.stderr.write(`  ${v.error}\n`);
        },
      },
    });
    bar?.stop();
    const { passed, conclusion } = result.evaluation;
    const variants = result.variants.map(variantNumbers);
    if (json) emit({ type: 'lessonResult', id: lesson.id, passed, variants, conclusion });
    else {
      const fmt = (x: number | null, f: (x: number) => string) => (x === null ? '–' : f(x));
      io.stdout.write(
        formatTable(
          [{ header: 'variant' }, { header: 'status' }, { header: 'val loss', align: 'right' }, { header: 'val accuracy', align: 'right' }, { header: 'time', align: 'right' }],
          result.variants.map((v, i) => [
            v.name,
            v.summary?.status ?? (v.skipped ? 'skipped' : 'failed'),
            fmt(variants[i]!.finalLoss, (x) => x.toFixed(4)),
            fmt(variants[i]!.finalAccuracy, (x) => `${(x * 100).toFixed(1)} %`),
            `${(v.wallTimeMs / 1000).toFixed(1)} s`,
          ]),
        ),
      );
      io.stdout.write(`\n${conclusion}\n${passed ? 'Effect measured ✓' : 'Effect not measured ✗'}\n`);
    }
    ctx.setExitCode(stoppedBy ? EXIT_STOPPED : passed ? EXIT.ok : EXIT.problems);
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
  }
}

export const lessonCommand: CliCommand = {
  register(program: Command, ctx: CliContext): void {
    const lesson = program
      .command('lesson')
      .description('guided experiments that reproduce famous results offline (depth and skips, BatchNorm, dead ReLUs, normalizer-free)');
    lesson
      .command('list')
      .description('the lessons: id, title, minutes')
      .option('--json', 'a JSON array of {id, title, minutes}')
      .action((flags: { json?: boolean }) => list(ctx, flags.json === true));
    lesson
      .command('run')
      .description("train a lesson's variants and say whether the expected effect was measured (exit 0 yes, 1 no, 2 unknown id)")
      .argument('<id>', 'lesson id (bricks lesson list)')
      .option('--json', 'one JSON line per variant, then {"type":"lessonResult",…}')
      .option('--no-progress', 'no progress bar, even on a terminal')
      .action(async (id: string, flags: { json?: boolean; progress?: boolean }) => {
        const found = getLesson(id);
        if (!found) {
          ctx.io.stderr.write(`bricks lesson run: unknown lesson '${id}' (one of: ${LESSONS.map((l) => l.id).join(', ')})\n`);
          ctx.setExitCode(EXIT.unusable);
          return;
        }
        await run(ctx, found, flags);
      });
  },
};
