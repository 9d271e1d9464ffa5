import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TableDataSpec } from '../../../shared/data/dataSpec';
import { checkUserData, hashFile } from './checkUserData';
import { readTable } from './table/readTable';

const dir = mkdtempSync(path.join(tmpdir(), 'nb-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkUserData', () => {
  it('same, changed and missing, relative to the graph file; the hash is the one the reader computes', async () => {
    const csv = path.join(dir, 'data', 't.csv');
    mkdirSync(path.dirname(csv));
    writeFileSync(csv, 'a,b\n1,x\n2,y\n');
    const read = await readTable(csv, {}, () => {});
    expect(await hashFile(csv)).toBe(read.hash);
    const spec: TableDataSpec = {
      kind: 'table',
      path: 'data/t.csv',
      hash: read.hash,
      format: read.format,
      task: 'classification',
      target: { name: 'b' },
      features: [{ name: 'a', kind: 'numeric' }],
      missing: { policy: 'fill' },
      split: { train: 1, val: 0, test: 0, seed: 1 },
    };
    const graph = path.join(dir, 'g.nbrick');
    expect(await checkUserData(spec, graph)).toEqual({ status: 'same', path: csv });
    writeFileSync(csv, 'a,b\n1,x\n2,y\n3,x\n');
    const changed = await checkUserData(spec, graph);
    expect(changed.status).toBe('changed');
    expect(changed.status === 'changed' && changed.message).toMatch(/t\.csv changed since this graph recorded it/);
    rmSync(csv);
    const missing = await checkUserData(spec, graph);
    expect(missing).toMatchObject({ status: 'missing', path: csv });
  });
});
