/**
 * New from Data → Upload in the browser (issue 14): a table file or the files of an image folder sent to the web host's
 * import route (shared/contracts/dataImport.ts), one request per file with the page's token, into
 * `workspace/data/<name>`. Progress counts bytes sent (XMLHttpRequest reports them while a file goes); aborting stops
 * the file on its way and tells the host to remove what it has. Names and sizes are checked before a byte is sent.
 * Only the web host has this route: Electron copies with its own dialog (inspectData with importToWorkspace).
 */
import {
  DATA_IMPORT_ROUTE,
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

/**
 * Sends `plan` into `workspace/data/`; resolves to where it went (its page path). On an abort or a failure the host
 * removes what it had; nothing half-written stays.
 */
export async function uploadData(
  plan: UploadPlan,
  options: { readonly signal?: AbortSignal; readonly onProgress?: (progress: { readonly fraction: number; readonly message: string }) => void } = {},
): Promise<ImportedData> {
  const { signal, onProgress } = options;
  const { session } = (await post({ op: 'begin', kind: plan.kind, name: plan.name }, undefined, signal)) as { session: string };
  let done = 0;
  try {
    for (const [i, file] of plan.files.entries()) {
      const report = (sent: number) =>
        onProgress?.({
          fraction: plan.bytes > 0 ? (done + sent) / plan.bytes : i / plan.files.length,
          message: plan.kind === 'table' ? `Uploading ${plan.name}: ${formatMegabytes(done + sent)} of ${formatMegabytes(plan.bytes)}` : `Uploading ${plan.name}: ${i} of ${plan.files.length} files`,
        });
      report(0);
      await post({ op: 'file', session, path: file.relativePath }, file.blob, signal, report);
      done += file.blob.size;
    }
    onProgress?.({ fraction: 1, message: `Uploaded ${plan.name}` });
    if (signal?.aborted) throw abortError();
    return (await post({ op: 'commit', session }, undefined, undefined)) as ImportedData;
  } catch (error) {
    // The host removes what it has (a refused file already ended the session there: a 404 then is fine).
    await post({ op: 'cancel', session }, undefined, undefined).catch(() => undefined);
    throw error;
  }
}
