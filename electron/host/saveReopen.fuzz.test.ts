/**
 * Property: what the web host saves, it can open again, identical. Over ≥ 1,000 mutated graph files from the
 * loader's fuzz corpus, each sent as a Save As through the real web handlers (after the same request validation as
 * on the wire): the save is refused with the loader's own message, or it succeeds and the file reopens deep-equal to
 * what was sent. A failure prints the seed and iteration; rerun with FUZZ_SEED=<seed>.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiPayloadError, parseRequest, type ApiHandlers } from '../../shared/contracts/api';
import { loadGraphFile } from '../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../shared/format/serializeGraphFile';
import { Mutator, mutatedGraphText, prng } from '../../shared/format/testing/graphFileMutator';
import { Autosave } from './autosave';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';
import { TEMP_FILE_PATTERN } from '../services/files/tempFiles';
import { idleTrainingService } from '../services/testing/idleTraining';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261211);
/** Saves that must reach the handler (mutations that are not JSON or fail the request schema never do). */
const SAVES = Number(process.env['FUZZ_SAVES'] ?? 1000);

const repo = path.resolve(import.meta.dirname, '../..');
function corpus(): { name: string; text: string }[] {
  return [path.join(repo, 'shared/format/fixtures'), path.join(repo, 'examples')].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.nbrick'))
      .map((f) => ({ name: f, text: readFileSync(path.join(dir, f), 'utf8') })),
  );
}

let dir: string;
let handlers: ApiHandlers;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-save-reopen-'));
  const folders = { workspace: path.join(dir, 'ws'), examples: path.join(dir, 'examples') };
  mkdirSync(folders.workspace);
  mkdirSync(folders.examples);
  const stateDir = path.join(dir, 'state');
  handlers = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(stateDir),
    datasets: createDatasetService(),
    training: idleTrainingService(),
    autosave: new Autosave(stateDir),
    appVersion: 'fuzz',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('save then reopen, over the fuzz corpus', () => {
  it(`every file the web host saves reopens identical (${SAVES} saves, seed ${SEED})`, async () => {
    const files = corpus();
    const random = prng(SEED);
    const m = new Mutator(random);
    const counts = { saved: 0, refusedByLoader: 0, notJson: 0, refusedBySchema: 0 };
    for (let i = 0; counts.saved + counts.refusedByLoader < SAVES; i++) {
      expect(i, 'the corpus stopped producing save requests').toBeLessThan(SAVES * 20);
      const source = m.pick(files);
      const context = `seed ${SEED}, iteration ${i}, file ${source.name} (rerun with FUZZ_SEED=${SEED})`;
      const text = mutatedGraphText(m, random, source.text);
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        counts.notJson++;
        continue;
      }
      let request;
      try {
        request = parseRequest('saveFileAs', { file: payload, suggestedName: `fuzz-${i}` });
      } catch (error) {
        // The host answers these before any handler runs (webHost.ts), with the schema's message.
        expect(error, context).toBeInstanceOf(ApiPayloadError);
        counts.refusedBySchema++;
        continue;
      }
      const expected = loadGraphFile(serializeGraphFile(request.file));
      const outcome = await handlers.saveFileAs(request).then(
        (saved) => ({ ok: true as const, saved }),
        (error: unknown) => ({ ok: false as const, message: error instanceof Error ? error.message : String(error) }),
      );
      if (!expected.ok) {
        expect(outcome.ok ? 'saved' : outcome.message, context).toBe(
          `"workspace/fuzz-${i}.nbrick" cannot be saved: it could not be opened again (${expected.error.message}).`,
        );
        expect(existsSync(path.join(dir, 'ws', `fuzz-${i}.nbrick`)), context).toBe(false);
        counts.refusedByLoader++;
        continue;
      }
      expect(outcome.ok ? outcome.saved : outcome.message, context).toEqual({ path: `workspace/fuzz-${i}.nbrick`, name: `fuzz-${i}.nbrick` });
      const reopened = await handlers.openFile({ path: `workspace/fuzz-${i}.nbrick` });
      expect(reopened?.file, context).toEqual(request.file);
      expect(reopened?.file, context).toEqual(expected.file);
      counts.saved++;
    }
    // Both outcomes must be exercised, or the property is not being tested.
    expect(counts.saved).toBeGreaterThan(SAVES * 0.1);
    expect(counts.refusedByLoader).toBeGreaterThan(SAVES * 0.05);
    expect(readdirSync(path.join(dir, 'ws')).filter((name) => TEMP_FILE_PATTERN.test(name))).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    console.log(`save/reopen fuzz: ${JSON.stringify(counts)}`);
  });
});
