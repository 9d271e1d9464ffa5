/**
 * `bricks evaluate FILE`: a kept run's model on the test split its run used — confusion matrix, per-class scores,
 * accuracy, loss and calibration, computed by the same engine as the app (electron/services/evaluation), so the
 * accuracy equals the run's recorded testAccuracy. tfjs runs in this process, as for `bricks train`.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { isDatasetId, type DatasetOptions } from '../../../shared/contracts/trainer';
import type { RunEvaluation } from '../../../shared/contracts/evaluation';
import { TRAINING_BACKENDS } from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import { selectBackend, type BackendPreference } from '../../services/backends/selectBackend';
import { loadDataset, type DataInfo, type LoadedDataset } from '../../services/datasets/loadDataset';
import { loadUserData } from '../../services/data/loadUserData';
import { TableError } from '../../services/data/table/readTable';
import { ImageFolderChangedError } from '../../services/data/images/loadImageFolder';
import { ImageFolderError } from '../../services/data/images/listImageFolder';
import { evaluateModel } from '../../services/evaluation/evaluateModel';
import { findKeptRun } from '../../services/evaluation/keptRuns';
import { loadModelFromFiles } from '../../services/evaluation/modelFromFiles';
import { readGraphFile } from '../../services/files/readGraphFile';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { formatTable } from '../table';

interface EvaluateFlags {
  run?: string;
  dataset?: string;
  samples?: number;
  limit?: number;
  backend?: string;
  maxMistakes?: number;
  json?: boolean;
}

function intArg(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, got '${value}'`);
    return n;
  };
}

/** The run's backend when this machine has it (the predictions its testAccuracy came from), else `auto`. */
export async function useRunBackend(run: RunSummary, requested: string | undefined): Promise<string> {
  if (requested !== undefined) return (await selectBackend(requested as BackendPreference)).name;
  const recorded = (TRAINING_BACKENDS as readonly string[]).includes(run.backend) ? (run.backend as BackendPreference) : 'auto';
  return (await selectBackend(recorded).catch(() => selectBackend('auto'))).name;
}

/**
 * The data to evaluate on: the run's recorded dataset and options (older records: its config's dataset, defaults);
 * `--dataset` names another set (the run's options then no longer apply), `--samples` / `--limit` override one option.
 */
export function datasetForEvaluation(run: RunSummary, flags: Pick<EvaluateFlags, 'dataset' | 'samples' | 'limit'>): { id: string; options: DatasetOptions } {
  const recorded = run.dataset ?? { id: run.config.dataset };
  const id = flags.dataset ?? recorded.id;
  return {
    id,
    options: {
      ...(id === recorded.id ? recorded.options : {}),
      ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
      ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The one JSON object `--json` prints: what scripts need, named plainly. */
export function evaluationJson(file: string, run: RunSummary, evaluation: RunEvaluation, datasetOptions: DatasetOptions): object {
  const common = {
    file,
    runId: run.id,
    task: evaluation.task,
    dataset: { id: evaluation.data.datasetId, ...(Object.keys(datasetOptions).length > 0 ? { options: datasetOptions } : {}) },
    split: evaluation.data.split,
    sampleCount: evaluation.data.sampleCount,
    backend: evaluation.backend,
    recorded: { testAccuracy: run.final.testAccuracy ?? null, testLoss: run.final.testLoss ?? null },
  };
  if (evaluation.task === 'regression') return { ...common, metrics: evaluation.metrics };
  const { metrics } = evaluation;
  return {
    ...common,
    labels: evaluation.labels,
    confusionMatrix: metrics.confusionMatrix,
    perClass: metrics.perClass.map((scores, c) => ({ label: evaluation.labels[c] ?? String(c), ...scores })),
    accuracy: metrics.accuracy,
    loss: metrics.loss,
    macroAverage: metrics.macroAverage,
    weightedAverage: metrics.weightedAverage,
    calibration: evaluation.calibration,
    mistakeCount: evaluation.mistakeCount,
    mistakes: evaluation.mistakes,
  };
}

export function formatEvaluation(label: string, run: RunSummary, evaluation: RunEvaluation): string {
  const head = `${label}: run ${run.id} on the ${evaluation.data.datasetId} test split (${evaluation.data.sampleCount} samples, ${evaluation.backend})`;
  if (evaluation.task === 'regression') {
    const a = evaluation.metrics.average;
    return `${head}\n  MAE ${a.meanAbsoluteError.toFixed(4)}  RMSE ${a.rootMeanSquaredError.toFixed(4)}  R² ${a.r2.toFixed(4)}\n`;
  }
  const { metrics, labels } = evaluation;
  const lines = [head, `  accuracy ${pct(metrics.accuracy)}  loss ${metrics.loss.toFixed(4)}`];
  if (run.final.testAccuracy !== undefined) {
    const same = run.final.testAccuracy === metrics.accuracy ? 'same as' : 'differs from';
    lines.push(`  (${same} the run's recorded test accuracy, ${pct(run.final.testAccuracy)})`);
  }
  lines.push('', '  Per class:');
  lines.push(
    formatTable(
      [{ header: 'class' }, { header: 'precision', align: 'right' }, { header: 'recall', align: 'right' }, { header: 'F1', align: 'right' }, { header: 'support', align: 'right' }],
      metrics.perClass.map((s, c) => [labels[c] ?? String(c), s.precision.toFixed(3), s.recall.toFixed(3), s.f1.toFixed(3), String(s.support)]),
      '    ',
    ).trimEnd(),
  );
  lines.push('', '  Confusion matrix (rows = true class, columns = predicted):');
  lines.push(
    formatTable(
      [{ header: 'true \\ predicted', maxWidth: 24 }, ...labels.map((l) => ({ header: l, align: 'right' as const, maxWidth: 12 }))],
      metrics.confusionMatrix.map((row, t) => [labels[t] ?? String(t), ...row.map(String)]),
      '    ',
    ).trimEnd(),
  );
  lines.push('', `  Calibration: expected error ${evaluation.calibration.expectedCalibrationError.toFixed(4)}, largest ${evaluation.calibration.maximumCalibrationError.toFixed(4)}`);
  lines.push(`  Mistakes: ${evaluation.mistakeCount} of ${evaluation.data.sampleCount}`);
  return `${lines.join('\n')}\n`;
}

async function evaluate(file: string, flags: EvaluateFlags, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const fail = (code: number, message: string) => {
    io.stderr.write(`bricks evaluate: ${message}\n`);
    ctx.setExitCode(code);
  };
  if (flags.dataset !== undefined && !isDatasetId(flags.dataset)) return fail(EXIT.unusable, `unknown dataset '${flags.dataset}'`);
  const read = await readGraphFile(file);
  if (!read.ok) return fail(EXIT.unusable, read.error.message);
  const kept = await findKeptRun(file, read.file, flags.run);
  if (!kept.ok) return fail(EXIT.problems, kept.message);
  const { run, files } = kept;
  const { id: datasetId, options: datasetOptions } = datasetForEvaluation(run, flags);
  // A run on the user's own data (issue 14) is evaluated on that data's test split, encoded with the run's recorded
  // preprocessing; a file that changed since the run is refused (its hash no longer matches).
  let data: LoadedDataset<DataInfo>;
  try {
    data =
      run.config.data && flags.dataset === undefined
        ? await loadUserData(run.config.data, { graphFilePath: path.resolve(file) })
        : loadDataset(datasetId, datasetOptions);
  } catch (error) {
    // Data missing, unreadable or changed since the run (a table or an image folder) is unusable input (2).
    const unusable = (error instanceof TableError && error.kind === 'unusable') || error instanceof ImageFolderChangedError || error instanceof ImageFolderError;
    const code = unusable ? EXIT.unusable : EXIT.problems;
    return fail(code, `${file}: run ${run.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const backend = await useRunBackend(run, flags.backend);
    const model = await loadModelFromFiles(files);
    try {
      const evaluation = evaluateModel(model, data, {
        runId: run.id,
        backend,
        datasetOptions,
        ...(flags.maxMistakes !== undefined ? { maxMistakes: flags.maxMistakes } : {}),
      });
      if (flags.json) io.stdout.write(`${JSON.stringify(evaluationJson(file, run, evaluation, datasetOptions))}\n`);
      else io.stdout.write(formatEvaluation(path.basename(file), run, evaluation));
    } finally {
      model.dispose();
    }
  } catch (error) {
    fail(EXIT.problems, `${file}: run ${run.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const evaluateCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('evaluate')
      .description("Evaluate a kept run's model on its test split: confusion matrix, per-class scores, accuracy, loss")
      .argument('<file>', '.nbrick graph file with a recorded run (bricks train --record)')
      .option('--run <id>', 'the run to evaluate (default: the newest run with a kept checkpoint)')
      .option('--dataset <name>', "evaluate on this dataset's test split instead of the run's")
      .option('--samples <n>', "synthetic datasets: number of points (default: the run's own)", intArg('--samples'))
      .option('--limit <n>', "mnist: the first N samples only (default: the run's own)", intArg('--limit'))
      .option('--backend <name>', `one of ${TRAINING_BACKENDS.join(', ')} (default: the run's own)`)
      .option('--max-mistakes <n>', 'misclassified samples listed in --json, most confident first (default 100)', intArg('--max-mistakes'))
      .option('--json', 'one JSON object on stdout')
      .addHelpText(
        'after',
        `
Exit codes: 0 evaluated · 1 no such run, its checkpoint is missing or damaged, or the model does not fit the data ·
  2 unreadable file or bad usage.

The test split is the run's own (same dataset and options, as recorded by bricks train), so the accuracy equals
its recorded testAccuracy.

Examples:
  bricks train model.nbrick --record && bricks evaluate model.nbrick
  bricks evaluate model.nbrick --run 2026-12-06T03-30-00-abc123 --json | jq .confusionMatrix`,
      )
      .action(async (file: string, flags: EvaluateFlags) => {
        await evaluate(file, flags, ctx);
      });
  },
};
