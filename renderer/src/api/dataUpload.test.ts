import { describe, expect, it } from 'vitest';
import { MAX_DATA_IMPORT_BYTES } from '../../../shared/contracts/dataImport';
import { batchBody, batchFiles, planUpload } from './dataUpload';

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

describe('batches: small files several to a request', () => {
  it('closes a batch at the file or byte limit, a big file alone, every file once in order', () => {
    const files = [1, 2, 3, 50, 4, 5, 6, 7].map((n, i) => ({ relativePath: `c/${i}.png`, blob: new Blob([new Uint8Array(n)]) }));
    const batches = batchFiles(files, 3, 10);
    expect(batches.map((b) => b.files.map((f) => f.relativePath))).toEqual([['c/0.png', 'c/1.png', 'c/2.png'], ['c/3.png'], ['c/4.png', 'c/5.png'], ['c/6.png'], ['c/7.png']]);
    expect(batches.map((b) => b.bytes)).toEqual([6, 50, 9, 6, 7]);
  });

  it('a batch body is each file\'s header `<size> <path>\\n` then its bytes', async () => {
    const body = batchBody({ files: [{ relativePath: 'cat/ä.png', blob: new Blob(['abc']) }, { relativePath: 'dog/b.png', blob: new Blob(['']) }], bytes: 3 });
    expect(new TextDecoder().decode(await body.arrayBuffer())).toBe('3 cat/ä.png\nabc0 dog/b.png\n');
  });
});
