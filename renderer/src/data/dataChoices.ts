/**
 * Pure choices behind the "New from Data" dialog (issue 14): which columns can be the target, the default target, task
 * and features, bars for a column's histogram or value counts, and the training config a proposal opens with.
 * No DOM, no API: the dialog (DataDialog.tsx) calls these and the unit tests check them.
 */
import type { DataColumn, DataProposal, TableInspectionResult } from '../../../shared/contracts/data';
import type { DataSpec, TableDataSpec } from '../../../shared/data/dataSpec';
import { PROPOSED_TRAINING } from '../../../shared/data/proposedTraining';
import { defaultTargetColumn } from '../../../shared/data/targetClasses';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';

export type DataTaskChoice = 'classification' | 'regression';

/** What the user chose for a table: target column, task and the feature columns. */
export interface TableChoice {
  readonly target: string;
  readonly task: DataTaskChoice;
  readonly features: readonly string[];
}

/** Columns that can be a target (their inspection lists at least one task). */
export function targetColumns(columns: readonly DataColumn[]): DataColumn[] {
  return columns.filter((c) => c.targetTasks.length > 0);
}

/**
 * The natural task of a target column: classification when the column allows it (categorical, or a small-integer
 * column), else regression.
 */
export function defaultTask(column: DataColumn): DataTaskChoice | undefined {
  if (column.targetTasks.includes('classification')) return 'classification';
  return column.targetTasks[0];
}

/** Every other column except text (which is ignored): what a new target starts with. */
export function defaultFeatures(columns: readonly DataColumn[], target: string): string[] {
  return columns.filter((c) => c.name !== target && c.type !== 'text').map((c) => c.name);
}

/**
 * The choice a table starts with: the default target (shared/data/targetClasses.ts, the Node side's default too: the
 * last column that can be a target unless it has a class too small to split, as penguins.csv's Sex), its natural task,
 * and every other numeric or categorical column. Undefined when no column can be a target.
 */
export function defaultTableChoice(inspection: Pick<TableInspectionResult, 'columns'>): TableChoice | undefined {
  const target = defaultTargetColumn(inspection.columns);
  if (!target) return undefined;
  return choiceForTarget(inspection.columns, target.name);
}

/** The choice after picking `target`: its natural task and every other non-text column as a feature. */
export function choiceForTarget(columns: readonly DataColumn[], target: string): TableChoice | undefined {
  const column = columns.find((c) => c.name === target);
  const task = column && defaultTask(column);
  if (!column || !task) return undefined;
  return { target, task, features: defaultFeatures(columns, target) };
}

/** Why the choice cannot make a graph yet (undefined: it can). */
export function tableChoiceProblem(choice: TableChoice | undefined, columns: readonly DataColumn[]): string | undefined {
  if (!choice) return 'No column can be a target: a target needs categories or numbers.';
  const column = columns.find((c) => c.name === choice.target);
  if (!column) return `The target column '${choice.target}' is not in the table.`;
  if (!column.targetTasks.includes(choice.task)) return `'${choice.target}' cannot be the target of a ${choice.task}.`;
  if (choice.features.length === 0) return 'Choose at least one feature column.';
  if (choice.features.includes(choice.target)) return `'${choice.target}' is the target: it cannot also be a feature.`;
  return undefined;
}

/** One entry of an inspection's problem list (text in a numeric column). */
export type TableProblem = TableInspectionResult['problems'][number];

/**
 * A problem as the dialog lists it: "Line 5, column x: " and what is wrong. The host's message may already start with
 * the place ("line 5, column 'x': …"); that start is left out so the place is not said twice. A value like 1,5 (a
 * decimal comma, common in semicolon-separated files) gets a hint: numbers are read with a decimal point.
 */
export function problemText(problem: TableProblem): string {
  const { line, column, message } = problem;
  const place = `line ${line}, column '${column}': `;
  const what = message.toLowerCase().startsWith(place.toLowerCase()) ? message.slice(place.length) : message;
  const decimalComma = /^[+-]?\d+,\d+$/.test(problem.value.trim());
  return `Line ${line}, column ${column}: ${what}${decimalComma ? ` — a decimal comma? Numbers are read with a point (${problem.value.trim().replace(',', '.')})` : ''}`;
}

/** What the unreadable-cell rules read of an inspection. */
export type ProblemFacts = Pick<TableInspectionResult, 'columns' | 'problems'>;

/**
 * Unreadable cells (text in a numeric column) of the chosen target and feature columns, and of the columns left out.
 * A column's count is its `unreadable`, or (from a host that does not say) its entries in the problem list.
 */
export function unreadableCells(inspection: ProblemFacts, choice: TableChoice | undefined): { readonly chosen: number; readonly unused: number; readonly unusedColumns: readonly string[] } {
  const used = new Set(choice ? [choice.target, ...choice.features] : []);
  let chosen = 0;
  let unused = 0;
  const unusedColumns: string[] = [];
  for (const c of inspection.columns) {
    const n = c.unreadable ?? inspection.problems.filter((p) => p.column === c.name).length;
    if (n === 0) continue;
    if (used.has(c.name)) chosen += n;
    else {
      unused += n;
      unusedColumns.push(c.name);
    }
  }
  return { chosen, unused, unusedColumns };
}

/**
 * Why Create graph waits for the file to be fixed: unreadable cells in the chosen target or feature columns (only
 * those are read; the host refuses them). Undefined when the chosen columns read cleanly.
 */
export function unreadableCellsProblem(inspection: ProblemFacts, choice: TableChoice | undefined): string | undefined {
  const problemCount = unreadableCells(inspection, choice).chosen;
  if (problemCount <= 0) return undefined;
  const cells = problemCount === 1 ? '1 cell in a chosen numeric column is not a number' : `${problemCount} cells in chosen numeric columns are not numbers`;
  return (
    `Create graph waits until the file is fixed: ${cells} (listed above). Correct ${problemCount === 1 ? 'it' : 'them'} in the file, ` +
    `or empty ${problemCount === 1 ? 'it' : 'them'} (or write NA) to mark a missing value, then Choose other data and pick the corrected file — ` +
    `or leave the column out.`
  );
}

/** Said under the problem list when some problems are in columns left out: they do not stop Create graph. */
export function unusedProblemsNote(inspection: ProblemFacts, choice: TableChoice | undefined): string | undefined {
  const { unused, unusedColumns } = unreadableCells(inspection, choice);
  if (unused === 0) return undefined;
  const names = unusedColumns.map((n) => `'${n}'`).join(', ');
  return `${unused === 1 ? 'This cell is' : `${unused} of these cells are`} in ${unusedColumns.length === 1 ? 'a column' : 'columns'} left out (${names}): ${unused === 1 ? 'it does' : 'they do'} not stop Create graph.`;
}

/** One bar of a small chart: its share of the tallest bar (0..1), the count and what it stands for. */
export interface Bar {
  readonly label: string;
  readonly count: number;
  readonly height: number;
}

/** A numeric column's histogram as bars, each labelled with its bin's range. */
export function histogramBars(histogram: NonNullable<DataColumn['histogram']>): Bar[] {
  const { min, max, counts } = histogram;
  const tallest = Math.max(0, ...counts);
  const width = counts.length > 0 ? (max - min) / counts.length : 0;
  return counts.map((count, i) => ({
    label: `${formatStat(min + i * width)} – ${formatStat(min + (i + 1) * width)}`,
    count,
    height: tallest > 0 ? count / tallest : 0,
  }));
}

/** A categorical column's most frequent values as bars (at most `limit`; the rest summed into "other"). */
export function valueBars(column: Pick<DataColumn, 'valueCounts' | 'topValues' | 'count'>, limit = 6): Bar[] {
  const values = column.valueCounts ?? column.topValues;
  const shown = [...values].sort((a, b) => b.count - a.count).slice(0, limit);
  const rest = values.length > limit ? values.reduce((sum, v) => sum + v.count, 0) - shown.reduce((sum, v) => sum + v.count, 0) : 0;
  const bars = rest > 0 ? [...shown, { value: `${values.length - limit} other`, count: rest }] : shown;
  const tallest = Math.max(0, ...bars.map((b) => b.count));
  return bars.map((b) => ({ label: b.value, count: b.count, height: tallest > 0 ? b.count / tallest : 0 }));
}

/** A statistic as the table shows it: up to 4 significant digits, no trailing zeros. */
export function formatStat(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** The last part of a path (`/` or `\`), what the Training panel calls the data by. */
export function dataDisplayName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

/**
 * The training settings a proposed graph opens with: the defaults with the optimizer and learning rate measured to
 * train proposed graphs stably (PROPOSED_TRAINING: Adam 0.001; 0.01 made an image folder's steps explode), trained on
 * the proposal's data.
 */
export function trainingConfigForProposal(proposal: Pick<DataProposal, 'spec'>, base: TrainingConfig = DEFAULT_TRAINING_CONFIG): TrainingConfig {
  return { ...base, ...PROPOSED_TRAINING, dataset: dataDisplayName(proposal.spec.path), data: proposal.spec };
}

/** One line about a file's own data for the Training panel: its kind, size and what it predicts. */
export function dataSourceFacts(spec: DataSpec): string {
  if (spec.kind === 'table') {
    const rows = spec.rows ? ` · ${spec.rows.train} train / ${spec.rows.val} val / ${spec.rows.test} test rows` : '';
    const what = spec.task === 'classification' ? `${spec.target.classes?.length ?? '?'} classes of ${spec.target.name}` : `regression of ${spec.target.name}`;
    return `table · ${spec.features.length} feature column${spec.features.length === 1 ? '' : 's'} · ${what}${rows}`;
  }
  const images = spec.images ? ` · ${spec.images.train} train / ${spec.images.val} val / ${spec.images.test} test images` : '';
  const { flip, shift, rotate } = spec.augmentation;
  const kinds = [flip ? 'flip' : '', shift > 0 ? `shift ≤ ${Math.round(shift * 100)} %` : '', rotate > 0 ? `rotate ≤ ${rotate}°` : ''].filter((k) => k !== '');
  const augmented = kinds.length > 0 ? ` · augmented (${kinds.join(', ')})` : '';
  return `image folder · ${spec.height}×${spec.width}×${spec.channels} · ${spec.classNames.length} classes${images}${augmented}`;
}

/** How many cells of the chosen feature columns are missing (the inspection's counts over all rows). */
export function missingInFeatures(columns: readonly DataColumn[], features: readonly string[]): number {
  return columns.filter((c) => features.includes(c.name)).reduce((sum, c) => sum + c.missing, 0);
}

/**
 * What the fitted missing-value policy did, as the dialog reports it ("12 rows dropped · 7 cells filled"), or
 * undefined when nothing was missing.
 */
export function missingValuesSummary(missing: TableDataSpec['missing']): string | undefined {
  const dropped = missing.droppedRows ?? 0;
  const filled = Object.values(missing.filledCells ?? {}).reduce((a, b) => a + b, 0);
  const parts = [
    dropped > 0 ? `${dropped} row${dropped === 1 ? '' : 's'} dropped` : '',
    filled > 0 ? `${filled} cell${filled === 1 ? '' : 's'} filled` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(' · ') : undefined;
}
