import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_AUGMENTATION, type ImageFolderDataSpec, type TableDataSpec } from '../../../shared/data/dataSpec';
import { checkUserData, hashFile } from './checkUserData';
import { loadImageFolderForTraining } from './images/imageFolderUserData';
import { hashImageFolder } from './images/inspectImageFolder';
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

  it('an image folder whose labels CSV sits in a sub-folder: same as the loader recorded, changed when an image changes', async () => {
    // data/meta/labels.csv lists meta/pictures/*.png (paths relative to the CSV); the spec records the folder `data`
    // and the CSV as `meta/labels.csv`. Without the labels file the folder would read as one class folder, `meta`.
    const root = path.join(dir, 'images');
    cpSync(path.resolve(import.meta.dirname, 'fixtures/images/listed'), path.join(root, 'meta'), { recursive: true });
    const recorded: ImageFolderDataSpec = {
      kind: 'imageFolder',
      path: 'images',
      hash: '',
      task: 'classification',
      height: 8,
      width: 8,
      channels: 1,
      classNames: ['ant', 'bee'],
      labelsFile: 'meta/labels.csv',
      augmentation: { ...NO_AUGMENTATION },
      split: { train: 0.5, val: 0, test: 0.5, seed: 1 },
    };
    const loaded = await loadImageFolderForTraining(root, recorded, { allowChanged: true, skipUnreadable: true });
    const spec = loaded.spec;
    expect(spec.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashImageFolder(root)).not.toBe(spec.hash);
    const graph = path.join(dir, 'g.nbrick');
    expect(await checkUserData(spec, graph)).toEqual({ status: 'same', path: root });
    writeFileSync(path.join(root, 'meta', 'pictures', 'ant 1.png'), 'no longer a png');
    const changed = await checkUserData(spec, graph);
    expect(changed.status).toBe('changed');
    expect(changed.status === 'changed' && changed.message).toMatch(/The image folder .*images changed since this graph recorded it/);
    rmSync(root, { recursive: true });
    expect(await checkUserData(spec, graph)).toMatchObject({ status: 'missing', path: root });
  });
});
