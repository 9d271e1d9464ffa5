import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDocument } from '../../shared/document/model';
import { createGraphFile } from '../../shared/format/graphFileSchema';
import { Autosave } from './autosave';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-autosave-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = createGraphFile(emptyDocument('Unsaved work'));
const record = () => path.join(dir, 'autosave.json');

describe('Autosave', () => {
  it('writes a dirty document to its own folder, never to the user file, and offers it back once', async () => {
    const userFile = path.join(dir, 'mine.nbrick');
    writeFileSync(userFile, 'original');
    const autosave = new Autosave(dir);
    autosave.report({ file, path: userFile, dirty: true });
    await autosave.flush();
    expect(readFileSync(userFile, 'utf8')).toBe('original');
    expect(existsSync(record())).toBe(true);

    // A new session (after a crash) finds it.
    const next = new Autosave(dir);
    const recovery = await next.takeRecovery(false);
    expect(recovery).toMatchObject({ file, originalPath: userFile });
    expect(Date.parse(recovery!.savedAt)).not.toBeNaN();
    await next.takeRecovery(true);
    expect(await next.takeRecovery(false)).toBeNull();
  });

  it('removes the copy when the document becomes clean, and on a clean exit', async () => {
    const autosave = new Autosave(dir);
    autosave.report({ file, path: null, dirty: true });
    await autosave.flush();
    expect(existsSync(record())).toBe(true);
    autosave.report({ file, path: '/x.nbrick', dirty: false });
    await autosave.flush();
    expect(existsSync(record())).toBe(false);

    autosave.report({ file, path: null, dirty: true });
    await autosave.flush();
    await autosave.dispose();
    expect(existsSync(record())).toBe(false);
  });

  it('keeps unsaved work when the process is stopped without asking (Ctrl+C)', async () => {
    const autosave = new Autosave(dir);
    autosave.report({ file, path: null, dirty: true });
    await autosave.dispose({ keepUnsaved: true });
    expect((await new Autosave(dir).takeRecovery(false))?.file).toEqual(file);
  });

  it('drops a damaged copy instead of offering it', async () => {
    writeFileSync(record(), '{"file": {"format": "something else"}}');
    expect(await new Autosave(dir).takeRecovery(false)).toBeNull();
    expect(existsSync(record())).toBe(false);
  });
});
