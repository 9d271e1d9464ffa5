/**
 * The app's questions about the user's own data (issue 14), on real fixtures: what a path holds (a table or an image
 * folder), a fitted spec and a starting graph that fits it ("New from data"), and clear refusals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkGraphFitsData } from '../../../shared/data/checkGraphFitsData';
import { checkData, inspectData, proposeFromData, proposeGraphFor } from './userDataApi';

const FIXTURES = path.join(__dirname, 'fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'nb-userdata-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectData', () => {
  it('inspects a file as a table and a folder as images', async () => {
    const table = await inspectData(path.join(FIXTURES, 'semicolon.csv'));
    expect(table.kind).toBe('table');
    expect(table.kind === 'table' && table.format.delimiter).toBe(';');
    const progress: (number | undefined)[] = [];
    const images = await inspectData(path.join(FIXTURES, 'images', 'shapes'), { onProgress: (p) => progress.push(p.fraction) });
    expect(images.kind).toBe('imageFolder');
    if (images.kind !== 'imageFolder') return;
    expect(images.classes.map((c) => c.name)).toEqual(['circle', 'square', 'triangle']);
    expect(images.classes[0]!.thumbnails.length).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('names a path that is not there', async () => {
    await expect(inspectData(path.join(dir, 'nope.csv'))).rejects.toThrow(`No file or folder at ${path.join(dir, 'nope.csv')}`);
  });
});

describe('proposeFromData', () => {
  it('proposes Input → Flatten → Dense → softmax Output for an image folder, path relative to the graph file', async () => {
    const folder = path.join(FIXTURES, 'images', 'shapes');
    const proposal = await proposeFromData(folder, { graphFilePath: path.join(FIXTURES, 'net.nbrick') });
    expect(proposal.spec.kind).toBe('imageFolder');
    expect(proposal.spec.path).toBe('images/shapes');
    expect(proposal.shape.classNames).toEqual(['circle', 'square', 'triangle']);
    expect(proposal.graph.nodes.map((n) => n.type)).toEqual(['Input', 'Flatten', 'Dense', 'Output']);
    const [h, w, c] = proposal.shape.inputShape;
    expect(proposal.graph.nodes[0]!.params).toMatchObject({ kind: 'image', height: h, width: w, channels: c });
    expect(proposal.graph.nodes[3]!.params).toMatchObject({ task: 'classification', units: 3 });
  });

  it('fits a table proposal: one-hot widths in the Input, classes from the label map; regression gets one unit', async () => {
    const csv = path.join(dir, 'fish.csv');
    const rows = ['length,colour,weight,kind'];
    for (let i = 0; i < 60; i++) rows.push(`${i},${['red', 'green', 'blue'][i % 3]},${2 * i + 1},${i % 2 ? 'cod' : 'eel'}`);
    writeFileSync(csv, rows.join('\n'));
    const proposal = await proposeFromData(csv, { target: 'kind', graphFilePath: path.join(dir, 'sub', 'net.nbrick') });
    expect(proposal.spec.path).toBe('../fish.csv');
    expect(proposal.shape).toEqual({ inputShape: [5], task: 'classification', classNames: ['cod', 'eel'] });
    expect(proposal.spec.kind === 'table' && proposal.spec.target.classes).toEqual(['cod', 'eel']);
    const regression = await proposeFromData(csv, { target: 'weight', features: ['length'] });
    expect(regression.shape).toEqual({ inputShape: [1], task: 'regression', classNames: [] });
    expect(regression.spec.path).toBe(csv);
    expect(regression.graph.nodes.at(-1)!.params).toMatchObject({ task: 'regression', units: 1 });
    await expect(proposeFromData(csv, { target: 'colour', task: 'regression' })).rejects.toThrow(/'colour' is categorical, not numeric/);
  });

  it('applies the chosen missing-value policy to a table and reports the counts in the spec', async () => {
    const csv = path.join(dir, 'gaps.csv');
    const rows = ['x,y,label'];
    for (let i = 0; i < 40; i++) rows.push(`${i % 7 === 0 ? '' : i},${i % 5 === 0 ? 'NA' : 2 * i},${i % 2 ? 'a' : 'b'}`);
    writeFileSync(csv, rows.join('\n'));
    const dropped = await proposeFromData(csv, { missing: 'drop' });
    expect(dropped.spec.kind === 'table' && dropped.spec.missing).toMatchObject({ policy: 'drop', droppedRows: 12 });
    const filled = await proposeFromData(csv, { missing: 'fill' });
    expect(filled.spec.kind === 'table' && filled.spec.missing).toMatchObject({ policy: 'fill', droppedRows: 0, filledCells: { x: 6, y: 8 } });
    await expect(proposeFromData(csv, { augment: { flip: true } })).rejects.toThrow(/is a table: augmentation applies to image folders only/);
  });

  it('turns on the chosen augmentation for an image folder, the rest off; refuses a missing policy', async () => {
    const folder = path.join(FIXTURES, 'images', 'shapes');
    const proposal = await proposeFromData(folder, { augment: { flip: true, rotate: 10 } });
    expect(proposal.spec.kind === 'imageFolder' && proposal.spec.augmentation).toEqual({ flip: true, shift: 0, rotate: 10 });
    const plain = await proposeFromData(folder);
    expect(plain.spec.kind === 'imageFolder' && plain.spec.augmentation).toEqual({ flip: false, shift: 0, rotate: 0 });
    await expect(proposeFromData(folder, { missing: 'drop' })).rejects.toThrow(/is an image folder: a missing-value policy applies to tables only/);
  });

  it('refuses a table with unreadable cells in a chosen column, naming the column and the first by line and column', async () => {
    await expect(proposeFromData(path.join(FIXTURES, 'bad-cell.csv'))).rejects.toThrow(/1 cell that cannot be read in the chosen column 'y', first: line 5, column 'y'/);
    await expect(proposeFromData(path.join(FIXTURES, 'bad-cell.csv'), { target: 'y', features: ['x'] })).rejects.toThrow(/in the chosen column 'y'/);
  });

  it('defaults to a target whose classes can all be split: penguins.csv gets Species, not Sex with its one-row class', async () => {
    const penguins = path.join(__dirname, '..', '..', '..', 'examples', 'data', 'penguins.csv');
    const proposal = await proposeFromData(penguins);
    expect(proposal.spec.kind === 'table' && proposal.spec.target.name).toBe('Species');
    expect(proposal.shape.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    // Chosen anyway, Sex still loads: the loader keeps the one-row '.' as a class (it lands in one split only).
    const sex = await proposeFromData(penguins, { target: 'Sex' });
    expect(sex.shape.classNames).toEqual(['.', 'FEMALE', 'MALE']);
  });

  it('does not let unreadable cells in a column left out block the table', async () => {
    // bad-cell.csv: 'y' has the text 'oops' on line 5; x and label are clean.
    const proposal = await proposeFromData(path.join(FIXTURES, 'bad-cell.csv'), { target: 'label', features: ['x'] });
    expect(proposal.spec.kind === 'table' && proposal.spec.features.map((f) => f.name)).toEqual(['x']);
    expect(proposal.shape).toMatchObject({ inputShape: [1], task: 'classification', classNames: ['a', 'b'] });
    // The inspection still lists the problem, and says which column has it.
    const inspection = await inspectData(path.join(FIXTURES, 'bad-cell.csv'));
    expect(inspection.kind === 'table' && inspection.problemCount).toBe(1);
    expect(inspection.kind === 'table' && inspection.columns.map((c) => [c.name, c.unreadable])).toEqual([
      ['x', undefined],
      ['y', 1],
      ['label', undefined],
    ]);
  });

  it('a proposed graph always fits its data (checkGraphFitsData)', () => {
    for (const shape of [
      { name: 't.csv', kind: 'table' as const, inputShape: [7], task: 'classification' as const, classNames: ['a', 'b', 'c'] },
      { name: 't.csv', kind: 'table' as const, inputShape: [3], task: 'regression' as const },
      { name: 'imgs', kind: 'imageFolder' as const, inputShape: [16, 16, 1], task: 'classification' as const, classNames: ['x', 'y'] },
    ]) {
      expect(checkGraphFitsData(proposeGraphFor(shape), shape)).toEqual([]);
    }
  });
});

describe('checkData', () => {
  it('says same, then changed once the bytes change', async () => {
    const csv = path.join(dir, 'check.csv');
    const rows = ['x,y'];
    for (let i = 0; i < 30; i++) rows.push(`${i},${i % 2 ? 'p' : 'q'}`);
    writeFileSync(csv, rows.join('\n'));
    const graph = path.join(dir, 'check.nbrick');
    const { spec } = await proposeFromData(csv, { graphFilePath: graph });
    expect(await checkData(graph, spec)).toEqual({ status: 'same', path: csv });
    writeFileSync(csv, rows.join('\n') + '\n30,p');
    expect(await checkData(graph, spec)).toMatchObject({ status: 'changed', path: csv });
  });
});
