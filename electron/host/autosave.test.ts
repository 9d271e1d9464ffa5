import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDocument } from '../../shared/document/model';
import { createGraphFile } from '../../shared/format/graphFileSchema';
import { AUTOSAVE_IDLE_MS, AUTOSAVE_MAX_WAIT_MS, Autosave } from './autosave';

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

const recoveryCopy = () => path.join(dir, 'recovery.json');
const fileNamed = (name: string) => createGraphFile(emptyDocument(name));
const savedName = () => (JSON.parse(readFileSync(record(), 'utf8')) as { file: { graph: { metadata: { name: string } } } }).file.graph.metadata.name;

describe('Autosave confinement', () => {
  it('refuses to write its copy through a state folder that is a link out of the workspace, and says why', async () => {
    const workspace = path.join(dir, 'workspace');
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(workspace);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, path.join(workspace, '.neural-bricks'));
    const autosave = new Autosave(path.join(workspace, '.neural-bricks'), {
      confineTo: { root: workspace, description: 'the workspace' },
    });
    autosave.report({ file, path: null, dirty: true });
    await expect(autosave.flush()).rejects.toThrow(/outside the workspace/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('writes into a state folder that does not exist yet, creating it', async () => {
    const stateDir = path.join(dir, 'state', 'autosave');
    const autosave = new Autosave(stateDir);
    autosave.report({ file, path: null, dirty: true });
    await autosave.flush();
    expect(existsSync(path.join(stateDir, 'autosave.json'))).toBe(true);
  });
});

describe('Autosave timing', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('writes within the idle delay after the last reported change, long before the periodic save', async () => {
    const autosave = new Autosave(dir);
    autosave.start();
    autosave.report({ file: fileNamed('edit'), path: null, dirty: true });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_IDLE_MS - 100);
    await autosave.settled();
    expect(existsSync(record())).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await autosave.settled();
    expect(savedName()).toBe('edit');
    expect(AUTOSAVE_IDLE_MS).toBeLessThanOrEqual(2_000);
    await autosave.dispose({ keepUnsaved: true });
  });

  it('continuous editing still saves at least every max wait', async () => {
    const autosave = new Autosave(dir);
    autosave.start();
    let n = 0;
    // A change every half second never leaves the document idle.
    while (!existsSync(record())) {
      autosave.report({ file: fileNamed(`edit ${++n}`), path: null, dirty: true });
      await vi.advanceTimersByTimeAsync(500);
      await autosave.settled();
      expect(n * 500).toBeLessThanOrEqual(AUTOSAVE_MAX_WAIT_MS + 500);
    }
    expect(AUTOSAVE_MAX_WAIT_MS).toBeLessThanOrEqual(10_000);
    await autosave.dispose({ keepUnsaved: true });
  });
});

describe('Autosave recovery', () => {
  it('a clean second session does not delete the copy of the session that crashed before it', async () => {
    const first = new Autosave(dir);
    first.report({ file: fileNamed('crash 1 work'), path: null, dirty: true });
    await first.flush(); // then the process dies

    const second = new Autosave(dir);
    second.report({ file: fileNamed('Untitled'), path: null, dirty: false });
    await second.flush();
    await second.dispose();

    expect((await new Autosave(dir).takeRecovery(false))?.file.graph.metadata.name).toBe('crash 1 work');
  });

  it('offers the newest copy, and discarding it leaves no older copy behind to be offered later', async () => {
    const first = new Autosave(dir);
    first.report({ file: fileNamed('older'), path: null, dirty: true });
    await first.flush(); // crash 1: never answered (the window never opened)

    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = new Autosave(dir);
    second.start();
    second.report({ file: fileNamed('newer'), path: null, dirty: true });
    await second.flush(); // crash 2
    await second.settled();

    const third = new Autosave(dir);
    const offered = await third.takeRecovery(false);
    expect(offered?.file.graph.metadata.name).toBe('newer');
    await third.takeRecovery(true);
    expect(await third.takeRecovery(false)).toBeNull();
    expect(await new Autosave(dir).takeRecovery(false)).toBeNull();
    await second.dispose();
  });

  it('restoring: the restored document reported before the discard is written at once, so no moment has no copy', async () => {
    const first = new Autosave(dir);
    first.report({ file: fileNamed('work'), path: null, dirty: true });
    await first.flush();

    const second = new Autosave(dir);
    expect((await second.takeRecovery(false))?.file.graph.metadata.name).toBe('work');
    second.report({ file: fileNamed('work'), path: null, dirty: true });
    await second.takeRecovery(true);
    expect(existsSync(recoveryCopy())).toBe(false);
    expect(savedName()).toBe('work');
    // The next start-up offers it again (it is the current session's unsaved work) until it is saved.
    expect((await new Autosave(dir).takeRecovery(false))?.file.graph.metadata.name).toBe('work');
  });

  it('saved, then stopped with Ctrl+C before any timer: the pre-save copy is not offered next time', async () => {
    const autosave = new Autosave(dir);
    autosave.report({ file: fileNamed('before save'), path: '/w/a.nbrick', dirty: true });
    await autosave.flush();
    autosave.report({ file: fileNamed('saved'), path: '/w/a.nbrick', dirty: false });
    await autosave.dispose({ keepUnsaved: true });
    expect(await new Autosave(dir).takeRecovery(false)).toBeNull();
  });

  it('writes are serialized: a clean report after a dirty one never leaves the dirty copy behind', async () => {
    const autosave = new Autosave(dir);
    autosave.report({ file: fileNamed('dirty'), path: null, dirty: true });
    const writing = autosave.flush();
    autosave.report({ file: fileNamed('saved'), path: '/w/a.nbrick', dirty: false });
    const removing = autosave.flush();
    await Promise.all([writing, removing]);
    expect(existsSync(record())).toBe(false);
  });

  it('a failed write is tried again on the next flush', async () => {
    writeFileSync(path.join(dir, 'blocker'), '');
    const autosave = new Autosave(path.join(dir, 'blocker', 'state'));
    autosave.report({ file, path: null, dirty: true });
    await expect(autosave.flush()).rejects.toThrow();
    rmSync(path.join(dir, 'blocker'));
    await autosave.flush();
    expect(existsSync(path.join(dir, 'blocker', 'state', 'autosave.json'))).toBe(true);
  });
});
