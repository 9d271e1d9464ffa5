/**
 * Which table column a new graph should predict by default, and which classes of a target are too small to split.
 *
 * Rows are split at random into training, validation and test (shared/data/dataSpec.ts DEFAULT_DATA_SPLIT), without
 * stratifying: a class needs at least MIN_ROWS_PER_CLASS rows to have a chance of one row in each split. The loader
 * (electron/services/data/table/loadTable.ts) keeps every value of the target as a class, however few its rows, so
 * training does not fail on a one-row class — the class lands in one split only and is either never learnt or never
 * checked. penguins.csv's last column Sex has such a class ('.', one row): the default target skips it, and the "New
 * from data" dialog warns when the user picks it anyway. Pure: used by the Node proposal and by the dialog.
 */

/** One row for each of the training, validation and test splits: fewer, and the dialog warns. */
export const MIN_ROWS_PER_CLASS = 3;
/** One row to learn from and one to check on: a default target has no class with fewer. */
export const MIN_ROWS_PER_DEFAULT_CLASS = 2;

/** What these rules read of an inspected column (shared/contracts/data.ts DataColumn, or the Node inspection). */
export interface TargetColumnFacts {
  readonly name: string;
  readonly type: 'numeric' | 'categorical' | 'text';
  readonly distinct: number;
  readonly distinctCapped: boolean;
  readonly topValues: readonly { readonly value: string; readonly count: number }[];
  readonly valueCounts?: readonly { readonly value: string; readonly count: number }[];
  readonly targetTasks: readonly ('classification' | 'regression')[];
}

export interface SmallClass {
  readonly value: string;
  readonly count: number;
}

/** Every class and its rows when the inspection knows them all (categorical columns; small-integer ones with few values). */
function classCounts(column: TargetColumnFacts): readonly SmallClass[] | undefined {
  if (column.valueCounts) return column.valueCounts;
  if (!column.distinctCapped && column.topValues.length >= column.distinct) return column.topValues;
  return undefined;
}

/** The classes of `column` (as a classification target) with fewer than `min` rows, fewest first. */
export function smallClasses(column: TargetColumnFacts, min = MIN_ROWS_PER_CLASS): SmallClass[] {
  return [...(classCounts(column) ?? [])].filter((c) => c.count < min).sort((a, b) => a.count - b.count || (a.value < b.value ? -1 : 1));
}

/** The task a target column is predicted with unless chosen otherwise: classification when it allows it. */
export function naturalTask(column: TargetColumnFacts): 'classification' | 'regression' | undefined {
  return column.targetTasks.includes('classification') ? 'classification' : column.targetTasks[0];
}

/**
 * The default target: the last column that can be a target (a table usually ends with what it is about) unless one of
 * its classes has a single row (never both learnt and checked); else the first classification column without such a
 * class (penguins.csv: Species rather than Sex with its one-row '.'); else the last such column of any kind; else the
 * last possible target after all (the dialog then warns). Undefined when no column can be a target.
 */
export function defaultTargetColumn<C extends TargetColumnFacts>(columns: readonly C[]): C | undefined {
  const targets = columns.filter((c) => c.targetTasks.length > 0);
  const splittable = (c: C) => naturalTask(c) !== 'classification' || smallClasses(c, MIN_ROWS_PER_DEFAULT_CLASS).length === 0;
  const last = targets[targets.length - 1];
  if (!last || splittable(last)) return last;
  return targets.find((c) => naturalTask(c) === 'classification' && splittable(c)) ?? [...targets].reverse().find(splittable) ?? last;
}

/** What the dialog says about a classification target with too-small classes (undefined when there are none). */
export function smallClassWarning(column: TargetColumnFacts): string | undefined {
  const small = smallClasses(column);
  if (small.length === 0) return undefined;
  const listed = small.slice(0, 5).map((c) => `'${c.value}' (${c.count} row${c.count === 1 ? '' : 's'})`);
  const more = small.length > 5 ? ` and ${small.length - 5} more` : '';
  const one = small.length === 1;
  return (
    `Class${one ? '' : 'es'} ${listed.join(', ')}${more} of '${column.name}' ${one ? 'has' : 'have'} fewer than ${MIN_ROWS_PER_CLASS} rows: ` +
    `${one ? 'it' : 'each'} cannot be in all of the training, validation and test splits, so the network cannot both learn ${one ? 'it' : 'them'} and be checked on ${one ? 'it' : 'them'}. ` +
    `Training still works; pick another target, or remove ${one ? 'that row' : 'those rows'} from the file, for a fair score.`
  );
}
