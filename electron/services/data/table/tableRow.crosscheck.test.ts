/**
 * "Try it" on a table run encodes in the renderer (shared/data/tableRow.ts); training, evaluation and `bricks predict`
 * encode with the loader (applyPreprocessing). The two must give the model the same inputs for the same row, and the
 * decoded test rows must be the file's own values.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { decodeTableRow, encodeTableRow, tableRowFields, type TableRowValue } from '../../../../shared/data/tableRow';
import type { TableDataSpec } from '../../../../shared/data/dataSpec';
import { proposeFromData } from '../userDataApi';
import { loadUserData } from '../loadUserData';
import { applyPreprocessing } from './loadTable';

const PENGUINS = path.resolve(__dirname, '../../../../examples/data/penguins.csv');

describe('tableRow encodes as the loader does', () => {
  it('every penguins row (numeric + categorical features, fill policy) gets the same inputs both ways', async () => {
    const { spec } = await proposeFromData(PENGUINS, { target: 'Species' });
    if (spec.kind !== 'table') throw new Error('expected a table spec');
    const fitted: TableDataSpec = { ...spec, path: PENGUINS };
    const fields = tableRowFields(fitted);
    expect(fields.map((f) => f.kind)).toContain('categorical');
    expect(fields.map((f) => f.kind)).toContain('numeric');
    const parsed = Papa.parse<string[]>(readFileSync(PENGUINS, 'utf8').trim(), { skipEmptyLines: true });
    const [header, ...rows] = parsed.data;
    // Rows with every feature present (a missing cell is filled by the loader; a person always types a value).
    const complete = rows.filter((cells) => fields.every((f) => { const c = cells[header!.indexOf(f.name)]!; return c !== '' && c !== 'NA'; }));
    expect(complete.length).toBeGreaterThan(300);
    const expected = applyPreprocessing(header!, complete, fitted);
    const width = expected.length / complete.length;
    complete.forEach((cells, r) => {
      const values: TableRowValue[] = fields.map((f) => {
        const cell = cells[header!.indexOf(f.name)]!;
        return f.kind === 'numeric' ? Number(cell) : cell.trim();
      });
      const mine = encodeTableRow(fields, values);
      expect(mine.length).toBe(width);
      mine.forEach((v, j) => expect(Math.fround(v)).toBe(expected[r * width + j]));
    });
  });

  it("decoding the loader's test rows gives the file's values back", async () => {
    const { spec } = await proposeFromData(PENGUINS, { target: 'Species' });
    if (spec.kind !== 'table') throw new Error('expected a table spec');
    const loaded = await loadUserData({ ...spec, path: PENGUINS });
    const fields = tableRowFields(loaded.spec as TableDataSpec);
    const width = loaded.shape.inputShape[0]!;
    const x = loaded.test.x;
    const decoded = decodeTableRow(fields, x.subarray(0, width));
    const flipper = fields.findIndex((f) => f.name === 'Flipper Length (mm)');
    // Flipper lengths are whole millimetres between 172 and 231 in the file.
    const value = decoded[flipper] as number;
    expect(Math.abs(value - Math.round(value))).toBeLessThan(1e-3);
    expect(value).toBeGreaterThanOrEqual(172);
    expect(value).toBeLessThanOrEqual(231);
    const island = fields.findIndex((f) => f.name === 'Island');
    expect(['Biscoe', 'Dream', 'Torgersen']).toContain(decoded[island]);
  });
});
