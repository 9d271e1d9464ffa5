/** What the New from Data dialog draws for an inspection (static markup; the interaction is in e2e/data.spec.ts). */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DataColumn, ImageFolderInspectionResult, TableInspectionResult } from '../../../shared/contracts/data';
import { BusyBar, ImageFolderView, ProposedView, TableView } from './DataDialog';
import { missingValuesSummary } from './dataChoices';

function column(name: string, type: DataColumn['type'], targetTasks: DataColumn['targetTasks'], extra: Partial<DataColumn> = {}): DataColumn {
  return { name, type, count: 5, missing: 0, distinct: 2, distinctCapped: false, topValues: [], targetTasks, ...extra };
}

const table: TableInspectionResult = {
  kind: 'table',
  path: 'workspace/t.csv',
  bytes: 100,
  hash: 'a'.repeat(64),
  format: { delimiter: ',', header: true },
  rows: 5,
  columns: [
    column('x', 'numeric', ['regression'], { min: 1, max: 5, mean: 3, std: 1.5, histogram: { min: 1, max: 5, counts: [1, 2, 2] } }),
    column('note', 'text', [], { distinct: 5 }),
    column('label', 'categorical', ['classification'], { valueCounts: [{ value: 'a', count: 3 }, { value: 'b', count: 2 }] }),
  ],
  problems: [{ line: 5, column: 'x', value: 'oops', message: "'oops' is not a number" }],
  problemCount: 1,
};

const folder: ImageFolderInspectionResult = {
  kind: 'imageFolder',
  path: 'workspace/pets',
  listing: 'folders',
  contentHash: 'b'.repeat(64),
  files: 5,
  images: 4,
  classes: [
    { name: 'cat', count: 2, thumbnails: [{ path: 'cat/1.png', dataUrl: 'data:image/png;base64,AA==', width: 8, height: 8 }] },
    { name: 'dog', count: 2, thumbnails: [] },
  ],
  sizes: [{ height: 8, width: 8, count: 4 }],
  otherSizes: 0,
  channels: { gray: 0, rgb: 4, rgba: 0 },
  formats: { png: 4 },
  proposedInput: { height: 8, width: 8, channels: 3, reason: 'the most common size' },
  problems: [{ path: 'dog/bad.png', reason: 'corrupt PNG' }],
  errors: [],
};

const noop = () => {};

describe('the table view', () => {
  const html = renderToStaticMarkup(<TableView inspection={table} override={{}} onFormat={noop} onCreate={noop} />);

  it('shows each column with its type, statistics and chart; text is ignored and cannot be a feature', () => {
    expect(html).toMatch(/data-column="x" data-type="numeric"/);
    expect(html).toContain('1 – 5');
    expect(html).toContain('3 ± 1.5');
    expect(html).toContain('aria-label="Histogram of x"');
    expect(html).toContain('text (ignored)');
    expect(html).toMatch(/aria-label="Use note as a feature" disabled=""/);
    expect(html).toContain('aria-label="Values of label"');
  });

  it('starts with the last possible target and offers only columns that can be one', () => {
    const html = renderToStaticMarkup(<TableView inspection={{ ...table, problems: [], problemCount: 0 }} override={{}} onFormat={noop} onCreate={noop} />);
    expect(html).toMatch(/data-column="label"[^>]*class="nb-data-target"/);
    const targets = html.match(/aria-label="Target column"[\s\S]*?<\/select>/)![0];
    expect(targets).toContain('>x<');
    expect(targets).toContain('>label<');
    expect(targets).not.toContain('>note<');
    expect(html).toContain('Predicts label (classification) from 1 column.');
  });

  it('lists problems by line and column, once even when the host message names them', () => {
    expect(html).toContain('Line 5, column x: &#x27;oops&#x27; is not a number');
    const named = renderToStaticMarkup(
      <TableView
        inspection={{ ...table, problems: [{ line: 5, column: 'x', value: 'oops', message: "line 5, column 'x': 'oops' is not a number" }] }}
        override={{}}
        onFormat={noop}
        onCreate={noop}
      />,
    );
    expect(named).toContain('<li>Line 5, column x: &#x27;oops&#x27; is not a number</li>');
    expect(named).not.toMatch(/column x: line 5/i);
  });

  it('keeps Create graph disabled while cells cannot be read, and says how to fix them (the host refuses such a file)', () => {
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*>Create graph<\/button>/);
    expect(html).toContain('Create graph waits until the file is fixed: 1 cell in a chosen numeric column is not a number (listed above).');
    expect(html).toContain('Choose other data and pick the corrected file — or leave the column out.');
    expect(html).not.toContain('Predicts label');
    const clean = renderToStaticMarkup(<TableView inspection={{ ...table, problems: [], problemCount: 0 }} override={{}} onFormat={noop} onCreate={noop} />);
    expect(clean).not.toMatch(/disabled=""[^>]*>Create graph/);
    expect(clean).not.toContain('waits until the file is fixed');
  });
});

describe('a target with a class too small to split', () => {
  it('warns with the class and its rows, without blocking Create graph', () => {
    const columns = table.columns.map((c) => (c.name === 'label' ? { ...c, valueCounts: [{ value: 'a', count: 4 }, { value: 'b', count: 1 }] } : c));
    const start = { choice: { target: 'label', task: 'classification' as const, features: ['x'] }, missing: 'fill' as const };
    const html = renderToStaticMarkup(<TableView inspection={{ ...table, columns, problems: [], problemCount: 0 }} override={{}} start={start} onFormat={noop} onCreate={noop} />);
    expect(html).toContain('Class &#x27;b&#x27; (1 row) of &#x27;label&#x27; has fewer than 3 rows');
    expect(html).toContain('Training still works');
    expect(html).not.toMatch(/disabled=""[^>]*>Create graph/);
    // As a regression target (x), no class warning.
    const onX = renderToStaticMarkup(<TableView inspection={{ ...table, columns, problems: [], problemCount: 0 }} override={{}} onFormat={noop} onCreate={noop} />);
    expect(onX).not.toContain('fewer than 3 rows');
  });
});

describe('back from the proposal step', () => {
  const clean = { ...table, problems: [], problemCount: 0, columns: table.columns.map((c) => (c.name === 'label' ? { ...c, missing: 2 } : c)) };

  it('starts from the choices it was left with, not the defaults', () => {
    const start = { choice: { target: 'x', task: 'regression' as const, features: ['label'] }, missing: 'drop' as const };
    const html = renderToStaticMarkup(<TableView inspection={clean} override={{}} start={start} onFormat={noop} onCreate={noop} />);
    expect(html).toContain('Predicts x (regression) from 1 column.');
    expect(html).toMatch(/data-column="x"[^>]*class="nb-data-target"/);
    expect(html).toMatch(/checked="" value="drop"\/> Drop rows/);
    // Without them: the defaults (the last possible target, Fill).
    const fresh = renderToStaticMarkup(<TableView inspection={clean} override={{}} onFormat={noop} onCreate={noop} />);
    expect(fresh).toContain('Predicts label (classification) from 1 column.');
  });

  it('falls back to the defaults when the choices no longer fit the columns', () => {
    const start = { choice: { target: 'gone', task: 'regression' as const, features: ['x'] }, missing: 'fill' as const };
    const html = renderToStaticMarkup(<TableView inspection={clean} override={{}} start={start} onFormat={noop} onCreate={noop} />);
    expect(html).toContain('Predicts label (classification) from 1 column.');
  });
});

describe('missing values', () => {
  it('offers Drop rows / Fill only when a chosen column has missing cells, fill chosen by default', () => {
    expect(renderToStaticMarkup(<TableView inspection={table} override={{}} onFormat={noop} onCreate={noop} />)).not.toContain('Missing values');
    const gappy = { ...table, columns: table.columns.map((c) => (c.name === 'x' ? { ...c, missing: 3 } : c)) };
    const html = renderToStaticMarkup(<TableView inspection={gappy} override={{}} onFormat={noop} onCreate={noop} />);
    expect(html).toContain('Missing values (3 cells in the chosen columns)');
    expect(html).toMatch(/value="drop"\/> Drop rows/);
    expect(html).toMatch(/checked="" value="fill"\/> Fill with the training mean/);
    // Missing cells in an ignored (text) column do not ask.
    const ignored = { ...table, columns: table.columns.map((c) => (c.name === 'note' ? { ...c, missing: 3 } : c)) };
    expect(renderToStaticMarkup(<TableView inspection={ignored} override={{}} onFormat={noop} onCreate={noop} />)).not.toContain('Missing values');
  });

  it('reports the fitted counts before Create graph', () => {
    expect(missingValuesSummary({ policy: 'drop', droppedRows: 12 })).toBe('12 rows dropped');
    expect(missingValuesSummary({ policy: 'fill', droppedRows: 1, filledCells: { x: 4, y: 3 } })).toBe('1 row dropped · 7 cells filled');
    expect(missingValuesSummary({ policy: 'fill', droppedRows: 0 })).toBeUndefined();
    const html = renderToStaticMarkup(<ProposedView summary="12 rows dropped" onCreate={noop} onBack={noop} />);
    expect(html).toContain('Missing values: 12 rows dropped.');
    expect(html).toMatch(/<button[^>]*>Create graph<\/button>/);
  });
});

describe('the image folder view', () => {
  it('shows classes with counts and thumbnails, the proposed Input, and blocks Create until skipping is agreed', () => {
    const html = renderToStaticMarkup(<ImageFolderView inspection={folder} onCreate={noop} />);
    expect(html).toContain('aria-label="Class cat"');
    expect(html).toContain('alt="cat/1.png"');
    expect(html).toContain('8×8×3');
    expect(html).toContain('dog/bad.png: corrupt PNG');
    expect(html).toContain('Skip these 1 file');
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*>Create graph/);
    expect(renderToStaticMarkup(<ImageFolderView inspection={{ ...folder, problems: [] }} onCreate={noop} />)).not.toMatch(/disabled=""[^>]*>Create graph/);
  });

  it('offers augmentation while training, off by default', () => {
    const html = renderToStaticMarkup(<ImageFolderView inspection={folder} onCreate={noop} />);
    expect(html).toContain('Augment while training');
    expect(html).toMatch(/<input type="checkbox"\/> Flip left–right/);
    // Checked fields: the range under each, tied to its input (an entry out of range is explained, not clamped).
    expect(html).toMatch(/<span>Shift up to \(% of the side\)<\/span><input type="number" step="1" min="0" max="25" aria-describedby="([^"]+)" value="0"\/>/);
    expect(html).toMatch(/<span>Rotate up to \(degrees\)<\/span><input type="number" step="1" min="0" max="45" aria-describedby="([^"]+)" value="0"\/>/);
    expect(html).toContain('<p id="' + /Rotate up to \(degrees\)<\/span><input[^>]*aria-describedby="([^"]+)"/.exec(html)![1] + '" class="nb-field-range">0–45 degrees</p>');
    expect(html).toContain('class="nb-field-range">0–25 %</p>');
    expect(html).not.toContain('Create graph waits');
  });

  it('errors block with their message', () => {
    const html = renderToStaticMarkup(<ImageFolderView inspection={{ ...folder, problems: [], errors: ["class 'dog' has one image"] }} onCreate={noop} />);
    expect(html).toContain('class &#x27;dog&#x27; has one image');
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*>Create graph/);
  });
});

describe('the progress bar', () => {
  it('is indeterminate until the host says how far it is', () => {
    expect(renderToStaticMarkup(<BusyBar message="Reading…" fraction={undefined} />)).toContain('data-indeterminate="true"');
    const known = renderToStaticMarkup(<BusyBar message="120 rows read" fraction={0.4} />);
    expect(known).toContain('aria-valuenow="40"');
    expect(known).toContain('width:40%');
  });
});
