import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkpointMetaFor } from '../checkpoints/checkpointStore';
import { BundleError, openGraphBundle, zipGraphBundle } from './graphBundle';

const text = (value: string) => new TextEncoder().encode(value);
const GRAPH = text('{"format":"neural-bricks/graph"}\n');
const HASH = `sha256:${'ab'.repeat(32)}`;

function checkpointFiles(runId: string, weights = new Uint8Array([1, 2, 3, 4])) {
  const files = [
    { name: 'model.json', bytes: text(`{"run":"${runId}"}`) },
    { name: 'weights.bin', bytes: weights },
  ];
  const meta = checkpointMetaFor({ runId, graphHash: HASH, files, createdAt: '2026-12-06T10:00:00.000Z' });
  return [...files, { name: 'checkpoint.json', bytes: text(JSON.stringify(meta)) }];
}

describe('graph bundles', () => {
  it('round-trip: the layout on disk, every file byte for byte', () => {
    const files = checkpointFiles('run-1');
    const opened = openGraphBundle(zipGraphBundle('net.nbrick', GRAPH, [{ runId: 'run-1', files }]));
    expect(opened.fileName).toBe('net.nbrick');
    expect(opened.graphBytes).toEqual(GRAPH);
    expect([...opened.runs.keys()]).toEqual(['run-1']);
    for (const file of files) expect(opened.runs.get('run-1')?.get(file.name)).toEqual(file.bytes);
  });

  it('the same files make the same bytes, whenever they are packed', async () => {
    const files = checkpointFiles('run-1');
    const first = zipGraphBundle('net.nbrick', GRAPH, [{ runId: 'run-1', files }]);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // zip times have a 2-second resolution
    expect(zipGraphBundle('net.nbrick', GRAPH, [{ runId: 'run-1', files }])).toEqual(first);
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['C:/x.nbrick', 'absolute'],
    ['net.nbrick-runs/../../evil.sh', '".."'],
    ['net.nbrick-runs/run-1/../../x', '".."'],
    ['net.nbrick-runs\\run-1\\model.json', 'backslash'],
    ['net.nbrick-runs/run-1/evil.sh', 'holds only'],
    ['other.nbrick-runs/run-1/model.json', 'holds only'],
    ['net.nbrick-runs/.hidden/model.json', 'holds only'],
    ['net.nbrick-runs/run-1/sub/model.json', 'holds only'],
    ['README.txt', 'exactly one'],
  ])('refuses the entry %s (zip-slip and strays)', (name, why) => {
    const entries: Zippable = { 'net.nbrick': GRAPH, [name]: text('x') };
    expect(() => openGraphBundle(zipSync(entries))).toThrow(BundleError);
    expect(() => openGraphBundle(zipSync(entries))).toThrow(why);
  });

  it('refuses two graphs, no graph, and what is not a zip', () => {
    expect(() => openGraphBundle(zipSync({ 'a.nbrick': GRAPH, 'b.nbrick': GRAPH }))).toThrow('exactly one');
    expect(() => openGraphBundle(zipSync({}))).toThrow(BundleError);
    expect(() => openGraphBundle(text('not a zip at all, just text'))).toThrow('Not a readable zip');
  });

  it('refuses a bundle over its limit before unpacking anything, and a graph over the file limit', () => {
    const zip = zipGraphBundle('net.nbrick', GRAPH, []);
    expect(() => openGraphBundle(zip, 1_000, zip.byteLength - 1)).toThrow('the limit is');
    expect(() => openGraphBundle(zip, GRAPH.byteLength - 1)).toThrow('the limit for a graph file');
  });

  it('refuses checkpoints that declare more than the bundle limit', () => {
    const files = checkpointFiles('run-1', new Uint8Array(5_000));
    const entries: Zippable = { 'net.nbrick': GRAPH };
    for (const file of files) entries[`net.nbrick-runs/run-1/${file.name}`] = [file.bytes, { level: 9 }];
    const zip = zipSync(entries);
    expect(zip.byteLength).toBeLessThan(2_000);
    expect(() => openGraphBundle(zip, 1_000_000, 2_000)).toThrow('come to');
  });

  it('never inflates a model file beyond the size its checkpoint.json records (a zip bomb stays unread)', () => {
    const small = checkpointFiles('run-1', new Uint8Array(10));
    const meta = small.find((f) => f.name === 'checkpoint.json')!;
    // 50 MB of zeros packs into a few KB: recorded as 10 bytes, so it must not be inflated.
    const bomb = zipSync({ 'net.nbrick': GRAPH, 'net.nbrick-runs/run-1/weights.bin': [new Uint8Array(50 * 1024 * 1024), { level: 9 }], 'net.nbrick-runs/run-1/checkpoint.json': meta.bytes });
    expect(bomb.byteLength).toBeLessThan(200_000);
    const opened = openGraphBundle(bomb);
    expect(opened.runs.get('run-1')?.has('weights.bin')).toBe(false);
    expect(opened.runs.get('run-1')?.get('checkpoint.json')).toEqual(meta.bytes);
  });
});
