import { describe, expect, it } from 'vitest';
import { MAX_DATA_IMPORT_BYTES } from '../../../shared/contracts/dataImport';
import { planUpload } from './dataUpload';

const file = (webkitRelativePath: string, text = 'x', size = text.length) => ({
  name: webkitRelativePath.split('/').at(-1)!,
  webkitRelativePath,
  size,
  blob: new Blob([text]),
});

describe('planUpload: what the page sends for a chosen table or folder', () => {
  it('a table is one file under its own name', () => {
    const plan = planUpload('table', [{ ...file('', 'a,b\n'), name: 'fish.csv', webkitRelativePath: '' }]);
    expect(plan).toMatchObject({ kind: 'table', name: 'fish.csv', bytes: 4, skipped: 0 });
    expect(plan.files.map((f) => f.relativePath)).toEqual(['fish.csv']);
    expect(() => planUpload('table', [{ ...file('', 'a'), name: 'notes.pdf' }])).toThrow(/'notes\.pdf' is not a table file/);
    expect(() => planUpload('table', [])).toThrow('Choose a table file.');
  });

  it('a folder keeps its nested class folders below its own name, leaving hidden files out', () => {
    const plan = planUpload('imageFolder', [
      file('shapes/circle/01.png', 'aa'),
      file('shapes/circle/indoor/02.png', 'bbb'),
      file('shapes/.DS_Store'),
      file('shapes/square/.git/config'),
      file('shapes/square/Thumbs.db'),
      file('shapes/square/01.png', 'c'),
    ]);
    expect(plan.name).toBe('shapes');
    expect(plan.files.map((f) => f.relativePath)).toEqual(['circle/01.png', 'circle/indoor/02.png', 'square/01.png']);
    expect(plan.bytes).toBe(6);
    expect(plan.skipped).toBe(3);
  });

  it('refuses what the host would refuse, before sending a byte', () => {
    expect(() => planUpload('imageFolder', [file('a/x.png'), file('b/y.png')])).toThrow(/Choose one folder/);
    expect(() => planUpload('imageFolder', [{ ...file('x.png'), webkitRelativePath: '' }])).toThrow(/not inside a folder/);
    expect(() => planUpload('imageFolder', [file('photos/cat:1/x.png')])).toThrow(/contains ":"/);
    expect(() => planUpload('imageFolder', [file('photos/.hidden')])).toThrow(/only hidden files/);
    expect(() => planUpload('table', [{ ...file('', 'a', MAX_DATA_IMPORT_BYTES + 1), name: 'huge.csv' }])).toThrow(/'huge\.csv' is 2048\.0 MB; the limit for one import is 2048\.0 MB/);
  });
});
