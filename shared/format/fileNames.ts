/**
 * File names for saving, shared by the web host (which makes the name) and the browser's Save As dialog (which must
 * know the name the host will make, to ask before replacing a file). Names keep every character that is legal on
 * Windows, macOS and Linux alike — Unicode included — so two different names never collapse into one file.
 */
import { utf8ByteLength } from './loadGraphFile';
import { GRAPH_FILE_EXTENSION } from './graphFileSchema';

/** Per path component, in bytes of UTF-8 (ext4, APFS, NTFS all stop at 255). */
export const MAX_FILE_NAME_BYTES = 255;

/** Characters no file name may contain on some supported system: Windows' reserved set and control characters. */
// eslint-disable-next-line no-control-regex
const ILLEGAL_CHARACTERS = /[<>:"/\\|?*\u0000-\u001f\u007f]+/g;
/** Windows refuses these as a name, with any extension (`con.nbrick` too). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * A file name for Save As made from what the user typed: NFC-normalised, illegal characters replaced by `-`, never
 * hidden (no leading dot), no trailing dots or spaces (Windows drops them), never a Windows device name, with the
 * extension. Not shortened: a name too long for the disk is refused with a message, not silently cut.
 */
export function safeFileName(suggested: string | undefined, extension = GRAPH_FILE_EXTENSION): string {
  const stripped = (suggested ?? '').normalize('NFC').replace(new RegExp(`${escapeRegExp(extension)}$`, 'i'), '');
  let base = stripped
    .replace(ILLEGAL_CHARACTERS, '-')
    .replace(/^[.\s-]+|[.\s-]+$/g, '');
  if (WINDOWS_RESERVED.test(base)) base = `${base}_`;
  return `${base || 'untitled'}${extension}`;
}

/** Two names that are the same file on a case-insensitive or normalising file system (APFS, NTFS) share a key. */
export function fileNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** Why `name` cannot exist on disk, or undefined when it can. */
export function fileNameProblem(name: string): string | undefined {
  const bytes = utf8ByteLength(name);
  if (bytes <= MAX_FILE_NAME_BYTES) return undefined;
  return `the file name is ${bytes} bytes long, and file names are limited to ${MAX_FILE_NAME_BYTES} bytes (UTF-8). Choose a shorter name.`;
}

/**
 * A Save As that would replace a file is refused with this message; the client asks the user and sends the request
 * again naming that file (`overwrite`). The quoted path is exactly what `overwrite` must say.
 */
export function alreadyExistsMessage(existing: string): string {
  return `"${existing}" already exists: confirm that you want to replace it, or choose another name.`;
}

/** The path named by an `alreadyExistsMessage`, or undefined for any other message. */
export function parseAlreadyExists(message: string): string | undefined {
  return /^"(.+)" already exists: confirm that you want to replace it/.exec(message)?.[1];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
