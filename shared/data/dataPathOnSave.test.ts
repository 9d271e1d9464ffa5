import { describe, expect, it } from 'vitest';
import { createGraphFile } from '../format/graphFileSchema';
import { loadGraphFile } from '../format/loadGraphFile';
import { serializeGraphFile } from '../format/serializeGraphFile';
import { DEFAULT_TRAINING_CONFIG } from '../format/trainingConfig';
import { buildChain } from '../inference/buildGraph';
import { dataPathForSave, withDataPathForSave } from './dataPathOnSave';
import { DEFAULT_DATA_SPLIT, resolveDataPath, type TableDataSpec } from './dataSpec';

const spec = (path: string): TableDataSpec => ({
  kind: 'table',
  path,
  hash: 'a'.repeat(64),
  format: { delimiter: ',', header: true },
  task: 'classification',
  target: { name: 'Species', classes: ['Adelie', 'Gentoo'] },
  features: [{ name: 'mass', kind: 'numeric', mean: 4000, std: 800 }],
  missing: { policy: 'fill' },
  split: DEFAULT_DATA_SPLIT,
});

const graph = buildChain(
  [
    ['input', 'Input', { kind: 'vector', size: 1 }],
    ['output', 'Output', { task: 'classification', units: 2 }],
  ],
  'penguins',
);

describe('the data path a saved file records', () => {
  it('an absolute path (proposed before the first save) becomes relative to the file', () => {
    expect(dataPathForSave('/home/ana/data/penguins.csv', '/home/ana/models/net.nbrick', undefined)).toBe('../data/penguins.csv');
    expect(dataPathForSave('/home/ana/models/penguins.csv', '/home/ana/models/net.nbrick', undefined)).toBe('penguins.csv');
    expect(dataPathForSave('/home/ana/photos', '/home/ana/models/deep/net.nbrick', undefined)).toBe('../../photos');
    expect(dataPathForSave('C:\\Users\\ana\\data\\fish.csv', 'C:\\Users\\ana\\net.nbrick', undefined)).toBe('data/fish.csv');
    // Another drive: nothing relative reaches it, so it stays absolute.
    expect(dataPathForSave('D:\\data\\fish.csv', 'C:\\Users\\ana\\net.nbrick', undefined)).toBe('D:\\data\\fish.csv');
  });

  it('a relative path is rebased from the file it came from to the new one (Save As elsewhere)', () => {
    expect(dataPathForSave('data/penguins.csv', '/home/ana/other/net.nbrick', '/home/ana/models/net.nbrick')).toBe('../models/data/penguins.csv');
    expect(dataPathForSave('data/penguins.csv', '/home/ana/models/copy.nbrick', '/home/ana/models/net.nbrick')).toBe('data/penguins.csv');
    // No file to resolve it against: left as it is.
    expect(dataPathForSave('data/penguins.csv', '/home/ana/models/net.nbrick', undefined)).toBe('data/penguins.csv');
  });

  it('the file written resolves to the same data, and reloads', () => {
    const file = createGraphFile(graph, { training: { ...DEFAULT_TRAINING_CONFIG, data: spec('/srv/lab/data/penguins.csv') } });
    const saved = withDataPathForSave(file, '/srv/lab/graphs/penguins.nbrick', undefined);
    expect(saved.training?.data?.path).toBe('../data/penguins.csv');
    expect(resolveDataPath('/srv/lab/graphs/penguins.nbrick', saved.training!.data!.path)).toBe('/srv/lab/data/penguins.csv');
    // Only the path changed; the document given is untouched.
    expect({ ...saved.training!.data!, path: file.training!.data!.path }).toEqual(file.training!.data);
    expect(file.training?.data?.path).toBe('/srv/lab/data/penguins.csv');
    const reloaded = loadGraphFile(serializeGraphFile(saved));
    expect(reloaded.ok && reloaded.file.training?.data?.path).toBe('../data/penguins.csv');
  });

  it('a file without own data, or already relative to its own place, is returned as it is', () => {
    const plain = createGraphFile(graph, { training: DEFAULT_TRAINING_CONFIG });
    expect(withDataPathForSave(plain, '/a/b.nbrick', undefined)).toBe(plain);
    const relative = createGraphFile(graph, { training: { ...DEFAULT_TRAINING_CONFIG, data: spec('data/p.csv') } });
    expect(withDataPathForSave(relative, '/a/b.nbrick', '/a/b.nbrick')).toBe(relative);
  });
});
