/**
 * The one rule for reading and writing inside a folder (the web host's workspace, its exports, a state folder):
 * the real path — every link followed, in the file and in each parent, dangling links and folders not created yet
 * included — must lie inside the folder's real path. Open and save apply the same check with the same message.
 *
 * Writes resolve first, then write a temp file (O_EXCL) into the verified real directory, check again that the
 * directory is still where it was, and only then rename. What remains is the moment between that last check and the
 * rename: Node has no openat/renameat, and a process that can swap folders in the workspace at that moment could
 * already write there itself.
 */
import { lstat, mkdir, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileNameKey, fileNameProblem } from '../../../shared/format/fileNames';
import { cannotSave, FileError, WorkspacePathError } from './fileErrors';
import { writeFileAtomicAt, type AtomicWriteFs, type ExistingFile } from './writeGraphFileAtomic';

/** As the kernel's own limit (Linux: 40): a longer chain of links is a loop. */
const MAX_LINK_HOPS = 40;

export interface RealPath {
  readonly real: string;
  /** False when the real path does not exist yet (a new file, or a dangling link's target). */
  readonly exists: boolean;
}

export interface WriteTarget extends RealPath {
  /**
   * The name on disk of a file this write would replace: the target itself, or one whose name differs only in case
   * or Unicode form (the same file on macOS and Windows, or once the folder is copied there). Undefined when free.
   */
  readonly existingName?: string;
}

export interface ConfinedWriteOptions {
  /** How the file is named in messages (`workspace/a.nbrick`); defaults to the absolute path. */
  readonly label?: string;
  readonly existing: ExistingFile;
  readonly io?: AtomicWriteFs;
}

export interface ConfinedFolder {
  /** Absolute path of the folder as configured (it may itself be a link: its real path is the boundary). */
  readonly root: string;
  /** The real path of an existing file inside the folder; refuses with WorkspacePathError or "does not exist". */
  resolveForRead(absolute: string, label?: string): Promise<string>;
  /** The real path a write to `absolute` would land on, after checking it stays inside. Touches nothing. */
  resolveForWrite(absolute: string, label?: string): Promise<WriteTarget>;
  /** Creates the missing folders of `absolute` (inside only) and returns the real path of the folder itself. */
  ensureFolder(absolute: string, label?: string): Promise<string>;
  /** Confined atomic write; resolves to the real path written. */
  write(absolute: string, data: string | Uint8Array, options: ConfinedWriteOptions): Promise<string>;
}

/**
 * Follows `target` to where it really leads without requiring it to exist: the real path of the nearest existing
 * ancestor, plus the parts not created yet; a dangling link is followed to the place it names.
 */
export async function realPathOf(target: string): Promise<RealPath> {
  let pending = path.resolve(target);
  const missing: string[] = [];
  for (let hops = 0; hops <= MAX_LINK_HOPS; ) {
    try {
      const real = await realpath(pending);
      return { real: path.join(real, ...missing), exists: missing.length === 0 };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    const info = await lstat(pending).catch(() => undefined);
    if (info?.isSymbolicLink()) {
      hops++;
      pending = path.resolve(path.dirname(pending), await readlink(pending));
      continue;
    }
    const parent = path.dirname(pending);
    if (parent === pending) break;
    missing.unshift(path.basename(pending));
    pending = parent;
  }
  throw Object.assign(new Error(`${target}: too many levels of links`), { code: 'ELOOP' });
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
}

/**
 * A folder whose reads and writes may not leave it. `description` completes the refusal message: "it is a link to
 * a place outside <description>" (e.g. "the workspace").
 */
export function confinedFolder(root: string, description = 'its folder'): ConfinedFolder {
  const outside = (label: string) => new WorkspacePathError(label, `it is a link to a place outside ${description}`);

  async function realRoot(): Promise<string> {
    return realpath(root);
  }

  async function resolveInside(absolute: string, label: string): Promise<RealPath> {
    if (!isInside(root, path.resolve(absolute))) throw new WorkspacePathError(label, `it is not inside ${description}`);
    const [rootReal, target] = await Promise.all([realRoot(), realPathOf(absolute)]);
    if (!isInside(rootReal, target.real)) throw outside(label);
    return target;
  }

  function checkNames(absolute: string, label: string): void {
    for (const part of path.relative(root, path.resolve(absolute)).split(path.sep)) {
      const problem = fileNameProblem(part);
      if (problem) throw cannotSave(label, problem);
    }
  }

  const folder: ConfinedFolder = {
    root,

    async resolveForRead(absolute, label = absolute) {
      const target = await resolveInside(absolute, label);
      if (!target.exists) {
        throw Object.assign(new FileError(`"${label}" does not exist.`), { code: 'ENOENT' });
      }
      return target.real;
    },

    async resolveForWrite(absolute, label = absolute) {
      checkNames(absolute, label);
      const target = await resolveInside(absolute, label);
      if (target.exists) {
        const info = await lstat(target.real);
        if (info.isDirectory()) throw cannotSave(label, 'a folder has that name.');
        return { ...target, existingName: path.basename(path.resolve(absolute)) };
      }
      const key = fileNameKey(path.basename(target.real));
      const siblings = await readdir(path.dirname(target.real)).catch(() => [] as string[]);
      const existingName = siblings.find((name) => fileNameKey(name) === key);
      return existingName === undefined ? target : { ...target, existingName };
    },

    async ensureFolder(absolute, label = absolute) {
      checkNames(absolute, label);
      const target = await resolveInside(absolute, label);
      await mkdir(target.real, { recursive: true });
      // mkdir follows links in parts created meanwhile: the folder must still be exactly where it was checked.
      if ((await realpath(target.real)) !== target.real) throw outside(label);
      return target.real;
    },

    async write(absolute, data, options) {
      const label = options.label ?? absolute;
      const target = await folder.resolveForWrite(absolute, label);
      const dir = path.dirname(target.real);
      await mkdir(dir, { recursive: true });
      const dirStillInPlace = async () => {
        if ((await realpath(dir)) !== dir) throw outside(label);
      };
      await dirStillInPlace();
      await writeFileAtomicAt(target.real, data, {
        label,
        existing: options.existing,
        beforeCommit: dirStillInPlace,
        ...(options.io ? { io: options.io } : {}),
      });
      return target.real;
    },
  };
  return folder;
}
