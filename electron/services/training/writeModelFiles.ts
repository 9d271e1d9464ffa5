/**
 * The host's half of a model export: the trainer sends the files' bytes (it never learns a user's path), the host
 * writes them here. Each file is written atomically, weights first, so a `model.json` that exists always has
 * complete weights beside it. No tfjs import: the web host and Electron main stay free of it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { modelFileSchema, type ModelFile } from '../../../shared/contracts/trainer';
import { confinedFolder } from '../files/workspaceFiles';

/** Writes the files into `dir` (created if missing) and returns their absolute paths, model.json first. */
export async function writeModelFiles(dir: string, files: readonly ModelFile[]): Promise<string[]> {
  const absoluteDir = path.resolve(dir);
  for (const file of files) {
    // Checked again here (the trainer validated too): a name must never leave the folder.
    const checked = modelFileSchema.safeParse(file);
    if (!checked.success || path.basename(file.name) !== file.name) throw new Error(`Refused to write model file "${file.name}": not a plain file name`);
  }
  await mkdir(absoluteDir, { recursive: true });
  const ordered = [...files].sort((a, b) => Number(a.name.endsWith('.json')) - Number(b.name.endsWith('.json')));
  // Each file stays in the folder: a link planted at dir/model.json is refused, not written through.
  const folder = confinedFolder(absoluteDir, 'the export folder');
  for (const file of ordered) await folder.write(path.join(absoluteDir, file.name), file.bytes, { existing: 'replace' });
  return [...ordered].reverse().map((file) => path.join(absoluteDir, file.name));
}
