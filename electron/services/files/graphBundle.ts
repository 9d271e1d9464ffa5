/**
 * A graph with its trained models as one zip, laid out exactly as on disk: `<name>.nbrick` and
 * `<name>.nbrick-runs/<runId>/{model.json,weights.bin,checkpoint.json}`, so unzipping it anywhere gives a file the
 * app opens with its checkpoints (docs/file-format.md, "Bundles").
 *
 * Reading trusts nothing in the archive: every entry name must be one of those paths (no absolute path, no `..`, no
 * backslash, no duplicate, nothing else), and no entry is inflated into more bytes than its limit — the graph's file
 * limit, checkpoint.json's, or the size its checkpoint.json records — so a zip bomb cannot take the host's memory.
 * Whether a checkpoint is whole is the checkpoint store's question (verifyCheckpointFiles), not this module's.
 */
import { unzipSync, zipSync, type UnzipFileInfo, type Zippable } from 'fflate';
import { CHECKPOINT_FOLDER_SUFFIX, CHECKPOINT_META_FILE, checkpointMetaSchema } from '../../../shared/contracts/evaluation';
import { MAX_BUNDLE_BYTES } from '../../../shared/contracts/graphBundle';
import { formatMegabytes, MAX_FILE_BYTES } from '../../../shared/contracts/wireLimits';
import { GRAPH_FILE_EXTENSION } from '../../../shared/format/graphFileSchema';
import { CHECKPOINT_MODEL_FILES, isRunFolderName } from '../checkpoints/checkpointStore';

/** A checkpoint.json lists two or three files: far below this. */
const MAX_CHECKPOINT_META_BYTES = 1024 * 1024;
const BUNDLE_FILES: readonly string[] = [...CHECKPOINT_MODEL_FILES, CHECKPOINT_META_FILE];

export class BundleError extends Error {}

export interface BundleCheckpoint {
  readonly runId: string;
  /** checkpoint.json and the files it lists, by name, as they are on disk. */
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

/**
 * Every entry's timestamp: fixed, so the same files always make the same bytes (a bundle can be hashed, diffed or
 * cached). The files' own times say nothing useful here; checkpoint.json records when each model was made.
 */
const BUNDLE_MTIME = new Date('2000-01-01T00:00:00Z');

/** The zip of `graphBytes` saved as `fileName` (`x.nbrick`) and its checkpoints under `x.nbrick-runs/`. */
export function zipGraphBundle(fileName: string, graphBytes: Uint8Array, checkpoints: readonly BundleCheckpoint[]): Uint8Array {
  const runsFolder = `${fileName}${CHECKPOINT_FOLDER_SUFFIX}`;
  const entries: Zippable = { [fileName]: [graphBytes, { level: 6, mtime: BUNDLE_MTIME }] };
  for (const checkpoint of checkpoints) {
    // Weights are float data that barely compress: stored, so packing a large model costs no time. Flat paths: no
    // folder entries, only files.
    for (const file of checkpoint.files) {
      entries[`${runsFolder}/${checkpoint.runId}/${file.name}`] = [file.bytes, { level: file.name.endsWith('.json') ? 6 : 0, mtime: BUNDLE_MTIME }];
    }
  }
  return zipSync(entries);
}

export interface OpenedBundle {
  /** `x.nbrick`, as named in the archive. */
  readonly fileName: string;
  readonly graphBytes: Uint8Array;
  /** Per run folder in the archive: its files by name (a model file larger than its checkpoint.json says is absent). */
  readonly runs: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;
}

interface EntryInfo {
  readonly name: string;
  readonly size: number;
  readonly originalSize: number;
}

/** Why `name` may not be in a bundle, or undefined for a plain relative path. */
function unsafeEntryName(name: string): string | undefined {
  if (name.includes('\\') || name.includes('\0')) return 'it contains a backslash or a NUL';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'it is an absolute path';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.some((part) => part === '..' || part === '.' || part === '')) return 'it has an empty, "." or ".." part';
  return undefined;
}

/**
 * The graph and checkpoint files of a bundle, every name and size checked (see the module comment). Throws a
 * BundleError naming the first entry that breaks a rule; says nothing about whether checkpoints are whole.
 */
export function openGraphBundle(zip: Uint8Array, maxGraphBytes = MAX_FILE_BYTES, maxBundleBytes = MAX_BUNDLE_BYTES): OpenedBundle {
  if (zip.byteLength > maxBundleBytes) throw new BundleError(`The bundle is ${formatMegabytes(zip.byteLength)}; the limit is ${formatMegabytes(maxBundleBytes)}.`);
  const entries: EntryInfo[] = [];
  const unzip = (want: (entry: EntryInfo) => boolean): Record<string, Uint8Array> => {
    try {
      return unzipSync(zip, { filter: (info: UnzipFileInfo) => want(info) });
    } catch (error) {
      throw new BundleError(`Not a readable zip: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  unzip((info) => {
    entries.push({ name: info.name, size: info.size, originalSize: info.originalSize });
    return false;
  });

  const seen = new Set<string>();
  const graphs = entries.filter((entry) => !entry.name.includes('/'));
  for (const entry of entries) {
    const problem = unsafeEntryName(entry.name);
    if (problem) throw new BundleError(`Refused entry "${entry.name.slice(0, 200)}": ${problem}.`);
    if (seen.has(entry.name)) throw new BundleError(`Refused entry "${entry.name.slice(0, 200)}": it appears twice.`);
    seen.add(entry.name);
  }
  if (graphs.length !== 1 || !graphs[0]!.name.toLowerCase().endsWith(GRAPH_FILE_EXTENSION)) {
    throw new BundleError(`A bundle holds exactly one ${GRAPH_FILE_EXTENSION} file at its top level (found: ${graphs.map((g) => g.name).join(', ') || 'none'}).`);
  }
  const graph = graphs[0]!;
  const runsFolder = `${graph.name}${CHECKPOINT_FOLDER_SUFFIX}`;
  const runFiles: (EntryInfo & { runId: string; file: string })[] = [];
  for (const entry of entries) {
    if (entry === graph) continue;
    const parts = entry.name.replace(/\/$/, '').split('/');
    const isFolder = entry.name.endsWith('/');
    const allowed =
      parts[0] === runsFolder &&
      (parts.length === 1 ? isFolder : isRunFolderName(parts[1]!) && (parts.length === 2 ? isFolder : parts.length === 3 && !isFolder && BUNDLE_FILES.includes(parts[2]!)));
    if (!allowed) throw new BundleError(`Refused entry "${entry.name.slice(0, 200)}": a bundle holds only ${graph.name} and ${runsFolder}/<run id>/{${BUNDLE_FILES.join(',')}}.`);
    if (parts.length === 3) runFiles.push({ ...entry, runId: parts[1]!, file: parts[2]! });
  }
  if (graph.originalSize > maxGraphBytes) {
    throw new BundleError(`${graph.name} is ${formatMegabytes(graph.originalSize)}; the limit for a graph file is ${formatMegabytes(maxGraphBytes)}.`);
  }

  // The graph and each checkpoint.json first: the sizes they record bound what the model files may inflate to.
  const metas = unzip((info) =>
    info.name === graph.name ||
    (info.name.endsWith(`/${CHECKPOINT_META_FILE}`) && info.originalSize <= MAX_CHECKPOINT_META_BYTES),
  );
  const declared = new Map<string, number>();
  let declaredTotal = graph.originalSize;
  for (const entry of runFiles.filter((e) => e.file === CHECKPOINT_META_FILE)) {
    const bytes = metas[entry.name];
    if (!bytes) continue; // too large to be one: the store reports the run's checkpoint.json as missing
    declaredTotal += bytes.byteLength;
    const parsed = parseMeta(bytes);
    for (const file of parsed ?? []) {
      if (!CHECKPOINT_MODEL_FILES.includes(file.name as (typeof CHECKPOINT_MODEL_FILES)[number])) continue;
      declared.set(`${runsFolder}/${entry.runId}/${file.name}`, file.bytes);
      declaredTotal += file.bytes;
    }
  }
  if (declaredTotal > maxBundleBytes) {
    throw new BundleError(`The bundle's graph and checkpoints come to ${formatMegabytes(declaredTotal)}; the limit is ${formatMegabytes(maxBundleBytes)}.`);
  }
  const models = unzip((info) => {
    const limit = declared.get(info.name);
    return limit !== undefined && info.originalSize <= limit;
  });

  const runs = new Map<string, Map<string, Uint8Array>>();
  for (const entry of runFiles) {
    const files = runs.get(entry.runId) ?? new Map<string, Uint8Array>();
    runs.set(entry.runId, files);
    const bytes = metas[entry.name] ?? models[entry.name];
    if (bytes) files.set(entry.file, bytes);
  }
  return { fileName: graph.name, graphBytes: metas[graph.name]!, runs };
}

function parseMeta(bytes: Uint8Array): readonly { name: string; bytes: number }[] | undefined {
  try {
    const parsed = checkpointMetaSchema.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
    return parsed.success ? parsed.data.files : undefined;
  } catch {
    return undefined;
  }
}
