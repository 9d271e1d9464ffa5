/**
 * New from Data → Upload in the browser (issue 14): a table file or the files of an image folder sent to the web host's
 * import route (shared/contracts/dataImport.ts), small files several to a request, with the page's token, into
 * `workspace/data/<name>`. Progress counts bytes sent (XMLHttpRequest reports them while a file goes); aborting stops
 * the file on its way and tells the host to remove what it has. Names and sizes are checked before a byte is sent.
 * Only the web host has this route: Electron copies with its own dialog (inspectData with importToWorkspace).
 */
import {
  DATA_IMPORT_ROUTE,
  framedFileHeader,
  importNameProblem,
  importPathProblem,
  MAX_DATA_IMPORT_BYTES,
  MAX_DATA_IMPORT_FILES,
  type DataImportKind,
  type ImportedData,
} from '../../../shared/contracts/dataImport';
import { TOKEN_HEADER } from '../../../shared/contracts/graphBundle';
import { formatMegabytes } from '../../../shared/contracts/wireLimits';

/** One file to send: where it goes inside the import (a table: its own name) and its bytes. */
export interface UploadFile {
  readonly relativePath: string;
  readonly blob: Blob;
}

/** What the page sends for a chosen table or folder: the import's name, its files, and files left out (hidden ones). */
export interface UploadPlan {
  readonly kind: DataImportKind;
  readonly name: string;
  readonly files: readonly UploadFile[];
  readonly bytes: number;
  /** Hidden files (`.DS_Store`, `Thumbs.db`, `.git/…`): not sent, as the image lister would skip them anyway. */
  readonly skipped: number;
}

const isHidden = (part: string) => part.startsWith('.') || part === 'Thumbs.db' || part === 'desktop.ini' || part === '__MACOSX';

/**
 * The upload of `files` as the browser gave them: one table file, or a folder (`webkitRelativePath` `shapes/circle/01.png`:
 * the first part names the import). Throws with the reason when it cannot be imported (no files, two folders, a name or
 * path the host would refuse, over the limits).
 */
export function planUpload(kind: DataImportKind, files: readonly { readonly name: string; readonly webkitRelativePath?: string; readonly size: number; readonly blob: Blob }[]): UploadPlan {
  if (files.length === 0) throw new Error(kind === 'table' ? 'Choose a table file.' : 'The chosen folder holds no files.');
  let plan: UploadPlan;
  if (kind === 'table') {
    if (files.length > 1) throw new Error('Choose one table file.');
    const file = files[0]!;
    plan = { kind, name: file.name, files: [{ relativePath: file.name, blob: file.blob }], bytes: file.size, skipped: 0 };
  } else {
    const roots = new Set<string>();
    const kept: UploadFile[] = [];
    let skipped = 0;
    let bytes = 0;
    for (const file of files) {
      const parts = (file.webkitRelativePath || file.name).split('/');
      const [root, ...rest] = parts;
      if (rest.length === 0) throw new Error(`'${file.name}' is not inside a folder: choose the folder itself.`);
      roots.add(root!);
      if (rest.some(isHidden)) {
        skipped += 1;
        continue;
      }
      kept.push({ relativePath: rest.join('/'), blob: file.blob });
      bytes += file.size;
    }
    if (roots.size > 1) throw new Error(`Choose one folder (these files come from ${[...roots].slice(0, 3).join(', ')}).`);
    if (kept.length === 0) throw new Error('The chosen folder holds only hidden files.');
    plan = { kind, name: [...roots][0]!, files: kept, bytes, skipped };
  }
  const nameProblem = importNameProblem(kind, plan.name);
  if (nameProblem) throw new Error(`Cannot import '${plan.name}': ${nameProblem}.`);
  if (kind === 'imageFolder') {
    for (const file of plan.files) {
      const problem = importPathProblem(file.relativePath);
      if (problem) throw new Error(`Cannot import '${plan.name}': ${problem}.`);
    }
  }
  if (plan.files.length > MAX_DATA_IMPORT_FILES) throw new Error(`'${plan.name}' has ${plan.files.length.toLocaleString('en-US')} files; the limit for one import is ${MAX_DATA_IMPORT_FILES.toLocaleString('en-US')}.`);
  if (plan.bytes > MAX_DATA_IMPORT_BYTES) throw new Error(`'${plan.name}' is ${formatMegabytes(plan.bytes)}; the limit for one import is ${formatMegabytes(MAX_DATA_IMPORT_BYTES)}.`);
  return plan;
}

function pageToken(): string {
  return new URLSearchParams(window.location.search).get('token') ?? '';
}

function abortError(): Error {
  return Object.assign(new Error('The upload was cancelled'), { name: 'AbortError' });
}

/** One POST to the import route; `onSent` gets the bytes of the body sent so far. */
function post(query: Record<string, string>, body: Blob | undefined, signal: AbortSignal | undefined, onSent?: (bytes: number) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${DATA_IMPORT_ROUTE}?${new URLSearchParams(query)}`);
    xhr.setRequestHeader(TOKEN_HEADER, pageToken());
    if (onSent) xhr.upload.onprogress = (e) => onSent(e.loaded);
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.onload = () => {
      signal?.removeEventListener('abort', onAbort);
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as unknown);
        } catch {
          reject(new Error('The host answered the upload with something that is not JSON'));
        }
      } else reject(new Error(xhr.responseText.slice(0, 2000) || `The upload failed (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => {
      signal?.removeEventListener('abort', onAbort);
      reject(new Error('The upload failed: the connection to the lab was lost or refused (is the file over the limit?)'));
    };
    xhr.onabort = () => {
      signal?.removeEventListener('abort', onAbort);
      reject(abortError());
    };
    xhr.send(body ?? null);
  });
}

/** Requests on their way at once. */
export const UPLOAD_PARALLEL = 3;
/**
 * Small files go several to a request (`op=files`): one request per image costs a round trip each, far more than its
 * bytes. A batch closes at this many files or bytes; a bigger file goes on its own.
 */
export const BATCH_FILES = 200;
export const BATCH_BYTES = 8 * 1024 * 1024;
const PROGRESS_GAP_MS = 100;

/** One request's worth of files: consecutive files of the plan, as one body (headers and files, read lazily). */
export interface UploadBatch {
  readonly files: readonly UploadFile[];
  readonly bytes: number;
}

/** The plan's files in batches of at most {@link BATCH_FILES} files and {@link BATCH_BYTES} (a bigger file alone). */
export function batchFiles(files: readonly UploadFile[], maxFiles = BATCH_FILES, maxBytes = BATCH_BYTES): UploadBatch[] {
  const batches: UploadBatch[] = [];
  let current: UploadFile[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + file.blob.size > maxBytes)) {
      batches.push({ files: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.blob.size;
  }
  if (current.length > 0) batches.push({ files: current, bytes });
  return batches;
}

/** A batch as the body of one `op=files` request: each file's header, then the file (a Blob keeps the bytes on disk). */
export function batchBody(batch: UploadBatch): Blob {
  const parts: BlobPart[] = [];
  for (const file of batch.files) parts.push(framedFileHeader(file.relativePath, file.blob.size) as Uint8Array<ArrayBuffer>, file.blob);
  return new Blob(parts);
}

/**
 * Sends `plan` into `workspace/data/` in batches, {@link UPLOAD_PARALLEL} at a time; resolves to where it went (its page
 * path). On an abort or a failure the other files stop and the host removes what it had; nothing half-written stays.
 */
export async function uploadData(
  plan: UploadPlan,
  options: { readonly signal?: AbortSignal; readonly onProgress?: (progress: { readonly fraction: number; readonly message: string }) => void } = {},
): Promise<ImportedData> {
  const { signal, onProgress } = options;
  const { session } = (await post({ op: 'begin', kind: plan.kind, name: plan.name }, undefined, signal)) as { session: string };
  // Stops every file on its way: the page's cancel, or the first file that fails.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let doneBytes = 0;
  let doneFiles = 0;
  const sending = new Map<number, number>();
  // At most every PROGRESS_GAP_MS: a re-render per file would cost more than sending a small image.
  let lastReport = -Infinity;
  const report = () => {
    const now = performance.now();
    if (now - lastReport < PROGRESS_GAP_MS) return;
    lastReport = now;
    let bytes = doneBytes;
    for (const sent of sending.values()) bytes += sent;
    onProgress?.({
      fraction: plan.bytes > 0 ? bytes / plan.bytes : doneFiles / plan.files.length,
      message: plan.kind === 'table' ? `Uploading ${plan.name}: ${formatMegabytes(bytes)} of ${formatMegabytes(plan.bytes)}` : `Uploading ${plan.name}: ${doneFiles} of ${plan.files.length} files`,
    });
  };
  const batches = batchFiles(plan.files);
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < batches.length && !stop.signal.aborted) {
      const i = next++;
      const batch = batches[i]!;
      try {
        const body = batchBody(batch);
        await post({ op: 'files', session }, body, stop.signal, (sent) => {
          // Headers are a few bytes per file: count the share of the body sent as the share of its files' bytes.
          sending.set(i, body.size > 0 ? (sent / body.size) * batch.bytes : 0);
          report();
        });
      } catch (error) {
        // The file that was refused says why; files beside it then find the import closed, which says less.
        if (firstError === undefined || (firstError instanceof Error && firstError.message.startsWith('This import is no longer open'))) firstError = error;
        stop.abort();
        return;
      }
      sending.delete(i);
      doneBytes += batch.bytes;
      doneFiles += batch.files.length;
      report();
    }
  };
  try {
    report();
    await Promise.all(Array.from({ length: Math.min(UPLOAD_PARALLEL, batches.length) }, worker));
    if (signal?.aborted) throw abortError();
    if (firstError !== undefined) throw firstError;
    onProgress?.({ fraction: 1, message: `Uploaded ${plan.name}` });
    return (await post({ op: 'commit', session }, undefined, undefined)) as ImportedData;
  } catch (error) {
    // The host removes what it has (a refused file already ended the session there: a 404 then is fine).
    await post({ op: 'cancel', session }, undefined, undefined).catch(() => undefined);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
