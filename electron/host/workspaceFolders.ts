/**
 * The web host's view of the disk: the page may name files only as `workspace/<name>.nbrick` (the user's folder,
 * read-write) or `examples/<name>.nbrick` (the bundled templates, read-only). Everything else is refused, so a
 * page that somehow got the token still cannot read or write outside those two folders.
 */
import { realpathSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileEntry } from '../../shared/contracts/api';
import { safeFileName } from '../../shared/format/fileNames';
import { GRAPH_FILE_EXTENSION } from '../../shared/format/graphFileSchema';
import { WorkspacePathError } from '../services/files/fileErrors';
import { confinedFolder, type ConfinedFolder } from '../services/files/workspaceFiles';

export interface WorkspaceFolders {
  /** Absolute path of the user's folder. */
  readonly workspace: string;
  /** Absolute path of the read-only templates. */
  readonly examples: string;
}

export interface ResolvedPath {
  readonly absolute: string;
  readonly readOnly: boolean;
  /** The page-facing form, e.g. `workspace/my-net.nbrick`. */
  readonly display: string;
}

const ROOTS = ['workspace', 'examples'] as const;

export { WorkspacePathError };

/** The confinement of each root (workspaceFiles.ts): the one rule every read and write of the web host goes through. */
export function workspaceFolder(folders: WorkspaceFolders): ConfinedFolder {
  return confinedFolder(folders.workspace, 'the workspace');
}
export function templatesFolder(folders: WorkspaceFolders): ConfinedFolder {
  return confinedFolder(folders.examples, 'the templates folder');
}

/** Turns a page-facing path into an absolute one inside its root, or throws a WorkspacePathError. */
export function resolveWorkspacePath(folders: WorkspaceFolders, pagePath: string): ResolvedPath {
  const normalized = pagePath.replaceAll('\\', '/');
  const slash = normalized.indexOf('/');
  const rootName = slash > 0 ? normalized.slice(0, slash) : '';
  const rest = slash > 0 ? normalized.slice(slash + 1) : '';
  if (!(ROOTS as readonly string[]).includes(rootName)) {
    throw new WorkspacePathError(pagePath, 'it must start with "workspace/" or "examples/"');
  }
  if (rest === '' || rest.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new WorkspacePathError(pagePath, 'empty, "." or ".." segments are not allowed');
  }
  if (!rest.toLowerCase().endsWith(GRAPH_FILE_EXTENSION)) {
    throw new WorkspacePathError(pagePath, `only ${GRAPH_FILE_EXTENSION} files can be opened or saved`);
  }
  const root = rootName === 'workspace' ? folders.workspace : folders.examples;
  const absolute = path.resolve(root, rest);
  if (!absolute.startsWith(root + path.sep)) throw new WorkspacePathError(pagePath, 'it leaves its folder');
  return { absolute, readOnly: rootName === 'examples', display: `${rootName}/${rest}` };
}

/**
 * A data file or folder the page names (issue 14: a table or image folder, any name), as resolveWorkspacePath does for
 * graph files: `workspace/…` or `examples/…`, no `.`/`..`/empty segments, inside its root. Links are checked by
 * {@link assertDataInside}.
 */
export function resolveWorkspaceDataPath(folders: WorkspaceFolders, pagePath: string): ResolvedPath {
  const normalized = pagePath.replaceAll('\\', '/').replace(/\/+$/, '');
  const slash = normalized.indexOf('/');
  const rootName = slash > 0 ? normalized.slice(0, slash) : '';
  const rest = slash > 0 ? normalized.slice(slash + 1) : '';
  if (!(ROOTS as readonly string[]).includes(rootName)) {
    throw new WorkspacePathError(pagePath, 'it must start with "workspace/" or "examples/"');
  }
  if (rest === '' || rest.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new WorkspacePathError(pagePath, 'empty, "." or ".." segments are not allowed');
  }
  const root = rootName === 'workspace' ? folders.workspace : folders.examples;
  const absolute = path.resolve(root, rest);
  if (!absolute.startsWith(root + path.sep)) throw new WorkspacePathError(pagePath, 'it leaves its folder');
  return { absolute, readOnly: rootName === 'examples', display: `${rootName}/${rest}` };
}

/**
 * Data the web host may read: an absolute path (a page path resolved, or a graph file's recorded data path resolved
 * beside it) inside the workspace or the templates, following links. A path that does not exist passes (whoever reads
 * it reports it missing); one outside, or a link leading out, is refused with a WorkspacePathError.
 */
export async function assertDataInside(folders: WorkspaceFolders, absolute: string): Promise<void> {
  const pagePath = toPagePath(folders, path.resolve(absolute));
  if (pagePath === undefined) {
    throw new WorkspacePathError(absolute, 'data must be inside the workspace (or the bundled examples)');
  }
  const folder = pagePath.startsWith('examples') ? templatesFolder(folders) : workspaceFolder(folders);
  try {
    await folder.resolveForRead(absolute, pagePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
}

/**
 * Links inside the workspace could still point elsewhere: the real path of an existing file, checked to lie inside
 * its root (the same check saves make). Refuses with WorkspacePathError, or `"<path>" does not exist.`.
 */
export async function resolveRealPathInside(folders: WorkspaceFolders, resolved: ResolvedPath): Promise<string> {
  const folder = resolved.readOnly ? templatesFolder(folders) : workspaceFolder(folders);
  return folder.resolveForRead(resolved.absolute, resolved.display);
}

/** As resolveRealPathInside, when only the check matters. */
export async function assertRealPathInside(folders: WorkspaceFolders, resolved: ResolvedPath): Promise<void> {
  await resolveRealPathInside(folders, resolved);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `text` with every absolute path inside the folders written as the page names it (`/srv/lab/ws/a.nbrick-runs/…` →
 * `workspace/a.nbrick-runs/…`), through the folders' real paths too: a message from the disk may name either.
 * Paths elsewhere are left as they are.
 */
export function toPageText(folders: WorkspaceFolders, text: string): string {
  const roots: [string, string][] = [];
  for (const rootName of ROOTS) {
    const root = path.resolve(rootName === 'workspace' ? folders.workspace : folders.examples);
    roots.push([root, rootName]);
    try {
      const real = realpathSync.native(root);
      if (real !== root) roots.push([real, rootName]);
    } catch {
      // a folder that does not exist (yet) has no other name
    }
  }
  // Longest first: a folder inside another (examples inside the workspace) keeps its own name.
  roots.sort((a, b) => b[0].length - a[0].length);
  let mapped = text;
  for (const [root, rootName] of roots) {
    // Only the whole folder name: `/srv/ws` must not match the start of `/srv/ws2`.
    const pattern = new RegExp(`${escapeRegExp(root)}(?:[/\\\\]([^\\s"'(),;]*))?(?![A-Za-z0-9._-])`, 'g');
    mapped = mapped.replace(pattern, (_, rest: string | undefined) => (rest ? `${rootName}/${rest.split(path.sep).join('/')}` : rootName));
  }
  return mapped;
}

/** Page-facing path of an absolute file, if it lies in one of the folders. */
export function toPagePath(folders: WorkspaceFolders, absolute: string): string | undefined {
  for (const rootName of ROOTS) {
    const root = rootName === 'workspace' ? folders.workspace : folders.examples;
    const relative = path.relative(root, absolute);
    if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) {
      return `${rootName}/${relative.split(path.sep).join('/')}`;
    }
  }
  return undefined;
}

async function listGraphFiles(root: string, rootName: string, readOnly: boolean): Promise<FileEntry[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const entries: FileEntry[] = [];
  for (const name of names.sort()) {
    if (!name.toLowerCase().endsWith(GRAPH_FILE_EXTENSION) || name.startsWith('.')) continue;
    try {
      const info = await stat(path.join(root, name));
      if (info.isFile()) {
        entries.push({ path: `${rootName}/${name}`, name, readOnly, modifiedAt: info.mtime.toISOString() });
      }
    } catch {
      // Removed between readdir and stat: skip it.
    }
  }
  return entries;
}

/** The user's files first, newest first; then the templates by name. */
export async function listWorkspaceFiles(folders: WorkspaceFolders): Promise<FileEntry[]> {
  const [own, examples] = await Promise.all([
    listGraphFiles(folders.workspace, 'workspace', false),
    listGraphFiles(folders.examples, 'examples', true),
  ]);
  own.sort((a, b) => (b.modifiedAt ?? '').localeCompare(a.modifiedAt ?? ''));
  return [...own, ...examples];
}

export async function ensureWorkspace(folders: WorkspaceFolders): Promise<void> {
  await mkdir(folders.workspace, { recursive: true });
}

/** A folder name made from free text (a graph name, a run id): letters, digits, `_ . -`, never hidden or empty. */
export function safeFolderName(text: string, fallback = 'untitled'): string {
  const name = text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.\s-]+|[.\s-]+$/g, '')
    .slice(0, 80);
  return name || fallback;
}

/** Folder of the web host's model exports, inside the workspace. */
export const EXPORTS_FOLDER = 'exports';

/** A file name for Save As in the web host: what was asked for, made safe, with the extension (shared/format/fileNames.ts). */
export { safeFileName };
