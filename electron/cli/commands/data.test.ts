import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraphFile } from '../../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { chainGraph } from '../../services/training/referenceGraphs';
import { runCli } from '../testing/runCli';
import { readdirSync, readFileSync } from 'node:fs';

const fixtures = path.resolve(import.meta.dirname, '../../services/data/fixtures');
const fixture = (name: string) => path.join(fixtures, name);
const dir = mkdtempSync(path.join(tmpdir(), 'nb-cli-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A graph file Input(vector `features`) → [hidden] → Output(task, units) beside the data. */
function graphFile(name: string, features: number, task: 'classification' | 'regression', units: number, hidden?: number): string {
  const bricks: Parameters<typeof chainGraph>[1] = [
    ['input', 'Input', { kind: 'vector', size: features }],
    ...(hidden ? ([['hidden', 'Dense', { units: hidden, activation: 'relu' }]] as const) : []),
    ['output', 'Output', { task, units }],
  ];
  const file = path.join(dir, name);
  const training = { dataset: 'xor', optimizer: 'adam' as const, learningRate: 0.05, batchSize: 16, epochs: 5, validationSplit: 0.2, shuffle: true, seed: 1, backend: 'cpu' as const };
  writeFileSync(file, serializeGraphFile(createGraphFile(chainGraph(name, bricks), { training })));
  return file;
}

/** 60 rows: two numeric features, a colour, a class by the sign of x − y, and a price. */
function writeSmallTable(): string {
  const lines = ['x,y,colour,price,label'];
  for (let i = 0; i < 60; i++) {
    const x = Math.sin(i * 1.3) * 3;
    const y = Math.cos(i * 0.7) * 3;
    lines.push(`${x.toFixed(3)},${y.toFixed(3)},${['red', 'blue', 'green'][i % 3]},${(100 + 10 * x - 5 * y).toFixed(2)},${x > y ? 'up' : 'down'}`);
  }
  const file = path.join(dir, 'small.csv');
  writeFileSync(file, lines.join('\n'));
  return file;
}
const small = writeSmallTable();

describe('bricks data import', () => {
  it('copies a table and an image folder into <workspace>/data, numbering a taken name; refusals exit 2 leaving nothing', async () => {
    // Its own folder: `dir` must stay a folder without images (inspecting it is a test below).
    const workspace = mkdtempSync(path.join(tmpdir(), 'nb-cli-import-'));
    const table = await runCli('data', 'import', fixture('semicolon.csv'), '--workspace', workspace);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toBe(`Imported ${fixture('semicolon.csv')} into ${path.join(workspace, 'data', 'semicolon.csv')} (1 file, ${readFileSync(fixture('semicolon.csv')).byteLength} bytes)\n`);
    const again = JSON.parse((await runCli('data', 'import', fixture('semicolon.csv'), '--workspace', workspace, '--json')).out) as { path: string; name: string };
    expect(again).toMatchObject({ name: 'semicolon-2.csv', path: path.join(workspace, 'data', 'semicolon-2.csv') });
    const folder = JSON.parse((await runCli('data', 'import', path.join(fixtures, 'images', 'nasty'), '--workspace', workspace, '--name', 'pets', '--json')).out) as { files: number; path: string };
    expect(folder.path).toBe(path.join(workspace, 'data', 'pets'));
    expect(readFileSync(path.join(folder.path, 'cat', 'indoor', 'nested.png'))).toEqual(readFileSync(path.join(fixtures, 'images', 'nasty', 'cat', 'indoor', 'nested.png')));

    const escape = await runCli('data', 'import', fixture('semicolon.csv'), '--workspace', workspace, '--name', '../escape.csv');
    expect(escape.code).toBe(2);
    expect(escape.err).toMatch(/^bricks data import: Cannot import as '\.\.\/escape\.csv'/);
    const missing = await runCli('data', 'import', path.join(dir, 'nope.csv'), '--workspace', workspace);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/No file or folder at .*nope\.csv/);
    expect(readdirSync(path.join(workspace, 'data')).sort()).toEqual(['pets', 'semicolon-2.csv', 'semicolon.csv']);
    expect(readdirSync(workspace)).toEqual(['data']);
    rmSync(workspace, { recursive: true, force: true });
  });
});

describe('bricks data inspect', () => {
  it('--json describes the columns; exit 0 without problems', async () => {
    const r = await runCli('data', 'inspect', fixture('bom-crlf.csv'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out).toMatchObject({ kind: 'table', rows: 3, format: { delimiter: ',', header: true } });
    expect(out.columns.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([
      ['sepal length', 'numeric'],
      ['sepal width', 'numeric'],
      ['species', 'categorical'],
    ]);
    expect(out.columns[0].histogram.counts).toHaveLength(20);
  });

  it('a bad cell: exit 1 with the line number and column name', async () => {
    const r = await runCli('data', 'inspect', fixture('bad-cell.csv'));
    expect(r.code).toBe(1);
    expect(r.out).toContain("line 5, column 'y': 'oops' is not a number");
    const json = await runCli('data', 'inspect', fixture('bad-cell.csv'), '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).problems[0]).toMatchObject({ line: 5, column: 'y', value: 'oops' });
  });

  it('missing path, non-UTF-8 text, a folder: exit 2 with a clear message', async () => {
    const missing = await runCli('data', 'inspect', path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/No such file: .*nope\.csv/);
    const latin1 = await runCli('data', 'inspect', fixture('latin1.csv'));
    expect(latin1.code).toBe(2);
    expect(latin1.err).toMatch(/latin1\.csv is not UTF-8 text: invalid byte at offset 25 \(line 3\)/);
    expect((await runCli('data', 'inspect', dir)).code).toBe(2);
  });

  it('--delimiter and --no-header override detection', async () => {
    const r = await runCli('data', 'inspect', fixture('semicolon.csv'), '--json', '--delimiter', ',', '--no-header');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.format).toEqual({ delimiter: ',', header: false });
    expect(out.columns).toHaveLength(1);
  });
});

describe('bricks train --data', () => {
  it('trains a classifier on a CSV and records the data spec and hash with --record', async () => {
    const file = graphFile('classify.nbrick', 2 + 3 + 1, 'classification', 2);
    // price is numeric: a feature too (x, y, price + 3 colours = 6 inputs).
    const r = await runCli('train', file, '--data', small, '--target', 'label', '--epochs', '20', '--record', '--no-progress');
    expect(r.err).toContain("small.csv: predicting classes of 'label' (2: down, up) from 4 columns (6 inputs after one-hot)");
    expect(r.code).toBe(0);
    const saved = loadGraphFile(readFileSync(file, 'utf8'));
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    const run = saved.file.runs!.at(-1)!;
    expect(run.config.data).toMatchObject({ kind: 'table', path: 'small.csv', target: { name: 'label', classes: ['down', 'up'] } });
    expect(run.data?.hash).toBe(run.config.data?.hash);
    expect(run.final.testAccuracy).toBeGreaterThan(0.7);
    // bricks evaluate rebuilds the same test split with the recorded preprocessing: the same accuracy.
    const evaluated = await runCli('evaluate', file, '--json');
    expect(evaluated.code, evaluated.err).toBe(0);
    const evaluation = JSON.parse(evaluated.out);
    expect(evaluation.sampleCount).toBe(9);
    expect(evaluation.labels).toEqual(['down', 'up']);
    expect(evaluation.accuracy).toBeCloseTo(run.final.testAccuracy!, 10);
    // bricks predict takes rows of the table as CSV (target column optional) and names the predicted class.
    const rows = path.join(dir, 'new-rows.csv');
    writeFileSync(rows, 'colour,y,x,price\nred,-2,2,130\n\ngreen,2,-2,70\n');
    const out = path.join(dir, 'predicted.csv');
    const predicted = await runCli('predict', file, '--input', rows, '--output', out);
    expect(predicted.code, predicted.err).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('predicted label,p(down),p(up)');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['up', 'down']);
    writeFileSync(rows, 'colour,y,x,price\nred,-2,2,130\n\ngreen,two,-2,70\n');
    const bad = await runCli('predict', file, '--input', rows, '--output', out);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("new-rows.csv line 4, column 'y': 'two' is not a number");
    // Once the data changes, evaluating the run is refused as unusable (its hash no longer matches).
    const original = readFileSync(small, 'utf8');
    try {
      writeFileSync(small, original.replace('\n', '\n0,0,red,100,up\n'));
      const changed = await runCli('evaluate', file);
      expect(changed.code).toBe(2);
      expect(changed.err).toContain('small.csv changed since the graph file recorded it');
    } finally {
      writeFileSync(small, original);
    }
  });

  it('a numeric target means regression: the spec records its mean and std (losses are in its units)', async () => {
    // x, y, 3 colours and 2 labels one-hot.
    const file = graphFile('regress.nbrick', 2 + 3 + 2, 'regression', 1);
    const r = await runCli('train', file, '--data', small, '--target', 'price', '--json', '--epochs', '10', '--record');
    expect(r.code, r.err).toBe(0);
    const summary = r.out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'summary').summary;
    expect(summary.config.data.task).toBe('regression');
    expect(summary.config.data.target.std).toBeGreaterThan(10);
    // The evaluation's RMSE is in price units and squares to the run's recorded test loss (MSE in those units).
    const evaluated = await runCli('evaluate', file, '--json');
    expect(evaluated.code, evaluated.err).toBe(0);
    const rmse = JSON.parse(evaluated.out).metrics.average.rootMeanSquaredError;
    expect(rmse ** 2 / summary.final.testLoss).toBeCloseTo(1, 3);
    // Predictions come back in price units (about 100 ± 50 for this table, not standardised values near 0).
    const out = path.join(dir, 'prices.json');
    expect((await runCli('predict', file, '--input', small, '--output', out)).code).toBe(0);
    const prices = (JSON.parse(readFileSync(out, 'utf8')) as number[][]).map((p) => p[0]!);
    expect(prices).toHaveLength(60);
    expect(prices.reduce((a, b) => a + b) / prices.length).toBeGreaterThan(60);
  });

  it('--no-header and --delimiter override detection for training too', async () => {
    const file = graphFile('noheader.nbrick', 2, 'classification', 2);
    const r = await runCli('train', file, '--data', fixture('no-header.csv'), '--no-header', '--delimiter', ',', '--target', 'column3', '--json', '--epochs', '1');
    expect(r.code, r.err).toBe(0);
    const data = r.out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'summary').summary.config.data;
    expect(data).toMatchObject({ format: { delimiter: ',', header: false }, target: { name: 'column3', classes: ['setosa', 'versicolor'] } });
    expect(data.features.map((f: { name: string }) => f.name)).toEqual(['column1', 'column2']);
    // With the header forced on, the first row names the columns: 'column3' no longer exists.
    const forced = await runCli('train', file, '--data', fixture('no-header.csv'), '--header', '--target', 'column3');
    expect(forced.code).toBe(2);
    expect(forced.err).toContain("no-header.csv has no column 'column3'; its columns are: '5.1', '3.5', 'setosa'");
  });

  it('a graph that does not fit says the feature and class counts (exit 1)', async () => {
    const file = graphFile('wrong.nbrick', 4, 'classification', 3);
    const r = await runCli('train', file, '--data', small, '--target', 'label', '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toContain("Input 'input' is 4 but small.csv gives 6 features (set the Input to vector 6)");
    expect(r.err).toContain("Output 'output' has 3 units but small.csv has 2 classes (set units to 2)");
  });

  it('a bad cell: exit 1 naming the line and column; missing data or target column: exit 2', async () => {
    const file = graphFile('bad.nbrick', 2, 'classification', 2);
    const bad = await runCli('train', file, '--data', fixture('bad-cell.csv'), '--target', 'label', '--no-progress');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("bad-cell.csv line 5, column 'y': 'oops' is not a number");
    const missing = await runCli('train', file, '--data', path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--data: no such file');
    const noTarget = await runCli('train', file, '--data', small, '--target', 'klass');
    expect(noTarget.code).toBe(2);
    expect(noTarget.err).toContain("small.csv has no column 'klass'; its columns are: 'x', 'y', 'colour', 'price', 'label'");
    const latin1 = await runCli('train', file, '--data', fixture('latin1.csv'));
    expect(latin1.code).toBe(2);
    expect(latin1.err).toContain('not UTF-8 text');
    expect((await runCli('train', file, '--target', 'label')).code).toBe(2);
  });

  it('--missing drop|fill chooses the policy and reports the counts; a wrong value or --augment with a table is exit 2', async () => {
    const gaps = path.join(dir, 'gaps.csv');
    const lines = ['x,y,label'];
    for (let i = 0; i < 60; i++) lines.push(`${i % 7 === 0 ? '' : i},${i % 5 === 0 ? 'NA' : 60 - i},${i % 2 ? 'odd' : 'even'}`);
    writeFileSync(gaps, lines.join('\n'));
    const file = graphFile('gaps.nbrick', 2, 'classification', 2);
    const args = ['--target', 'label', '--epochs', '1', '--json'];
    const summaryOf = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'summary').summary;
    // x missing on 9 rows (0, 7, …, 56), y on 12 (0, 5, …, 55); 0 and 35 are both: 19 rows with a gap.
    const dropped = await runCli('train', file, '--data', gaps, '--missing', 'drop', '--target', 'label', '--epochs', '1', '--no-progress', '--record');
    expect(dropped.code, dropped.err).toBe(0);
    expect(dropped.err).toContain('missing values: 19 rows dropped');
    const saved = loadGraphFile(readFileSync(file, 'utf8'));
    expect(saved.ok && saved.file.runs!.at(-1)!.config.data).toMatchObject({ missing: { policy: 'drop', droppedRows: 19 } });
    const filled = await runCli('train', file, '--data', gaps, '--missing', 'fill', ...args);
    expect(filled.code, filled.err).toBe(0);
    const filledMissing = summaryOf(filled.out).config.data.missing;
    expect(filledMissing).toMatchObject({ policy: 'fill', droppedRows: 0 });
    expect(filledMissing.filledCells.x).toBeGreaterThan(0);
    expect(filledMissing.filledCells.y).toBeGreaterThan(0);
    const wrong = await runCli('train', file, '--data', gaps, '--missing', 'mean');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("--missing must be one of drop, fill, got 'mean'");
    const augment = await runCli('train', file, '--data', gaps, '--augment', 'flip');
    expect(augment.code).toBe(2);
    expect(augment.err).toContain('--augment is for image folders, but --data');
    const noData = await runCli('train', file, '--missing', 'drop');
    expect(noData.code).toBe(2);
    expect(noData.err).toContain('--missing needs --data PATH');
  });
});
