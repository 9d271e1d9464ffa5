/**
 * Where the web host's File → Export… and File → Import… (interopHandlers.ts) may write and read: only inside the
 * workspace, through its confinement (workspaceFolders.ts), whatever name the page sends.
 *
 * - An export goes into a new folder `workspace/exports/<name>-<format>/` (`-2`, `-3`, … when taken): made from the
 *   name by safeFolderName, created by us, so an export never writes through a link or over another export.
 * - An upload (model.json and its weight shards) goes into a new folder `workspace/imports/<name>/`; each file name must
 *   be a plain name (letters, digits, `_ . -`), since model.json names its shards by these names.
 * - A model named by path must be a `.json` inside the workspace (or the bundled examples), links checked.
 * - The imported graph is a new file `workspace/<name>.nbrick` (never one that exists, nor one whose `-runs` folder is
 *   taken), so nothing of the user's is replaced.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { OpenedFile } from '../../shared/contracts/api';
import type { ModelFileEntry } from '../../shared/contracts/interop';
import { safeFileName } from '../../shared/format/fileNames';
import { GRAPH_FILE_EXTENSION } from '../../shared/format/graphFileSchema';
import { WorkspacePathError } from '../services/files/fileErrors';
import type { InteropPaths } from './interopHandlers';
import {
  EXPORTS_FOLDER,
  resolveWorkspaceDataPath,
  safeFolderName,
  templatesFolder,
  toPagePath,
  toPageText,
  workspaceFolder,
  type WorkspaceFolders,
} from './workspaceFolders';

/** Folder of uploaded models, inside the workspace. */
export const IMPORTS_FOLDER = 'imports';
/** How many numbered variants of a name are tried before giving up. */
const MAX_VARIANTS = 1000;
/** Model JSONs larger than this are not looked into when listing (they still import by path). */
const LIST_READ_LIMIT = 8 * 1024 * 1024;
const LIST_MAX_ENTRIES = 200;
const LIST_MAX_DEPTH = 4;

const UPLOAD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;

async function taken(absolute: string): Promise<boolean> {
  return lstat(absolute).then(
    () => true,
    () => false,
  );
}

/** `base`, `base-2`, `base-3`, …: the first for which `isFree` holds. */
async function freeName(base: string, isFree: (name: string) => Promise<boolean>): Promise<string> {
  for (let i = 1; i <= MAX_VARIANTS; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (await isFree(name)) return name;
  }
  throw new Error(`Too many files named ${base}-…: remove some first.`);
}

/** A plain file name for an uploaded file, or why not. */
export function uploadNameProblem(name: string): string | undefined {
  if (!UPLOAD_NAME.test(name) || name.endsWith('.')) {
    return `"${name.slice(0, 80)}" is not a plain file name (letters, digits, "_", "." and "-"; not starting with "." or "-")`;
  }
  return undefined;
}

export interface WebInteropOptions {
  /** The web host's checked resolution of a page path to a graph file (as evaluation uses). */
  readonly graphPath: (pagePath: string) => Promise<string>;
  /** The web host's openFile, by page path. */
  readonly openPagePath: (pagePath: string) => Promise<OpenedFile>;
}

export function webInteropPaths(folders: WorkspaceFolders, options: WebInteropOptions): InteropPaths {
  const workspace = workspaceFolder(folders);

  /** A new folder `workspace/<parent>/<base>[-n]`, created inside the workspace; its real path and page path. */
  async function newFolder(parent: string, base: string): Promise<{ absolute: string; display: string }> {
    const name = await freeName(base, async (candidate) => !(await taken(path.join(folders.workspace, parent, candidate))));
    const display = `workspace/${parent}/${name}`;
    const absolute = await workspace.ensureFolder(path.join(folders.workspace, parent, name), display);
    return { absolute, display };
  }

  async function modelByPath(pagePath: string): Promise<string> {
    const resolved = resolveWorkspaceDataPath(folders, pagePath);
    if (!resolved.absolute.toLowerCase().endsWith('.json')) {
      throw new WorkspacePathError(pagePath, 'a model to import is a .json file (a Keras model JSON or a TF.js model.json)');
    }
    const folder = resolved.readOnly ? templatesFolder(folders) : workspaceFolder(folders);
    return folder.resolveForRead(resolved.absolute, resolved.display);
  }

  async function uploaded(files: readonly { name: string; base64: string }[], name: string): Promise<string> {
    for (const file of files) {
      const problem = uploadNameProblem(file.name);
      if (problem) throw new Error(`Cannot upload ${problem}.`);
    }
    const names = files.map((f) => f.name.toLowerCase());
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new Error(`Cannot upload two files named ${duplicate}.`);
    const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
    if (jsons.length !== 1) {
      throw new Error(`Upload one model JSON with its weight files (got ${jsons.length === 0 ? 'no .json file' : `${jsons.length} .json files: ${jsons.map((f) => f.name).join(', ')}`}).`);
    }
    const folder = await newFolder(IMPORTS_FOLDER, safeFolderName(name, 'model'));
    for (const file of files) {
      // Inside the new folder, never replacing: written through the workspace's confinement like a save.
      await workspace.write(path.join(folder.absolute, file.name), Buffer.from(file.base64, 'base64'), {
        label: `${folder.display}/${file.name}`,
        existing: 'refuse',
      });
    }
    return path.join(folder.absolute, jsons[0]!.name);
  }

  /** The default name of the graph: the model's folder for a `model.json`, else the file's own name. */
  function defaultName(model: string): string {
    const base = path.basename(model).replace(/\.json$/i, '');
    return base.toLowerCase() === 'model' ? path.basename(path.dirname(model)) : base;
  }

  return {
    graphPath: options.graphPath,

    async exportFolder(name, format) {
      const folder = await newFolder(EXPORTS_FOLDER, `${safeFolderName(name, 'model')}-${format}`);
      return { ...folder, show: (file: string) => `${folder.display}/${file}` };
    },

    async importPlan({ path: pagePath, upload, name }) {
      let model: string;
      if (pagePath !== undefined) model = await modelByPath(pagePath);
      else if (upload) model = await uploaded(upload.files, name?.trim() || 'imported-model');
      else throw new Error('The web host has no file dialog: upload model.json with its weight files, or choose a model in the workspace.');
      await assertShardsInside(model, folders);
      const base = safeFileName(name?.trim() || defaultName(model)).slice(0, -GRAPH_FILE_EXTENSION.length);
      const fileName = await freeName(base, async (candidate) => {
        const file = path.join(folders.workspace, `${candidate}${GRAPH_FILE_EXTENSION}`);
        // Also the case-insensitive twin a save would refuse, and the folder its kept run would go into.
        const target = await workspace.resolveForWrite(file, `workspace/${candidate}${GRAPH_FILE_EXTENSION}`);
        return target.existingName === undefined && !(await taken(`${file}-runs`));
      });
      return { model, target: path.join(folders.workspace, `${fileName}${GRAPH_FILE_EXTENSION}`) };
    },

    async open(absolute) {
      const pagePath = toPagePath(folders, absolute);
      if (!pagePath) throw new WorkspacePathError(absolute, 'it is not inside the workspace');
      return options.openPagePath(pagePath);
    },

    display: (text) => toPageText(folders, text),

    async listModelFiles() {
      const found: (ModelFileEntry & { mtime: number })[] = [];
      const walk = async (dir: string, page: string, depth: number): Promise<void> => {
        let names: string[];
        try {
          names = (await readdir(dir)).sort();
        } catch {
          return;
        }
        for (const entry of names) {
          if (found.length >= LIST_MAX_ENTRIES) return;
          if (entry.startsWith('.') || entry.endsWith('-runs') || entry === 'node_modules') continue;
          const absolute = path.join(dir, entry);
          const info = await lstat(absolute).catch(() => undefined);
          if (!info || info.isSymbolicLink()) continue;
          if (info.isDirectory()) {
            if (depth < LIST_MAX_DEPTH) await walk(absolute, `${page}/${entry}`, depth + 1);
            continue;
          }
          if (!info.isFile() || !entry.toLowerCase().endsWith('.json') || info.size > LIST_READ_LIMIT) continue;
          const described = await describeModelJson(absolute);
          if (described) found.push({ path: `${page}/${entry}`, name: entry, ...described, mtime: info.mtimeMs });
        }
      };
      await walk(folders.workspace, 'workspace', 1);
      return found.sort((a, b) => b.mtime - a.mtime).map(({ mtime: _mtime, ...entry }) => entry);
    },
  };
}

/**
 * A TF.js model.json names its weight files by relative paths, which the import reads: each must stay in the model's
 * folder (no `..`, no absolute path, no link leading out of the workspace), or a crafted model.json could make the
 * host read any file into a checkpoint.
 */
async function assertShardsInside(model: string, folders: WorkspaceFolders): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(model, 'utf8'));
  } catch {
    return; // not JSON: the import itself says so
  }
  const groups = typeof json === 'object' && json !== null && Array.isArray((json as { weightsManifest?: unknown }).weightsManifest)
    ? ((json as { weightsManifest: { paths?: unknown }[] }).weightsManifest)
    : [];
  const dir = path.dirname(model);
  const pageDir = toPagePath(folders, dir) ?? 'the model folder';
  for (const group of groups) {
    for (const shard of Array.isArray(group?.paths) ? group.paths : []) {
      const name = typeof shard === 'string' ? shard.replace(/^\.\//, '') : '';
      const parts = name.split(/[\\/]/);
      if (name === '' || path.isAbsolute(name) || parts.some((part) => part === '..' || part === '')) {
        throw new WorkspacePathError(String(shard).slice(0, 200), `a weight file of a model must be inside its folder (${pageDir})`);
      }
      const absolute = path.join(dir, name);
      const inExamples = toPagePath(folders, absolute)?.startsWith('examples/') === true;
      try {
        await (inExamples ? templatesFolder(folders) : workspaceFolder(folders)).resolveForRead(absolute, `${pageDir}/${name}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // missing: imported without weights, and said so
        throw error;
      }
    }
  }
}

/** Whether a JSON file looks like a model we import (a TF.js model.json or a Keras model JSON), and its shards. */
async function describeModelJson(absolute: string): Promise<Pick<ModelFileEntry, 'kind' | 'shards'> | undefined> {
  let json: unknown;
  try {
    const text = await readFile(absolute, 'utf8');
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const record = json as Record<string, unknown>;
  if (record['modelTopology'] !== undefined) {
    const groups = Array.isArray(record['weightsManifest']) ? (record['weightsManifest'] as { paths?: unknown }[]) : [];
    const shards = groups.flatMap((g) => (Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []));
    let present = 0;
    for (const shard of shards) {
      const file = path.join(path.dirname(absolute), shard.replace(/^\.\//, ''));
      if (await stat(file).then((s) => s.isFile(), () => false)) present++;
    }
    return { kind: 'tfjs', shards: { named: shards.length, present } };
  }
  if (typeof record['class_name'] === 'string' && record['config'] !== undefined) return { kind: 'keras' };
  return undefined;
}
