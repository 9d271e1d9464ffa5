/**
 * A first look at a CSV/TSV table (issue 14), in one streaming pass: the detected format, and per column its inferred
 * type (numeric, categorical, or text to ignore) with statistics — range, mean, std, missing and distinct counts, top
 * values, a 20-bin histogram (numeric) or value counts (categorical) — plus the problems found (a text cell in a
 * numeric column that is not a missing-value marker), each with its line number and column name.
 *
 * Memory: numeric values are kept per column in growing Float64Array blocks only until the histogram is binned; distinct
 * values are counted up to a cap, so a column of free text does not grow without bound.
 */
import { isMissingMarker, type TableFormat } from '../../../../shared/data/dataSpec';
import { parseNumber, readTable, type TableProgressListener, type TableReadOptions } from './readTable';

export type { TableFormat };

export const COLUMN_TYPES = ['numeric', 'categorical', 'text'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const HISTOGRAM_BINS = 20;
/** Distinct values counted per column; beyond this a column is text (or numeric) and `distinct` is a lower bound. */
export const MAX_TRACKED_DISTINCT = 1000;
/** A non-numeric column with at most this many distinct values (and repeats) is categorical. */
export const MAX_CATEGORIES_INFERRED = 50;
/** Problems listed in full (the count covers all). */
export const MAX_LISTED_PROBLEMS = 100;

export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

export interface ColumnInspection {
  readonly name: string;
  readonly type: ColumnType;
  /** Non-missing cells. */
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  /** More distinct values than were tracked: `distinct` is a lower bound. */
  readonly distinctCapped: boolean;
  /** Numeric cells only (a numeric column's text cells are problems and not counted here). */
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  readonly std?: number;
  /** Numeric: every value is an integer (a candidate class label). */
  readonly integer?: boolean;
  /** Numeric: text cells that cannot be read as numbers (the table's problems in this column), when there are any. */
  readonly unreadable?: number;
  readonly histogram?: { readonly min: number; readonly max: number; readonly counts: readonly number[] };
  /** The most frequent values, most frequent first (up to 10). */
  readonly topValues: readonly ValueCount[];
  /** Categorical: every category with its count, most frequent first. */
  readonly valueCounts?: readonly ValueCount[];
  /** Could be predicted: `classification` (categorical or few integers), `regression` (numeric). */
  readonly targetTasks: readonly ('classification' | 'regression')[];
}

export interface TableProblem {
  readonly line: number;
  readonly column: string;
  readonly value: string;
  readonly message: string;
}

export interface TableInspection {
  readonly path: string;
  readonly bytes: number;
  readonly hash: string;
  readonly format: TableFormat;
  readonly rows: number;
  readonly columns: readonly ColumnInspection[];
  /** Up to MAX_LISTED_PROBLEMS, in file order. */
  readonly problems: readonly TableProblem[];
  readonly problemCount: number;
}

class Float64Blocks {
  private readonly blocks: Float64Array[] = [];
  private current = new Float64Array(4096);
  private used = 0;
  length = 0;
  push(value: number): void {
    if (this.used === this.current.length) {
      this.blocks.push(this.current);
      this.current = new Float64Array(Math.min(this.current.length * 2, 1 << 20));
      this.used = 0;
    }
    this.current[this.used++] = value;
    this.length++;
  }
  forEach(visit: (value: number) => void): void {
    for (const block of this.blocks) for (let i = 0; i < block.length; i++) visit(block[i]!);
    for (let i = 0; i < this.used; i++) visit(this.current[i]!);
  }
}

class ColumnStats {
  numeric = 0;
  text = 0;
  missing = 0;
  min = Infinity;
  max = -Infinity;
  mean = 0;
  m2 = 0;
  integer = true;
  readonly values = new Float64Blocks();
  readonly counts = new Map<string, number>();
  capped = false;
  /** Text cells seen so far, kept until we know whether the column is numeric (they are then problems). */
  readonly textCells: { line: number; value: string }[] = [];

  constructor(readonly name: string) {}

  add(cell: string, line: number): void {
    if (isMissingMarker(cell)) {
      this.missing++;
      return;
    }
    const value = parseNumber(cell);
    const key = cell.trim();
    if (value === undefined) {
      this.text++;
      if (this.textCells.length < MAX_LISTED_PROBLEMS) this.textCells.push({ line, value: key });
    } else {
      this.numeric++;
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
      const delta = value - this.mean;
      this.mean += delta / this.numeric;
      this.m2 += delta * (value - this.mean);
      if (!Number.isInteger(value)) this.integer = false;
      this.values.push(value);
    }
    const seen = this.counts.get(key);
    if (seen !== undefined) this.counts.set(key, seen + 1);
    else if (this.counts.size < MAX_TRACKED_DISTINCT) this.counts.set(key, 1);
    else this.capped = true;
  }

  /** Numeric-looking: at least 3/4 of the non-missing cells are numbers (a few text cells are then problems, not categories). */
  type(): ColumnType {
    const present = this.numeric + this.text;
    if (present > 0 && this.numeric > 0 && this.numeric >= 0.75 * present) return 'numeric';
    const distinct = this.counts.size;
    // Categories repeat: a column whose every value is different (names, ids, free text) is ignored as text.
    if (present > 0 && !this.capped && distinct <= MAX_CATEGORIES_INFERRED && distinct < present) return 'categorical';
    return 'text';
  }

  sortedCounts(): ValueCount[] {
    return [...this.counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }

  summary(): ColumnInspection {
    const type = this.type();
    const sorted = this.sortedCounts();
    const base = {
      name: this.name,
      type,
      count: type === 'numeric' ? this.numeric : this.numeric + this.text,
      missing: this.missing,
      distinct: this.counts.size,
      distinctCapped: this.capped,
      topValues: sorted.slice(0, 10),
    };
    if (type === 'numeric') {
      const std = this.numeric > 1 ? Math.sqrt(this.m2 / (this.numeric - 1)) : 0;
      const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
      const width = (this.max - this.min) / HISTOGRAM_BINS;
      this.values.forEach((v) => {
        const bin = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((v - this.min) / width)) : 0;
        counts[bin]!++;
      });
      const fewIntegers =
        this.integer && !this.capped && this.counts.size >= 2 && this.counts.size <= MAX_CATEGORIES_INFERRED && this.counts.size < this.numeric;
      return {
        ...base,
        min: this.min,
        max: this.max,
        mean: this.mean,
        std,
        integer: this.integer,
        ...(this.text > 0 ? { unreadable: this.text } : {}),
        histogram: { min: this.min, max: this.max, counts },
        targetTasks: fewIntegers ? ['classification', 'regression'] : ['regression'],
      };
    }
    if (type === 'categorical') {
      return { ...base, valueCounts: sorted, targetTasks: this.counts.size >= 2 ? ['classification'] : [] };
    }
    return { ...base, targetTasks: [] };
  }
}

/** Streams the table once and describes it. Throws TableError when the file cannot be read as a table at all. */
export async function inspectTable(
  path: string,
  options: TableReadOptions = {},
  onProgress?: TableProgressListener,
  signal?: AbortSignal,
): Promise<TableInspection> {
  let stats: ColumnStats[] = [];
  const result = await readTable(
    path,
    options,
    (cells, line) => {
      for (let i = 0; i < cells.length; i++) stats[i]!.add(cells[i]!, line);
    },
    onProgress,
    signal,
    (columns) => {
      stats = columns.map((name) => new ColumnStats(name));
    },
  );
  const columns = stats.map((s) => s.summary());
  const problems: TableProblem[] = [];
  let problemCount = 0;
  stats.forEach((s, i) => {
    if (columns[i]!.type !== 'numeric' || s.text === 0) return;
    problemCount += s.text;
    for (const cell of s.textCells) {
      problems.push({
        line: cell.line,
        column: s.name,
        value: cell.value,
        message: `line ${cell.line}, column '${s.name}': '${cell.value}' is not a number (missing values may be written ${MISSING_HINT})`,
      });
    }
  });
  problems.sort((a, b) => a.line - b.line);
  return {
    path,
    bytes: result.bytes,
    hash: result.hash,
    format: result.format,
    rows: result.rows,
    columns,
    problems: problems.slice(0, MAX_LISTED_PROBLEMS),
    problemCount,
  };
}

export const MISSING_HINT = "as an empty cell, NA, N/A, NaN, null or ?";
