/**
 * Checkpoints on disk: the kept model of a finished or stopped run, as a folder `<runId>/` holding `model.json`,
 * `weights.bin` (tfjs layers format) and `checkpoint.json` (sizes and sha256 of the other two, see
 * shared/contracts/evaluation.ts). They live beside a saved graph (`<file>.nbrick-runs/<runId>/`) or in a host's
 * pending store (`<state>/checkpoints/<runId>/`).
 *
 * Rules:
 * - A checkpoint appears whole or not at all: written into a hidden temp folder beside it, then renamed into place.
 * - Reading never throws: it answers `ok` with the verified bytes, or `missing` / `damaged` with a reason.
 * - Everything stays inside a boundary — by default the folder holding the `-runs` (or `checkpoints`) folder — so a
 *   `-runs` folder that is a link to somewhere else is refused, never written through or deleted in.
 * - Only folders named like run ids are ever deleted, never through a link.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  CHECKPOINT_FOLDER_SUFFIX,
  CHECKPOINT_META_FILE,
  checkpointMetaSchema,
  type CheckpointMeta,
} from '../../../shared/contracts/evaluation';
import { modelFileSchema, type DatasetRef, type ModelFile } from '../../../shared/contracts/trainer';
import { sha256Hex } from '../../../shared/format/sha256';
import { confinedFolder, type ConfinedFolder } from '../files/workspaceFiles';

/** Folder of a host's pending store (inside its state folder). */
export const PENDING_CHECKPOINTS_FOLDER = 'checkpoints';
/** What a tfjs layers checkpoint must hold besides checkpoint.json. */
export const CHECKPOINT_MODEL_FILES = ['model.json', 'weights.bin'] as const;

/** A run id usable as a folder name: no dots (so never `.`, `..` or one of our hidden temp folders), no separators. */
const RUN_FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const TEMP_FOLDER = /^\.ckpt-[0-9a-f]{12}\.tmp$/;
const STALE_TEMP_MS = 60_000;

export type CheckpointRead =
  | {
      readonly status: 'ok';
      readonly meta: CheckpointMeta;
      readonly files: ModelFile[];
      /** checkpoint.json exactly as read (a bundle carries it byte for byte); absent where a read was built by hand. */
      readonly metaBytes?: Uint8Array;
    }
  | { readonly status: 'missing' | 'damaged'; readonly reason: string };

export interface CheckpointInput {
  readonly runId: string;
  readonly graphHash: string;
  readonly files: readonly ModelFile[];
  /** Kept when copying a checkpoint; now otherwise. */
  readonly createdAt?: string;
  /** The data the run trained on (its record's `dataset`). */
  readonly dataset?: DatasetRef;
}

export interface CheckpointLocationOptions {
  /** Reads and writes must stay inside it (the web host passes its workspace). Default: see {@link defaultBoundary}. */
  readonly boundary?: ConfinedFolder;
}

export function isRunFolderName(runId: string): boolean {
  return RUN_FOLDER_NAME.test(runId);
}

/** `mynet.nbrick` → `mynet.nbrick-runs`. */
export function checkpointsFolderFor(graphFilePath: string): string {
  return `${path.resolve(graphFilePath)}${CHECKPOINT_FOLDER_SUFFIX}`;
}

/** `mynet.nbrick`, `run-…` → `mynet.nbrick-runs/run-…`. */
export function checkpointDirFor(graphFilePath: string, runId: string): string {
  return path.join(checkpointsFolderFor(graphFilePath), runFolder(runId));
}

/** A host's store of checkpoints whose graph is not saved yet: `<state>/checkpoints/<runId>`. */
export function pendingCheckpointDir(stateDir: string, runId: string): string {
  return path.join(path.resolve(stateDir), PENDING_CHECKPOINTS_FOLDER, runFolder(runId));
}

function runFolder(runId: string): string {
  if (!isRunFolderName(runId)) throw new Error(`Run id "${runId.slice(0, 140)}" cannot name a checkpoint folder (letters, digits, - and _ only)`);
  return runId;
}

/** The folder that holds the `-runs` (or `checkpoints`) folder: `dir`'s grandparent. */
function defaultBoundary(dir: string): ConfinedFolder {
  return confinedFolder(path.dirname(path.dirname(path.resolve(dir))), 'the folder of the graph file');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The checkpoint.json of `files` as written now. */
export function checkpointMetaFor(input: CheckpointInput): CheckpointMeta {
  return checkpointMetaSchema.parse({
    format: 'neural-bricks/checkpoint',
    formatVersion: 1,
    runId: input.runId,
    graphHash: input.graphHash,
    createdAt: input.createdAt ?? new Date().toISOString(),
    files: input.files.map((file) => ({ name: file.name, bytes: file.bytes.byteLength, sha256: sha256Hex(file.bytes) })),
    ...(input.dataset ? { dataset: input.dataset } : {}),
  });
}

/**
 * Writes a checkpoint into `dir` (whose last part must be the run id), replacing one already there. Readers see the old
 * folder or the new one, whole: the files go into a hidden temp folder beside it, each fsynced, checkpoint.json last,
 * then the folder is renamed into place. Throws an Error naming the folder and the problem.
 */
export async function writeCheckpoint(dir: string, input: CheckpointInput, options: CheckpointLocationOptions = {}): Promise<CheckpointMeta> {
  const target = path.resolve(dir);
  if (path.basename(target) !== runFolder(input.runId)) throw new Error(`Checkpoint folder ${target} is not named after its run ${input.runId}`);
  const names = new Set(input.files.map((file) => file.name));
  for (const file of input.files) {
    if (!modelFileSchema.safeParse(file).success || file.name === CHECKPOINT_META_FILE) throw new Error(`Checkpoint of run ${input.runId}: "${file.name}" is not a plain model file name`);
  }
  for (const required of CHECKPOINT_MODEL_FILES) {
    if (!names.has(required)) throw new Error(`Checkpoint of run ${input.runId}: the model has no ${required}`);
  }
  if (names.size !== input.files.length) throw new Error(`Checkpoint of run ${input.runId}: a file name appears twice`);
  const meta = checkpointMetaFor(input);
  const boundary = options.boundary ?? defaultBoundary(target);
  try {
    // A pending store's state folder may not exist yet; a graph file's folder does.
    if (!options.boundary) await mkdir(boundary.root, { recursive: true });
    const parent = await boundary.ensureFolder(path.dirname(target));
    const temp = path.join(parent, `.ckpt-${randomBytes(6).toString('hex')}.tmp`);
    await mkdir(temp);
    try {
      const folder = confinedFolder(temp, 'the checkpoint folder');
      // weights first and checkpoint.json last: a checkpoint.json always describes files already complete.
      const ordered = [...input.files].sort((a, b) => Number(a.name.endsWith('.json')) - Number(b.name.endsWith('.json')));
      for (const file of ordered) await folder.write(path.join(temp, file.name), file.bytes, { existing: 'refuse' });
      await folder.write(path.join(temp, CHECKPOINT_META_FILE), `${JSON.stringify(meta, null, 2)}\n`, { existing: 'refuse' });
      await replaceFolder(temp, path.join(parent, path.basename(target)));
    } catch (error) {
      await rm(temp, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
    await syncDirectory(parent);
    await sweepStaleTempFolders(parent);
  } catch (error) {
    throw new Error(`Could not keep the checkpoint of run ${input.runId} in ${target}: ${messageOf(error)}`, { cause: error });
  }
  return meta;
}

/** Moves `from` to `to`; an existing `to` (folder or link: renamed, never followed) is set aside first, then removed. */
async function replaceFolder(from: string, to: string): Promise<void> {
  const existing = await lstat(to).catch(() => undefined);
  if (!existing) {
    await rename(from, to);
    return;
  }
  const aside = path.join(path.dirname(to), `.ckpt-${randomBytes(6).toString('hex')}.tmp`);
  await rename(to, aside);
  try {
    await rename(from, to);
  } catch (error) {
    await rename(aside, to).catch(() => undefined);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined); // not supported on every platform (Windows): best effort
  await handle.close();
}

/** Temp folders of writes a killed process left behind (real folders only, named like ours, over a minute old). */
async function sweepStaleTempFolders(parent: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!TEMP_FOLDER.test(name)) continue;
    const info = await lstat(path.join(parent, name)).catch(() => undefined);
    if (info?.isDirectory() && now - info.mtimeMs > STALE_TEMP_MS) await rm(path.join(parent, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Reads and verifies the checkpoint of `runId` in `dir`: checkpoint.json must parse and name this run, and every file
 * it lists must be a regular file of the recorded size and sha256. Never throws.
 */
export async function readCheckpoint(dir: string, runId: string, options: CheckpointLocationOptions = {}): Promise<CheckpointRead> {
  const target = path.resolve(dir);
  const damaged = (reason: string): CheckpointRead => ({ status: 'damaged', reason: `${target}: ${reason}` });
  let real: string;
  try {
    // The boundary first: a `-runs` folder linked elsewhere is reported as refused, even where nothing is there.
    real = await (options.boundary ?? defaultBoundary(target)).resolveForRead(target);
    const info = await lstat(target);
    if (info.isSymbolicLink()) return damaged('the checkpoint folder is a link (refused)');
    if (!info.isDirectory()) return damaged('not a folder');
    if (real !== (await realpath(target))) return damaged('the checkpoint folder moved while it was read');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing', reason: `no checkpoint folder ${target}` };
    return damaged(messageOf(error));
  }
  const read = await verifyCheckpointFiles(runId, (name) => readRegularFile(path.join(real, name)));
  return read.status === 'ok' ? read : damaged(read.reason);
}

/**
 * The checks of {@link readCheckpoint} on files from anywhere (a folder, an uploaded bundle): `fileBytes(name)` gives a
 * file's bytes or why it cannot. checkpoint.json must parse and name `runId`; every file it lists must have the
 * recorded size and sha256. Reasons name no folder. Never throws.
 */
export async function verifyCheckpointFiles(
  runId: string,
  fileBytes: (name: string) => Promise<Uint8Array | string> | Uint8Array | string,
): Promise<CheckpointRead> {
  const damaged = (reason: string): CheckpointRead => ({ status: 'damaged', reason });
  const metaRead = await fileBytes(CHECKPOINT_META_FILE);
  if (typeof metaRead === 'string') return damaged(`${CHECKPOINT_META_FILE}: ${metaRead}`);
  let meta: CheckpointMeta;
  try {
    const parsed = checkpointMetaSchema.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metaRead)));
    if (!parsed.success) return damaged(`${CHECKPOINT_META_FILE} is not a checkpoint description (${parsed.error.issues[0]?.path.join('.') || '(root)'}: ${parsed.error.issues[0]?.message})`);
    meta = parsed.data;
  } catch (error) {
    return damaged(`${CHECKPOINT_META_FILE} is not valid JSON: ${messageOf(error)}`);
  }
  if (meta.runId !== runId) return damaged(`it belongs to run ${meta.runId}, not ${runId}`);
  for (const required of CHECKPOINT_MODEL_FILES) {
    if (!meta.files.some((file) => file.name === required)) return damaged(`${CHECKPOINT_META_FILE} lists no ${required}`);
  }
  const files: ModelFile[] = [];
  for (const entry of meta.files) {
    if (!modelFileSchema.shape.name.safeParse(entry.name).success || entry.name === CHECKPOINT_META_FILE) return damaged(`${CHECKPOINT_META_FILE} lists "${entry.name}", not a plain file name`);
    const bytes = await fileBytes(entry.name);
    if (typeof bytes === 'string') return damaged(`${entry.name}: ${bytes}`);
    if (bytes.byteLength !== entry.bytes) return damaged(`${entry.name} has ${bytes.byteLength} bytes, ${entry.bytes} expected (truncated or replaced)`);
    if (sha256Hex(bytes) !== entry.sha256) return damaged(`${entry.name} does not match its recorded sha256 (the bytes were altered)`);
    files.push({ name: entry.name, bytes });
  }
  return { status: 'ok', meta, files, metaBytes: metaRead };
}

/** The bytes of a regular file (a link is refused, not followed), or why not. */
async function readRegularFile(file: string): Promise<Uint8Array | string> {
  try {
    const info = await lstat(file);
    if (info.isSymbolicLink()) return 'is a link (refused)';
    if (!info.isFile()) return 'is not a regular file';
    const bytes = await readFile(file);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing' : messageOf(error);
  }
}

/**
 * Copies a verified checkpoint from `fromDir` to `toDir` (its createdAt kept). Resolves to what was found at `fromDir`:
 * a copy happens only when that is `ok`. Errors while writing throw.
 */
export async function copyCheckpoint(
  fromDir: string,
  toDir: string,
  runId: string,
  options: { readonly from?: CheckpointLocationOptions; readonly to?: CheckpointLocationOptions } = {},
): Promise<CheckpointRead> {
  const found = await readCheckpoint(fromDir, runId, options.from);
  if (found.status !== 'ok') return found;
  await writeCheckpoint(toDir, { runId, graphHash: found.meta.graphHash, files: found.files, createdAt: found.meta.createdAt, ...(found.meta.dataset ? { dataset: found.meta.dataset } : {}) }, options.to);
  return found;
}

/**
 * Deletes the checkpoint folder `<folder>/<runId>`: only a real folder named like a run id, inside a real `folder` that
 * is inside its boundary; a link is never followed (a link in its place is refused). Resolves to false when there was
 * nothing to delete.
 */
export async function deleteCheckpoint(folder: string, runId: string, options: CheckpointLocationOptions = {}): Promise<boolean> {
  const parent = path.resolve(folder);
  const target = path.join(parent, runFolder(runId));
  const boundary = options.boundary ?? defaultBoundary(target);
  let realParent: string;
  try {
    realParent = await boundary.resolveForRead(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const inside = path.join(realParent, runId);
  const info = await lstat(inside).catch(() => undefined);
  if (!info) return false;
  if (info.isSymbolicLink() || !info.isDirectory()) throw new Error(`Refused to delete ${target}: it is not a checkpoint folder (a link or a file)`);
  // Renamed aside first, so the checkpoint disappears at once even if removing its files takes a while or fails.
  const aside = path.join(realParent, `.ckpt-${randomBytes(6).toString('hex')}.tmp`);
  await rename(inside, aside);
  await rm(aside, { recursive: true, force: true });
  return true;
}

/** Run ids that have a checkpoint folder in `folder` (names like run ids, real folders only), sorted by name. */
export async function listCheckpointFolders(folder: string): Promise<string[]> {
  const names = await readdir(path.resolve(folder)).catch(() => [] as string[]);
  const ids: string[] = [];
  for (const name of names.filter(isRunFolderName).sort()) {
    const info = await lstat(path.join(folder, name)).catch(() => undefined);
    if (info?.isDirectory()) ids.push(name);
  }
  return ids;
}
