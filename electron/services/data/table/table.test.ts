import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATA_SPLIT } from '../../../../shared/data/dataSpec';
import { inspectTable } from './inspectTable';
import { applyPreprocessing, loadTable, type TableLoadSpec } from './loadTable';
import { TableError, detectDelimiter, firstInvalidUtf8, readTable } from './readTable';

const fixture = (name: string) => path.resolve(import.meta.dirname, '../fixtures', name);
const tmp = mkdtempSync(path.join(tmpdir(), 'nb-table-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function rowsOf(name: string, options = {}) {
  const rows: (string | number)[][] = [];
  const result = await readTable(fixture(name), options, (cells, line) => rows.push([line, ...cells]));
  return { ...result, rows };
}

async function errorOf(promise: Promise<unknown>): Promise<TableError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TableError);
    return error as TableError;
  }
  throw new Error('expected a TableError');
}

describe('reading tables', () => {
  it('UTF-8 with BOM and CRLF line ends, empty lines skipped but counted', async () => {
    const r = await rowsOf('bom-crlf.csv');
    expect(r.columns).toEqual(['sepal length', 'sepal width', 'species']);
    expect(r.rows).toEqual([
      [2, '5.1', '3.5', 'setosa'],
      [4, '4.9', '3.0', 'setosa'],
      [5, '6.2', '2.9', 'versicolor'],
    ]);
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('quoted fields with delimiters, doubled quotes and line breaks keep line numbers right', async () => {
    const r = await rowsOf('quotes.csv');
    expect(r.rows.map((row) => row[0])).toEqual([2, 3, 4, 8]);
    expect(r.rows[0]![1]).toBe('Smith, John');
    expect(r.rows[1]![1]).toBe('Quote "q" test');
    expect(r.rows[2]![1]).toBe('multi\nline');
  });

  it('detects tab, semicolon and a missing header; overrides win', async () => {
    expect((await rowsOf('tabs.tsv')).format).toEqual({ delimiter: '\t', header: true });
    expect((await rowsOf('semicolon.csv')).format).toEqual({ delimiter: ';', header: true });
    const noHeader = await rowsOf('no-header.csv');
    expect(noHeader.format.header).toBe(false);
    expect(noHeader.columns).toEqual(['column1', 'column2', 'column3']);
    expect(noHeader.rows[0]).toEqual([1, '5.1', '3.5', 'setosa']);
    const forced = await rowsOf('no-header.csv', { header: true });
    expect(forced.columns).toEqual(['5.1', '3.5', 'setosa']);
    expect(detectDelimiter('a|b|c\n1|2|3\n')).toBe('|');
    expect(detectDelimiter('just one column\nvalue\n')).toBe(',');
  });

  it('non-UTF-8 bytes: the file, byte offset and line are named (in the sniffed start and further in)', async () => {
    const e = await errorOf(rowsOf('latin1.csv'));
    expect(e.kind).toBe('unusable');
    expect(e.message).toMatch(/latin1\.csv is not UTF-8 text: invalid byte at offset 25 \(line 3\)/);
    const big = path.join(tmp, 'late-latin1.csv');
    const good = 'x,y\n' + '1,2\n'.repeat(50_000); // 200 kB, past the sniffed start and the first read chunk
    writeFileSync(big, Buffer.concat([Buffer.from(good), Buffer.from([0x33, 0x2c, 0xe9, 0x0a])]));
    const late = await errorOf(rowsOf(big));
    expect(late.message).toContain(`invalid byte at offset ${good.length + 2} (line 50002)`);
  });

  it('ragged rows, unterminated quotes, empty and missing files', async () => {
    expect((await errorOf(rowsOf('ragged.csv'))).message).toMatch(/ragged\.csv line 3 has 4 fields but the header has 3/);
    const quote = path.join(tmp, 'quote.csv');
    writeFileSync(quote, 'a,b\n1,"open\n2,3\n');
    expect((await errorOf(rowsOf(quote))).message).toMatch(/line 2: a quoted field is opened but never closed/);
    const empty = path.join(tmp, 'empty.csv');
    writeFileSync(empty, '');
    expect((await errorOf(rowsOf(empty))).message).toMatch(/empty/);
    const missing = await errorOf(rowsOf(path.join(tmp, 'nope.csv')));
    expect(missing.kind).toBe('unusable');
    expect(missing.message).toMatch(/No such file/);
  });

  it('firstInvalidUtf8 finds overlong, surrogate and truncated sequences', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo €'))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xe2, 0x82]), 0, true)).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xe2, 0x82]), 0, false)).toBe(-1);
  });
});

describe('inspectTable', () => {
  it('infers numeric, categorical and text columns with statistics', async () => {
    const t = await inspectTable(fixture('quotes.csv'));
    const [name, price, city, rating] = t.columns;
    expect(name?.type).toBe('text');
    expect(price).toMatchObject({ type: 'numeric', count: 3, missing: 1, min: 3.25, max: 12.5 });
    expect(price?.mean).toBeCloseTo((12.5 + 7 + 3.25) / 3, 10);
    expect(price?.histogram?.counts.reduce((a, b) => a + b)).toBe(3);
    expect(price?.histogram?.counts).toHaveLength(20);
    expect(city).toMatchObject({ type: 'categorical', distinct: 2, valueCounts: [{ value: 'Bergen', count: 2 }, { value: 'Oslo', count: 2 }] });
    expect(rating).toMatchObject({ type: 'numeric', missing: 1, integer: true });
    expect(t.rows).toBe(4);
    expect(t.problemCount).toBe(0);
  });

  it('a text cell in a numeric column is a problem with its line and column', async () => {
    const t = await inspectTable(fixture('bad-cell.csv'));
    expect(t.columns[1]?.type).toBe('numeric');
    expect(t.problemCount).toBe(1);
    expect(t.problems[0]).toMatchObject({ line: 5, column: 'y', value: 'oops' });
    expect(t.problems[0]?.message).toMatch(/line 5, column 'y': 'oops' is not a number/);
  });

  it('counts every missing marker', async () => {
    const t = await inspectTable(fixture('missing.csv'));
    expect(t.columns.map((c) => c.missing)).toEqual([1, 2, 1]);
  });
});

const penguinsLike = (over: Partial<TableLoadSpec> = {}): TableLoadSpec => ({
  kind: 'table',
  path: 'mixed.csv',
  task: 'classification',
  target: { name: 'label' },
  features: [
    { name: 'x', kind: 'numeric' },
    { name: 'colour', kind: 'categorical' },
  ],
  missing: { policy: 'fill' },
  split: { train: 0.6, val: 0.2, test: 0.2, seed: 3 },
  ...over,
});

describe('loadTable', () => {
  const mixed = path.join(tmp, 'mixed.csv');
  const lines = ['x,colour,label,notes'];
  for (let i = 0; i < 100; i++) lines.push(`${i},${['red', 'green', 'blue'][i % 3]},${i % 2 === 0 ? 'even' : 'odd'},n${i}`);
  lines[11] = '10,NA,even,n10'; // a missing category (row index 10)
  lines[21] = '?,green,even,n20'; // a missing number
  lines[31] = '30,red,,n30'; // a missing target: always dropped
  writeFileSync(mixed, lines.join('\r\n'));

  it('splits by seed, fits standardisation and one-hot on the training split, fills and counts missing values', async () => {
    const t = await loadTable(mixed, penguinsLike());
    expect(t.spec.rows).toEqual({ train: 59, val: 20, test: 20 });
    expect(t.spec.missing).toEqual({ policy: 'fill', droppedRows: 1, filledCells: { x: 1, colour: 1 } });
    expect(t.spec.target.classes).toEqual(['even', 'odd']);
    const [x, colour] = t.spec.features;
    expect(colour).toMatchObject({ kind: 'categorical', categories: ['blue', 'green', 'red'] });
    expect(t.featureCount).toBe(4);
    expect(t.featureNames).toEqual(['x', 'colour=blue', 'colour=green', 'colour=red']);
    // The training split's standardised x has mean 0 and std 1 (a filled cell sits exactly at the mean, so slightly < 1).
    const xs = Array.from({ length: t.train.count }, (_, i) => t.train.x[i * 4]!);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(mean).toBeCloseTo(0, 5);
    expect(sd).toBeGreaterThan(0.98);
    expect(sd).toBeLessThanOrEqual(1 + 1e-6);
    if (x?.kind === 'numeric') expect(x.fill).toBe(x.mean);
    // One-hot rows have exactly one 1 (a missing category is filled with the most frequent one).
    for (let i = 0; i < t.train.count; i++) expect(t.train.x[i * 4 + 1]! + t.train.x[i * 4 + 2]! + t.train.x[i * 4 + 3]!).toBe(1);
    // Same seed, same split and bytes; another seed, another split.
    const again = await loadTable(mixed, penguinsLike());
    expect(again.train.x).toEqual(t.train.x);
    const other = await loadTable(mixed, penguinsLike({ split: { ...DEFAULT_DATA_SPLIT, seed: 4 } }));
    expect(other.train.labels).not.toEqual(t.train.labels);
  });

  it('drop policy removes rows with any missing feature', async () => {
    const t = await loadTable(mixed, penguinsLike({ missing: { policy: 'drop' } }));
    expect(t.spec.missing).toEqual({ policy: 'drop', droppedRows: 3 });
    expect(t.train.count + t.val.count + t.test.count).toBe(97);
  });

  it('loading with the fitted spec reproduces the encoding; applyPreprocessing encodes new rows the same way', async () => {
    const t = await loadTable(mixed, penguinsLike());
    const again = await loadTable(mixed, t.spec);
    expect(again.spec).toEqual(t.spec);
    expect(again.test.x).toEqual(t.test.x);
    const x = applyPreprocessing(['colour', 'x'], [['green', '50'], ['purple', 'NA']], t.spec);
    const f = t.spec.features[0]!;
    const expected0 = f.kind === 'numeric' ? (50 - f.mean!) / f.std! : 0;
    expect(x[0]).toBeCloseTo(expected0, 5);
    expect(Array.from(x.subarray(1, 4))).toEqual([0, 1, 0]);
    expect(x[4]).toBeCloseTo(0, 6); // filled with the mean
    expect(Array.from(x.subarray(5, 8))).toEqual([0, 0, 0]); // an unseen category: all zeros
    expect(() => applyPreprocessing(['colour', 'x'], [['red', 'abc']], t.spec, { firstLine: 7 })).toThrow(/line 7, column 'x': 'abc' is not a number/);
  });

  it('a changed file is refused unless allowed', async () => {
    const t = await loadTable(mixed, penguinsLike());
    const copy = path.join(tmp, 'changed.csv');
    writeFileSync(copy, lines.join('\n'));
    expect((await errorOf(loadTable(copy, t.spec))).message).toMatch(/changed since the graph file recorded it/);
    expect((await loadTable(copy, t.spec, { allowChanged: true })).changed).toBe(true);
  });

  it('a bad cell names its line and column; a missing column lists the columns', async () => {
    const spec: TableLoadSpec = { ...penguinsLike(), features: [{ name: 'x', kind: 'numeric' }, { name: 'y', kind: 'numeric' }] };
    const e = await errorOf(loadTable(fixture('bad-cell.csv'), spec));
    expect(e).toMatchObject({ kind: 'bad-cell', line: 5, column: 'y' });
    expect(e.message).toBe(`bad-cell.csv line 5, column 'y': 'oops' is not a number (missing values may be written as an empty cell, NA, N/A, NaN, null or ?)`);
    const m = await errorOf(loadTable(fixture('bad-cell.csv'), { ...spec, target: { name: 'klass' } }));
    expect(m.message).toBe(`bad-cell.csv has no column 'klass' (the target); its columns are: 'x', 'y', 'label'`);
  });

  it('regression: targets standardised with training mean/std, recorded in the spec', async () => {
    const t = await loadTable(fixture('semicolon.csv'), {
      ...penguinsLike(),
      task: 'regression',
      target: { name: 'breite' },
      features: [{ name: 'hoehe', kind: 'numeric' }],
      split: { train: 1, val: 0, test: 0, seed: 1 },
    });
    expect(t.spec.target).toEqual({ name: 'breite', mean: 3, std: 1 });
    expect(Array.from(t.train.targets!).sort()).toEqual([-1, 0, 1]);
    expect(t.train.labels.length).toBe(0);
  });
});
