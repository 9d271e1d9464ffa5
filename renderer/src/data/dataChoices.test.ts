import { describe, expect, it } from 'vitest';
import type { DataColumn } from '../../../shared/contracts/data';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import {
  choiceForTarget,
  dataDisplayName,
  dataSourceFacts,
  defaultTableChoice,
  formatStat,
  histogramBars,
  problemText,
  tableChoiceProblem,
  targetColumns,
  unreadableCellsProblem,
  unusedProblemsNote,
  trainingConfigForProposal,
  valueBars,
} from './dataChoices';

function column(name: string, type: DataColumn['type'], targetTasks: DataColumn['targetTasks'], extra: Partial<DataColumn> = {}): DataColumn {
  return { name, type, count: 10, missing: 0, distinct: 3, distinctCapped: false, topValues: [], targetTasks, ...extra };
}

// Shaped like penguins.csv: Species first, text notes, Sex last.
const columns: DataColumn[] = [
  column('Species', 'categorical', ['classification']),
  column('Island', 'categorical', ['classification']),
  column('Beak Length (mm)', 'numeric', ['regression']),
  column('Count', 'numeric', ['classification', 'regression'], { integer: true }),
  column('Notes', 'text', []),
  column('Sex', 'categorical', ['classification']),
];

describe('table choices', () => {
  it('offers only columns that can be a target', () => {
    expect(targetColumns(columns).map((c) => c.name)).toEqual(['Species', 'Island', 'Beak Length (mm)', 'Count', 'Sex']);
  });

  it('starts with the last possible target, its natural task and every other non-text column', () => {
    expect(defaultTableChoice({ columns })).toEqual({
      target: 'Sex',
      task: 'classification',
      features: ['Species', 'Island', 'Beak Length (mm)', 'Count'],
    });
    expect(defaultTableChoice({ columns: [column('Notes', 'text', [])] })).toBeUndefined();
    // penguins.csv as read: Sex has a one-row class '.', too small to split, so the default is Species.
    const sexCounts = [
      { value: 'MALE', count: 168 },
      { value: 'FEMALE', count: 165 },
      { value: '.', count: 1 },
    ];
    const withDot = columns.map((c) => (c.name === 'Sex' ? { ...c, valueCounts: sexCounts, topValues: sexCounts } : c));
    expect(defaultTableChoice({ columns: withDot })?.target).toBe('Species');
  });

  it('picking a target resets the task and features for it', () => {
    expect(choiceForTarget(columns, 'Species')).toEqual({ target: 'Species', task: 'classification', features: ['Island', 'Beak Length (mm)', 'Count', 'Sex'] });
    expect(choiceForTarget(columns, 'Beak Length (mm)')?.task).toBe('regression');
    // A small-integer column can be either: classification first.
    expect(choiceForTarget(columns, 'Count')?.task).toBe('classification');
    expect(choiceForTarget(columns, 'Notes')).toBeUndefined();
    expect(choiceForTarget(columns, 'Nope')).toBeUndefined();
  });

  it('says what stops a choice', () => {
    expect(tableChoiceProblem(choiceForTarget(columns, 'Species'), columns)).toBeUndefined();
    expect(tableChoiceProblem(undefined, columns)).toMatch(/No column can be a target/);
    expect(tableChoiceProblem({ target: 'Species', task: 'classification', features: [] }, columns)).toMatch(/at least one feature/);
    expect(tableChoiceProblem({ target: 'Species', task: 'regression', features: ['Island'] }, columns)).toMatch(/cannot be the target of a regression/);
    expect(tableChoiceProblem({ target: 'Species', task: 'classification', features: ['Species'] }, columns)).toMatch(/cannot also be a feature/);
  });
});

describe('unreadable cells', () => {
  it('names the place once: line and column, then what is wrong (a place the host message starts with is left out)', () => {
    expect(problemText({ line: 2, column: 'size', value: '12', message: "line 2, column 'size': '12' is not a number" })).toBe(
      "Line 2, column size: '12' is not a number",
    );
    expect(problemText({ line: 7, column: 'w', value: 'heavy', message: "'heavy' is not a number" })).toBe("Line 7, column w: 'heavy' is not a number");
    // Another line or column at the start is not this problem's place: kept.
    expect(problemText({ line: 3, column: 'w', value: 'x', message: "line 30, column 'w': x" })).toBe("Line 3, column w: line 30, column 'w': x");
    expect(problemText({ line: 3, column: 'w', value: 'x', message: "line 3, column 'v': x" })).toBe("Line 3, column w: line 3, column 'v': x");
  });

  it('hints at a decimal comma, and only for a number written with one', () => {
    expect(problemText({ line: 2, column: 'size', value: '1,5', message: "line 2, column 'size': '1,5' is not a number" })).toBe(
      "Line 2, column size: '1,5' is not a number — a decimal comma? Numbers are read with a point (1.5)",
    );
    expect(problemText({ line: 2, column: 'size', value: '-12,25', message: 'x' })).toContain('(-12.25)');
    for (const value of ['1,234,567', 'a,b', '1,', ',5', 'heavy']) expect(problemText({ line: 2, column: 'size', value, message: 'x' })).not.toContain('decimal comma');
  });

  it('blocks Create graph with the count and what to do, and only when there are such cells', () => {
    const table = {
      columns: [
        column('size', 'numeric', ['regression'], { unreadable: 1 }),
        column('weight', 'numeric', ['regression']),
        column('colour', 'categorical', ['classification']),
        column('label', 'categorical', ['classification']),
      ],
      // weight's count comes from the list (a host that does not say `unreadable`).
      problems: [
        { line: 2, column: 'size', value: '1,5', message: "'1,5' is not a number" },
        { line: 5, column: 'weight', value: 'heavy', message: "'heavy' is not a number" },
      ],
    };
    const all = { target: 'label', task: 'classification' as const, features: ['size', 'weight', 'colour'] };
    expect(unreadableCellsProblem(table, all)).toMatch(/^Create graph waits until the file is fixed: 2 cells in chosen numeric columns are not numbers \(listed above\)\. Correct them in the file, or empty them \(or write NA\)/);
    expect(unreadableCellsProblem(table, all)).toMatch(/Choose other data and pick the corrected file — or leave the column out\.$/);
    expect(unusedProblemsNote(table, all)).toBeUndefined();
    // Only the chosen columns count: a problem in a column left out is noted, not blocking.
    const noWeight = { ...all, features: ['size', 'colour'] };
    expect(unreadableCellsProblem(table, noWeight)).toMatch(/: 1 cell in a chosen numeric column is not a number \(listed above\)\. Correct it in the file, or empty it/);
    expect(unusedProblemsNote(table, noWeight)).toBe("This cell is in a column left out ('weight'): it does not stop Create graph.");
    const clean = { ...all, features: ['colour'] };
    expect(unreadableCellsProblem(table, clean)).toBeUndefined();
    expect(unusedProblemsNote(table, clean)).toBe("2 of these cells are in columns left out ('size', 'weight'): they do not stop Create graph.");
    // The target counts as chosen.
    expect(unreadableCellsProblem(table, { target: 'size', task: 'regression', features: ['colour'] })).toMatch(/1 cell in a chosen numeric column/);
  });
});

describe('bars', () => {
  it('draws a histogram relative to its tallest bin, labelled with bin ranges', () => {
    const bars = histogramBars({ min: 0, max: 10, counts: [1, 4, 0, 2] });
    expect(bars.map((b) => b.height)).toEqual([0.25, 1, 0, 0.5]);
    expect(bars.map((b) => b.label)).toEqual(['0 – 2.5', '2.5 – 5', '5 – 7.5', '7.5 – 10']);
    expect(histogramBars({ min: 3, max: 3, counts: [0] })[0]?.height).toBe(0);
  });

  it('lists the most frequent values and sums the rest', () => {
    const values = [
      { value: 'a', count: 1 },
      { value: 'b', count: 8 },
      { value: 'c', count: 4 },
      { value: 'd', count: 2 },
    ];
    const bars = valueBars({ valueCounts: values, topValues: [], count: 15 }, 2);
    expect(bars.map((b) => [b.label, b.count, b.height])).toEqual([
      ['b', 8, 1],
      ['c', 4, 0.5],
      ['2 other', 3, 0.375],
    ]);
    // Without valueCounts the top values are used.
    expect(valueBars({ topValues: values.slice(0, 1), count: 1 }).map((b) => b.label)).toEqual(['a']);
  });

  it('formats statistics briefly', () => {
    expect(formatStat(3.14159)).toBe('3.142');
    expect(formatStat(4207.5)).toBe('4208');
    expect(formatStat(0)).toBe('0');
    expect(formatStat(undefined)).toBe('–');
    expect(formatStat(12_345_678)).toBe('1.23e+7');
  });
});

describe('the proposed document', () => {
  const table = {
    kind: 'table' as const,
    path: 'data/penguins.csv',
    hash: 'a'.repeat(64),
    format: { delimiter: ',' as const, header: true },
    task: 'classification' as const,
    target: { name: 'Species', classes: ['Adelie', 'Chinstrap', 'Gentoo'] },
    features: [{ kind: 'numeric' as const, name: 'Beak Length (mm)', mean: 44, std: 5 }],
    missing: { policy: 'drop' as const },
    split: { train: 0.7, val: 0.15, test: 0.15, seed: 42 },
    rows: { train: 233, val: 50, test: 50 },
  };

  it('trains on the proposal with the default settings, named by the data file', () => {
    const config = trainingConfigForProposal({ spec: table });
    expect(config).toEqual({ ...DEFAULT_TRAINING_CONFIG, optimizer: 'adam', learningRate: 0.001, dataset: 'penguins.csv', data: table });
  });

  it('names data by the last part of its path', () => {
    expect(dataDisplayName('workspace/images/shapes/')).toBe('shapes');
    expect(dataDisplayName('C:\\data\\x.tsv')).toBe('x.tsv');
  });

  it('describes the data for the Training panel', () => {
    expect(dataSourceFacts(table)).toBe('table · 1 feature column · 3 classes of Species · 233 train / 50 val / 50 test rows');
    expect(
      dataSourceFacts({
        kind: 'imageFolder',
        path: 'shapes',
        hash: 'b'.repeat(64),
        task: 'classification',
        height: 16,
        width: 16,
        channels: 1,
        classNames: ['circle', 'square', 'triangle'],
        augmentation: { flip: false, shift: 0, rotate: 0 },
        split: { train: 0.7, val: 0.15, test: 0.15, seed: 42 },
      }),
    ).toBe('image folder · 16×16×1 · 3 classes');
    expect(
      dataSourceFacts({
        kind: 'imageFolder',
        path: 'shapes',
        hash: 'b'.repeat(64),
        task: 'classification',
        height: 16,
        width: 16,
        channels: 1,
        classNames: ['circle', 'square', 'triangle'],
        augmentation: { flip: true, shift: 0.1, rotate: 10 },
        split: { train: 0.7, val: 0.15, test: 0.15, seed: 42 },
      }),
    ).toBe('image folder · 16×16×1 · 3 classes · augmented (flip, shift ≤ 10 %, rotate ≤ 10°)');
  });
});
