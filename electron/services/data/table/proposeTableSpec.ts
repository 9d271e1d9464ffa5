/**
 * A first table spec from an inspection (issue 14): the target (asked for, else the last column that can be one), the
 * task (asked for, else classification for a categorical or few-integer column and regression for other numbers), every
 * other numeric or categorical column as a feature (text columns ignored), missing values filled, and a 70/15/15 split
 * by the seed. Used by `bricks train --data` and, later, by "New from data".
 */
import {
  DEFAULT_DATA_SPLIT,
  type DataTask,
  type FeatureColumn,
  type TableDataSpec,
} from '../../../../shared/data/dataSpec';
import type { TableInspection } from './inspectTable';
import { defaultTargetColumn } from '../../../../shared/data/targetClasses';

export interface ProposeTableSpecOptions {
  /** The target column (default: shared/data/targetClasses.ts defaultTargetColumn — the last column that can be a target, unless one of its classes has a single row). */
  readonly target?: string;
  readonly task?: DataTask;
  /** The feature columns (default: every other numeric or categorical column). */
  readonly features?: readonly string[];
  /** The split seed (default DEFAULT_DATA_SPLIT.seed). */
  readonly seed?: number;
  /** What to record as the path (relative to the .nbrick file where possible; see relativeDataPath). */
  readonly recordedPath: string;
}

export type Proposal = { ok: true; spec: TableDataSpec } | { ok: false; error: string };

export function proposeTableSpec(inspection: TableInspection, options: ProposeTableSpecOptions): Proposal {
  const names = inspection.columns.map((c) => `'${c.name}'`).join(', ');
  const target = options.target
    ? inspection.columns.find((c) => c.name === options.target)
    : defaultTargetColumn(inspection.columns);
  if (!target) {
    return {
      ok: false,
      error: options.target
        ? `${inspection.path} has no column '${options.target}'; its columns are: ${names}`
        : `${inspection.path} has no column that can be a target (a categorical or numeric column); its columns are: ${names}`,
    };
  }
  const task: DataTask = options.task ?? (target.type === 'numeric' && !target.targetTasks.includes('classification') ? 'regression' : 'classification');
  if (task === 'regression' && target.type !== 'numeric') {
    return { ok: false, error: `Column '${target.name}' is ${target.type}, not numeric: it cannot be a regression target` };
  }
  if (task === 'classification' && target.type === 'text') {
    return { ok: false, error: `Column '${target.name}' has ${target.distinct}${target.distinctCapped ? '+' : ''} different values, too many to be classes` };
  }
  for (const name of options.features ?? []) {
    const column = inspection.columns.find((c) => c.name === name);
    if (!column) return { ok: false, error: `${inspection.path} has no column '${name}'; its columns are: ${names}` };
    if (column === target) return { ok: false, error: `Column '${name}' is the target: it cannot also be a feature` };
    if (column.type === 'text') {
      return { ok: false, error: `Column '${name}' is free text (${column.distinct}${column.distinctCapped ? '+' : ''} different values): it cannot be a feature` };
    }
  }
  const features: FeatureColumn[] = inspection.columns
    .filter((c) => (options.features ? options.features.includes(c.name) : c !== target && c.type !== 'text'))
    .map((c) => ({ name: c.name, kind: c.type === 'numeric' ? 'numeric' : 'categorical' }));
  if (features.length === 0) {
    return { ok: false, error: `${inspection.path} has no numeric or categorical column besides the target '${target.name}' to learn from` };
  }
  return {
    ok: true,
    spec: {
      kind: 'table',
      path: options.recordedPath,
      hash: inspection.hash,
      format: inspection.format,
      task,
      target: { name: target.name },
      features,
      missing: { policy: 'fill' },
      split: { ...DEFAULT_DATA_SPLIT, seed: options.seed ?? DEFAULT_DATA_SPLIT.seed },
    },
  };
}
