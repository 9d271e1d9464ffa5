import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphFile } from '../format/loadGraphFile';
import {
  dataInputShape,
  dataOutputUnits,
  dataSpecSchema,
  imageFolderHash,
  isAbsoluteDataPath,
  relativeDataPath,
  resolveDataPath,
  type TableDataSpec,
} from './dataSpec';

const v4 = () => readFileSync(new URL('../format/fixtures/v4.nbrick', import.meta.url), 'utf8');

describe('data spec', () => {
  it('a v4 file with a table run loads, and its spec gives the input shape and classes', () => {
    const result = loadGraphFile(v4());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const run = result.file.runs?.find((r) => r.data !== undefined);
    const data = run?.config.data;
    expect(data?.kind).toBe('table');
    expect(dataInputShape(data!)).toEqual([2 + 3 + 2]);
    expect(dataOutputUnits(data!)).toBe(3);
    expect(run?.data?.hash).toBe(data!.hash);
  });

  it('refuses splits that do not add up, bad hashes and unknown fields, with the path', () => {
    const spec = (JSON.parse(v4()) as { runs: { config: { data?: TableDataSpec } }[] }).runs.find((r) => r.config.data)!.config.data!;
    const bad = (patch: object) => dataSpecSchema.safeParse({ ...spec, ...patch });
    expect(bad({ split: { train: 0.5, val: 0.1, test: 0.1, seed: 1 } }).error?.issues[0]?.path).toEqual(['split', 'train']);
    expect(bad({ hash: 'ABC' }).error?.issues[0]?.path).toEqual(['hash']);
    expect(bad({ extra: 1 }).success).toBe(false);
    expect(bad({ task: 'ranking' }).success).toBe(false);
    expect(dataSpecSchema.safeParse({ ...spec, kind: 'imageFolder' }).success).toBe(false);
  });

  it('an image folder spec parses', () => {
    const image = {
      kind: 'imageFolder',
      path: 'photos',
      hash: 'a'.repeat(64),
      task: 'classification',
      height: 32,
      width: 32,
      channels: 3,
      classNames: ['cat', 'dog'],
      augmentation: { flip: true, shift: 0.1, rotate: 10 },
      split: { train: 0.8, val: 0.1, test: 0.1, seed: 7 },
    };
    const parsed = dataSpecSchema.parse(image);
    expect(dataInputShape(parsed)).toEqual([32, 32, 3]);
    expect(dataOutputUnits(parsed)).toBe(2);
    expect(dataSpecSchema.safeParse({ ...image, channels: 2 }).success).toBe(false);
  });

  it('imageFolderHash is order-independent and equals sha256 of the documented lines', () => {
    const files = [
      { relativePath: 'dog/b.png', size: 10, sha256: 'b'.repeat(64) },
      { relativePath: 'cat/a.png', size: 5, sha256: 'a'.repeat(64) },
    ];
    const expected = createHash('sha256')
      .update(`cat/a.png\t5\t${'a'.repeat(64)}\ndog/b.png\t10\t${'b'.repeat(64)}\n`)
      .digest('hex');
    expect(imageFolderHash(files)).toBe(expected);
    expect(imageFolderHash([...files].reverse())).toBe(expected);
    expect(() => imageFolderHash([{ relativePath: 'cat\\a.png', size: 1, sha256: 'a'.repeat(64) }])).toThrow(/'\/' separators/);
  });
});

describe('data paths', () => {
  it('posix: relative to the graph file, resolved back', () => {
    expect(relativeDataPath('/home/ana/nets/iris.nbrick', '/home/ana/nets/data/iris.csv')).toBe('data/iris.csv');
    expect(relativeDataPath('/home/ana/nets/iris.nbrick', '/home/ana/data/iris.csv')).toBe('../data/iris.csv');
    expect(resolveDataPath('/home/ana/nets/iris.nbrick', '../data/iris.csv')).toBe('/home/ana/data/iris.csv');
    expect(resolveDataPath('/home/ana/nets/iris.nbrick', 'data/./iris.csv')).toBe('/home/ana/nets/data/iris.csv');
    expect(relativeDataPath('/a/b.nbrick', '/a')).toBe('.');
    expect(relativeDataPath(undefined, '/a/b.csv')).toBe('/a/b.csv');
  });

  it('windows: drive letters and case, other drives and UNC shares stay absolute', () => {
    expect(relativeDataPath('C:\\Users\\Ana\\nets\\iris.nbrick', 'c:\\users\\ana\\data\\iris.csv')).toBe('../data/iris.csv');
    expect(resolveDataPath('C:\\Users\\Ana\\nets\\iris.nbrick', '../data/iris.csv')).toBe('C:\\Users\\Ana\\data\\iris.csv');
    expect(relativeDataPath('C:\\nets\\a.nbrick', 'D:\\data\\iris.csv')).toBe('D:\\data\\iris.csv');
    expect(resolveDataPath('C:\\nets\\a.nbrick', 'D:\\data\\iris.csv')).toBe('D:\\data\\iris.csv');
    expect(relativeDataPath('\\\\srv\\share\\nets\\a.nbrick', '\\\\srv\\share\\data\\b.csv')).toBe('../data/b.csv');
    expect(resolveDataPath('\\\\srv\\share\\nets\\a.nbrick', '../data/b.csv')).toBe('\\\\srv\\share\\data\\b.csv');
    expect(isAbsoluteDataPath('C:/x.csv')).toBe(true);
    expect(isAbsoluteDataPath('data/x.csv')).toBe(false);
  });

  it('round trips', () => {
    for (const [graph, data] of [
      ['/x/y/z.nbrick', '/x/q/r/s.csv'],
      ['/x/y/z.nbrick', '/x/y/s.csv'],
      ['C:\\x\\y\\z.nbrick', 'C:\\x\\q\\s.csv'],
    ] as const) {
      expect(resolveDataPath(graph, relativeDataPath(graph, data))).toBe(data);
    }
  });
});
