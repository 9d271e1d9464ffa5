/**
 * A CSV/TSV table as a training dataset (issue 14): one streaming pass keeps the chosen columns as typed-array blocks
 * (numbers as Float32, categories as Int32 codes — never arrays of row objects), then the rows are split by the spec's
 * seed, the preprocessing is fitted on the training split only (standardisation of numeric features, one-hot categories,
 * fill values, the class list), and every split is encoded into one Float32Array of features plus labels (Int32 class
 * indices) or targets (Float32, standardised regression values).
 *
 * The returned spec records everything fitted, so loading again with it — or {@link applyPreprocessing} on new rows —
 * encodes exactly the same way. A bad cell (text in a numeric column that is not a missing marker, an unknown class when
 * the classes are fixed) stops loading with a TableError naming the line and the column.
 */
import { basename } from 'node:path';
import {
  isMissingMarker,
  type CategoricalFeature,
  type DataSplitSpec,
  type FeatureColumn,
  type MissingPolicy,
  type NumericFeature,
  type SplitCounts,
  type TableDataSpec,
  type TableFormat,
} from '../../../../shared/data/dataSpec';
import { createSeededRandom, seededPermutation } from '../../datasets/seededRandom';
import { parseNumber, readTable, TableError, type TableProgressListener } from './readTable';
import { MISSING_HINT } from './inspectTable';

/** What loading needs: a spec before fitting may leave out the hash, format, fitted statistics and counts. */
export type TableLoadSpec = Omit<TableDataSpec, 'hash' | 'format' | 'rows'> & {
  readonly hash?: string;
  readonly format?: TableFormat;
};

export interface TableLoadOptions {
  readonly onProgress?: TableProgressListener;
  readonly signal?: AbortSignal;
  /** Fit every statistic again even when the spec has them (a new run on changed data). Default: keep fitted ones. */
  readonly refit?: boolean;
  /** Load even when the file's hash differs from `spec.hash` (statistics are then refitted). Default: refuse. */
  readonly allowChanged?: boolean;
}

export interface TableSplit {
  /** `count` rows × `featureCount` values, row-major. */
  readonly x: Float32Array;
  /** Classification: class index per row (empty for regression). */
  readonly labels: Int32Array;
  /** Regression: the standardised target per row, (y − target.mean) / target.std. */
  readonly targets?: Float32Array;
  readonly count: number;
}

export interface LoadedTable {
  /** The spec with everything fitted and counted: hash, format, statistics, classes, missing counts, rows. */
  readonly spec: TableDataSpec;
  readonly featureCount: number;
  /** Names of the encoded features in order (`island=Biscoe` for one-hot slots). */
  readonly featureNames: readonly string[];
  readonly train: TableSplit;
  readonly val: TableSplit;
  readonly test: TableSplit;
  /** The file's hash differed from the spec's (only with allowChanged). */
  readonly changed: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Growing typed-array blocks

const BLOCK = 65_536;

class Blocks<T extends Float32Array | Float64Array | Int32Array | Uint8Array> {
  private readonly blocks: T[] = [];
  length = 0;
  constructor(private readonly make: (n: number) => T) {}
  push(value: number): void {
    const at = this.length % BLOCK;
    if (at === 0) this.blocks.push(this.make(BLOCK));
    this.blocks[this.blocks.length - 1]![at] = value;
    this.length++;
  }
  get(i: number): number {
    return this.blocks[Math.floor(i / BLOCK)]![i % BLOCK]!;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The per-cell transforms (shared by loading and applyPreprocessing so both encode identically)

function scaleOf(std: number | undefined): number {
  return std !== undefined && std > 0 ? std : 1;
}

export function standardise(value: number, feature: NumericFeature): number {
  return (value - (feature.mean ?? 0)) / scaleOf(feature.std);
}

/** Width of one categorical feature's one-hot block. */
function widthOf(feature: FeatureColumn): number {
  return feature.kind === 'numeric' ? 1 : feature.categories!.length;
}

export function encodedFeatureNames(features: readonly FeatureColumn[]): string[] {
  return features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.categories!.map((c) => `${f.name}=${c}`)));
}

function badNumber(file: string, line: number, column: string, cell: string): TableError {
  return new TableError(
    `${file} line ${line}, column '${column}': '${cell.trim()}' is not a number (missing values may be written ${MISSING_HINT})`,
    'bad-cell',
    file,
    line,
    column,
  );
}

/** Sorts labels numerically when every one is a number, else by text. */
function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => parseNumber(l) !== undefined);
  return labels.sort((a, b) => (numeric ? parseNumber(a)! - parseNumber(b)! : a < b ? -1 : a > b ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------

interface NumericStore {
  readonly feature: NumericFeature;
  readonly values: Blocks<Float32Array>;
}
interface CategoricalStore {
  readonly feature: CategoricalFeature;
  readonly codes: Blocks<Int32Array>;
  readonly dictionary: Map<string, number>;
}
type Store = { index: number } & ({ kind: 'numeric'; s: NumericStore } | { kind: 'categorical'; s: CategoricalStore });

function splitSizes(n: number, split: DataSplitSpec): SplitCounts {
  const val = Math.round(n * split.val);
  const test = Math.round(n * split.test);
  return { train: n - val - test, val, test };
}

/**
 * Loads the table at `path` (absolute) as the spec describes it. Throws TableError for unreadable files, missing
 * columns, bad cells (line and column named), a changed file (unless allowed) and splits left empty.
 */
export async function loadTable(path: string, spec: TableLoadSpec, options: TableLoadOptions = {}): Promise<LoadedTable> {
  const file = basename(path);
  const refit = options.refit === true;
  const policy: MissingPolicy = spec.missing.policy;
  const regression = spec.task === 'regression';
  const fixedClasses = !refit && !regression ? spec.target.classes : undefined;
  const classIndex = new Map(fixedClasses?.map((c, i) => [c, i]));

  let stores: Store[] = [];
  let targetIndex = -1;
  const targetCodes = new Blocks((n) => new Int32Array(n));
  const targetValues = new Blocks((n) => new Float64Array(n));
  const targetDictionary = new Map<string, number>();
  const rowFlags = new Blocks((n) => new Uint8Array(n)); // 1 = target missing, 2 = some feature missing
  const lines = new Blocks((n) => new Int32Array(n));

  const read = await readTable(
    path,
    spec.format ?? {},
    (cells, line) => {
      let flags = 0;
      const targetCell = cells[targetIndex]!;
      if (isMissingMarker(targetCell)) {
        flags |= 1;
        targetCodes.push(-1);
        targetValues.push(Number.NaN);
      } else if (regression) {
        const value = parseNumber(targetCell);
        if (value === undefined) throw badNumber(file, line, spec.target.name, targetCell);
        targetValues.push(value);
        targetCodes.push(-1);
      } else {
        const label = targetCell.trim();
        let code: number | undefined;
        if (fixedClasses) {
          code = classIndex.get(label);
          if (code === undefined) {
            throw new TableError(
              `${file} line ${line}, column '${spec.target.name}': class '${label}' is not one of the ${fixedClasses.length} classes the model was trained on (${fixedClasses.join(', ')})`,
              'bad-cell',
              path,
              line,
              spec.target.name,
            );
          }
        } else {
          code = targetDictionary.get(label);
          if (code === undefined) targetDictionary.set(label, (code = targetDictionary.size));
        }
        targetCodes.push(code);
        targetValues.push(Number.NaN);
      }
      for (const store of stores) {
        const cell = cells[store.index]!;
        if (store.kind === 'numeric') {
          if (isMissingMarker(cell)) {
            flags |= 2;
            store.s.values.push(Number.NaN);
          } else {
            const value = parseNumber(cell);
            if (value === undefined) throw badNumber(file, line, store.s.feature.name, cell);
            store.s.values.push(value);
          }
        } else if (isMissingMarker(cell)) {
          flags |= 2;
          store.s.codes.push(-1);
        } else {
          const key = cell.trim();
          let code = store.s.dictionary.get(key);
          if (code === undefined) store.s.dictionary.set(key, (code = store.s.dictionary.size));
          store.s.codes.push(code);
        }
      }
      rowFlags.push(flags);
      lines.push(line);
    },
    options.onProgress,
    options.signal,
    (columns) => {
      const where = (name: string, role: string) => {
        const index = columns.indexOf(name);
        if (index < 0) {
          throw new TableError(
            `${file} has no column '${name}' (the ${role}); its columns are: ${columns.map((c) => `'${c}'`).join(', ')}`,
            'bad-cell',
            path,
            undefined,
            name,
          );
        }
        return index;
      };
      targetIndex = where(spec.target.name, 'target');
      stores = spec.features.map((feature): Store => {
        const index = where(feature.name, 'feature');
        if (index === targetIndex) {
          throw new TableError(`Column '${feature.name}' cannot be both the target and a feature`, 'bad-cell', path, undefined, feature.name);
        }
        return feature.kind === 'numeric'
          ? { index, kind: 'numeric', s: { feature, values: new Blocks((n) => new Float32Array(n)) } }
          : { index, kind: 'categorical', s: { feature, codes: new Blocks((n) => new Int32Array(n)), dictionary: new Map() } };
      });
    },
  );

  const changed = spec.hash !== undefined && spec.hash !== read.hash;
  if (changed && !options.allowChanged) {
    throw new TableError(
      `${file} changed since the graph file recorded it (content hash ${read.hash.slice(0, 12)}… instead of ${spec.hash!.slice(0, 12)}…)`,
      'unusable',
      path,
    );
  }
  const fit = refit || changed;

  // Which rows are usable, and which split each goes to (a seeded permutation of the usable rows).
  const total = rowFlags.length;
  const usable: number[] = [];
  let droppedRows = 0;
  for (let i = 0; i < total; i++) {
    const flags = rowFlags.get(i);
    if ((flags & 1) !== 0 || (policy === 'drop' && (flags & 2) !== 0)) droppedRows++;
    else usable.push(i);
  }
  const n = usable.length;
  const sizes = splitSizes(n, spec.split);
  if (sizes.train < 1) {
    throw new TableError(
      `${file} has ${n} usable row${n === 1 ? '' : 's'} (${droppedRows} dropped for missing values): too few to train on`,
      'unusable',
      path,
    );
  }
  const order = seededPermutation(n, createSeededRandom(`neural-bricks/data-split:${spec.split.seed}`));
  const splitOf = new Uint8Array(total).fill(255); // 0 train, 1 val, 2 test, 255 dropped
  for (let k = 0; k < n; k++) {
    const p = order[k]!;
    splitOf[usable[p]!] = k < sizes.train ? 0 : k < sizes.train + sizes.val ? 1 : 2;
  }

  // Fit on the training split only.
  const filledCells: Record<string, number> = {};
  const features: FeatureColumn[] = stores.map((store) => {
    if (store.kind === 'numeric') {
      const f = store.s.feature;
      let missing = 0;
      let count = 0;
      let mean = 0;
      let m2 = 0;
      for (let i = 0; i < total; i++) {
        if (splitOf[i] === 255) continue;
        const v = store.s.values.get(i);
        if (Number.isNaN(v)) {
          missing++;
          continue;
        }
        if (splitOf[i] !== 0) continue;
        count++;
        const d = v - mean;
        mean += d / count;
        m2 += d * (v - mean);
      }
      if (missing > 0) filledCells[f.name] = missing;
      if (!fit && f.mean !== undefined && f.std !== undefined) return { ...f, fill: f.fill ?? f.mean };
      if (count === 0) {
        throw new TableError(`Column '${f.name}' has no values in the training split`, 'unusable', path, undefined, f.name);
      }
      const std = count > 1 ? Math.sqrt(m2 / (count - 1)) : 0;
      return { name: f.name, kind: 'numeric', mean, std, fill: mean };
    }
    const f = store.s.feature;
    const names = [...store.s.dictionary.keys()];
    const trainCounts = new Float64Array(names.length);
    let missing = 0;
    for (let i = 0; i < total; i++) {
      if (splitOf[i] === 255) continue;
      const code = store.s.codes.get(i);
      if (code < 0) missing++;
      else if (splitOf[i] === 0) trainCounts[code]!++;
    }
    if (missing > 0) filledCells[f.name] = missing;
    if (!fit && f.categories !== undefined) return { ...f, fill: f.fill ?? f.categories[0]! };
    const categories = names.filter((_, code) => trainCounts[code]! > 0).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (categories.length === 0) {
      throw new TableError(`Column '${f.name}' has no values in the training split`, 'unusable', path, undefined, f.name);
    }
    let fill = categories[0]!;
    let best = -1;
    for (const c of categories) {
      const times = trainCounts[store.s.dictionary.get(c)!]!;
      if (times > best) [best, fill] = [times, c];
    }
    return { name: f.name, kind: 'categorical', categories, fill };
  });

  // The target: classes (label map) or the regression scale.
  let classes: string[] | undefined = fixedClasses ? [...fixedClasses] : undefined;
  let codeToClass: Int32Array | undefined;
  if (!regression && !fixedClasses) {
    classes = sortLabels([...targetDictionary.keys()]);
    codeToClass = new Int32Array(targetDictionary.size);
    for (const [label, code] of targetDictionary) codeToClass[code] = classes.indexOf(label);
    if (classes.length < 2) {
      throw new TableError(
        `Target column '${spec.target.name}' has ${classes.length === 0 ? 'no values' : `only one class ('${classes[0]}')`}: classification needs at least 2`,
        'unusable',
        path,
        undefined,
        spec.target.name,
      );
    }
  }
  let targetMean = spec.target.mean;
  let targetStd = spec.target.std;
  if (regression && (fit || targetMean === undefined || targetStd === undefined)) {
    let count = 0;
    let mean = 0;
    let m2 = 0;
    for (let i = 0; i < total; i++) {
      if (splitOf[i] !== 0) continue;
      const v = targetValues.get(i);
      count++;
      const d = v - mean;
      mean += d / count;
      m2 += d * (v - mean);
    }
    targetMean = mean;
    targetStd = count > 1 ? Math.sqrt(m2 / (count - 1)) : 0;
  }
  const target = regression
    ? { name: spec.target.name, mean: targetMean!, std: targetStd! }
    : { name: spec.target.name, classes: classes! };

  // Encode every split.
  const featureCount = features.reduce((sum, f) => sum + widthOf(f), 0);
  const make = (count: number): { x: Float32Array; labels: Int32Array; targets?: Float32Array; count: number } => ({
    x: new Float32Array(count * featureCount),
    labels: new Int32Array(regression ? 0 : count),
    ...(regression ? { targets: new Float32Array(count) } : {}),
    count,
  });
  const splits = [make(sizes.train), make(sizes.val), make(sizes.test)];
  const filled = [0, 0, 0];
  // Per categorical column: dictionary code → one-hot slot (−1: not a training category → all zeros).
  const slots = stores.map((store, j) => {
    if (store.kind !== 'categorical') return undefined;
    const f = features[j] as CategoricalFeature;
    const position = new Map(f.categories!.map((c, k) => [c, k]));
    const map = new Int32Array(store.s.dictionary.size).fill(-1);
    for (const [name, code] of store.s.dictionary) map[code] = position.get(name) ?? -1;
    return { map, fill: position.get(f.fill!) ?? -1 };
  });
  const scale = scaleOf(targetStd);
  for (let i = 0; i < total; i++) {
    const s = splitOf[i]!;
    if (s === 255) continue;
    const split = splits[s]!;
    const row = filled[s]!++;
    let at = row * featureCount;
    for (let j = 0; j < stores.length; j++) {
      const store = stores[j]!;
      if (store.kind === 'numeric') {
        const f = features[j] as NumericFeature;
        const v = store.s.values.get(i);
        split.x[at++] = standardise(Number.isNaN(v) ? f.fill! : v, f);
      } else {
        const { map, fill } = slots[j]!;
        const code = store.s.codes.get(i);
        const slot = code < 0 ? fill : map[code]!;
        if (slot >= 0) split.x[at + slot] = 1;
        at += (features[j] as CategoricalFeature).categories!.length;
      }
    }
    if (regression) split.targets![row] = (targetValues.get(i) - targetMean!) / scale;
    else {
      const code = targetCodes.get(i);
      split.labels[row] = codeToClass ? codeToClass[code]! : code;
    }
  }

  const fitted: TableDataSpec = {
    kind: 'table',
    path: spec.path,
    hash: read.hash,
    format: read.format,
    task: spec.task,
    target,
    features,
    missing: {
      policy,
      droppedRows,
      ...(policy === 'fill' && Object.keys(filledCells).length > 0 ? { filledCells } : {}),
    },
    split: spec.split,
    rows: sizes,
  };
  return {
    spec: fitted,
    featureCount,
    featureNames: encodedFeatureNames(features),
    train: splits[0]!,
    val: splits[1]!,
    test: splits[2]!,
    changed,
  };
}

/**
 * Encodes rows the way a fitted spec says (for evaluation and prediction on new data): `columns` names the cells of each
 * row (a header), `rows` are the cells as text. Missing features are filled (policy `fill`) or refused (`drop`); a bad
 * cell throws TableError naming its line (`firstLine` + row index) and column.
 */
export function applyPreprocessing(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  spec: TableDataSpec,
  options: { readonly firstLine?: number; readonly file?: string; /** Line number of each row (overrides firstLine). */ readonly lines?: ArrayLike<number> } = {},
): Float32Array {
  const file = options.file ?? 'input';
  const featureCount = spec.features.reduce((sum, f) => {
    if (f.kind === 'categorical' && !f.categories) throw new Error(`Column '${f.name}' has no fitted categories: load the table first`);
    if (f.kind === 'numeric' && (f.mean === undefined || f.std === undefined)) {
      throw new Error(`Column '${f.name}' has no fitted mean/std: load the table first`);
    }
    return sum + widthOf(f);
  }, 0);
  const indices = spec.features.map((f) => {
    const index = columns.indexOf(f.name);
    if (index < 0) throw new TableError(`${file} has no column '${f.name}' (a feature of the model)`, 'bad-cell', file, undefined, f.name);
    return index;
  });
  const x = new Float32Array(rows.length * featureCount);
  rows.forEach((cells, r) => {
    const line = options.lines?.[r] ?? (options.firstLine ?? 1) + r;
    let at = r * featureCount;
    spec.features.forEach((f, j) => {
      const cell = cells[indices[j]!] ?? '';
      const missing = isMissingMarker(cell);
      if (missing && spec.missing.policy === 'drop') {
        throw new TableError(`${file} line ${line}, column '${f.name}': the value is missing and the missing-value policy is 'drop'`, 'bad-cell', file, line, f.name);
      }
      if (f.kind === 'numeric') {
        const value = missing ? (f.fill ?? f.mean!) : parseNumber(cell);
        if (value === undefined) throw badNumber(file, line, f.name, cell);
        x[at++] = standardise(value, f);
      } else {
        const slot = f.categories!.indexOf(missing ? f.fill ?? '' : cell.trim());
        if (slot >= 0) x[at + slot] = 1;
        at += f.categories!.length;
      }
    });
  });
  return x;
}
