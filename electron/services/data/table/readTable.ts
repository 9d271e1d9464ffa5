/**
 * Streaming CSV/TSV reading shared by inspectTable and loadTable: the file is read in chunks (never held as one string),
 * checked to be UTF-8 (a BOM is dropped), hashed (SHA-256 of the bytes on disk) and parsed by papaparse, which handles
 * quoted fields with delimiters and line breaks, and CRLF line ends. Rows arrive one at a time with the line number
 * they start on (1-based, counting the header and empty lines, so messages match what an editor shows).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import Papa from 'papaparse';
import type { TableFormat } from '../../../../shared/data/dataSpec';

export type TableDelimiter = TableFormat['delimiter'];
export const TABLE_DELIMITERS: readonly TableDelimiter[] = [',', ';', '\t', '|'];

/** What went wrong, for the CLI's exit code: `unusable` (cannot read the file at all) or `bad-cell` (a row or cell). */
export type TableErrorKind = 'unusable' | 'bad-cell';

/** A problem that stops reading or loading, naming the file and, where known, the line and column. */
export class TableError extends Error {
  constructor(
    message: string,
    readonly kind: TableErrorKind,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = 'TableError';
  }
}

export interface TableReadOptions {
  /** Overrides delimiter detection. */
  readonly delimiter?: TableDelimiter;
  /** Overrides header detection: true = the first non-empty row names the columns. */
  readonly header?: boolean;
}

export interface TableProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly rows: number;
}
export type TableProgressListener = (progress: TableProgress) => void;

export interface TableReadResult {
  readonly format: TableFormat;
  readonly columns: readonly string[];
  /** Data rows passed to the sink (empty lines and the header not counted). */
  readonly rows: number;
  readonly bytes: number;
  /** SHA-256 of the file's bytes, 64 hex digits. */
  readonly hash: string;
}

/** Called per data row: `cells` has exactly one entry per column (ragged rows are refused before this). */
export type RowSink = (cells: readonly string[], line: number) => void;

const SNIFF_BYTES = 64 * 1024;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A cell that reads as a finite number (plain decimal or scientific notation; no hex, no thousands separators). */
export function parseNumber(cell: string): number | undefined {
  const text = cell.trim();
  if (!NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Offset of the first byte that is not valid UTF-8 in `bytes` (from `start`), or -1. An incomplete sequence at the very
 * end counts as invalid only when `final`.
 */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, final = true): number {
  let i = start;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return final ? i : -1;
      const c = bytes[i + k]!;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, end = bytes.length): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) count++;
  return count;
}

function notUtf8(file: string, offset: number, line: number): TableError {
  return new TableError(
    `${basename(file)} is not UTF-8 text: invalid byte at offset ${offset} (line ${line}). ` +
      `Save it as UTF-8 (in a spreadsheet: "CSV UTF-8") and try again.`,
    'unusable',
    file,
    line,
  );
}

/** Reads the first bytes, as text up to the last complete line (or the whole file when it is small). */
async function sniffText(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const bytes = buffer.subarray(0, bytesRead);
    const complete = bytesRead < SNIFF_BYTES;
    const bad = firstInvalidUtf8(bytes, 0, complete);
    if (bad >= 0) throw notUtf8(path, bad, countNewlines(bytes, bad) + 1);
    let text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (!complete) {
      const cut = text.lastIndexOf('\n');
      if (cut > 0) text = text.slice(0, cut);
    }
    return text;
  } finally {
    await handle.close();
  }
}

function nonEmptyRows(text: string, delimiter: string, max: number): string[][] {
  const parsed = Papa.parse<string[]>(text, { delimiter, preview: max + 50, skipEmptyLines: 'greedy' });
  return parsed.data.filter((row) => row.some((cell) => cell.trim() !== '')).slice(0, max);
}

/**
 * The delimiter that splits the first rows into the same number (> 1) of fields most consistently, preferring more
 * fields; ',' when none does (a one-column file).
 */
export function detectDelimiter(sample: string): TableDelimiter {
  let best: { delimiter: TableDelimiter; score: number } = { delimiter: ',', score: 0 };
  for (const delimiter of TABLE_DELIMITERS) {
    const rows = nonEmptyRows(sample, delimiter, 50);
    if (rows.length === 0) continue;
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(row.length, (counts.get(row.length) ?? 0) + 1);
    const [mode, times] = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
    if (mode < 2) continue;
    const consistency = times / rows.length;
    const score = consistency * 1000 + mode;
    if (consistency >= 0.8 && score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

/**
 * A header row names columns: none of its cells is a number or empty. (A table of text only is taken to have a
 * header; the user can override.)
 */
export function detectHeader(sample: string, delimiter: TableDelimiter): boolean {
  const first = nonEmptyRows(sample, delimiter, 1)[0];
  if (!first) return true;
  return first.every((cell) => cell.trim() !== '' && parseNumber(cell) === undefined);
}

/** Column names from a header row: trimmed, empty ones `column<N>`, repeats suffixed `_2`, `_3`. */
export function columnNames(header: readonly string[] | undefined, count: number): string[] {
  const names: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    let name = header?.[i]?.trim() || `column${i + 1}`;
    const times = seen.get(name) ?? 0;
    seen.set(name, times + 1);
    if (times > 0) name = `${name}_${times + 1}`;
    names.push(name);
  }
  return names;
}

/** UTF-8 bytes → text chunks, failing with the byte offset and line of the first invalid byte; hashes the bytes. */
class Utf8Decode extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly hash = createHash('sha256');
  private previous: Buffer = Buffer.alloc(0);
  bytes = 0;
  private newlines = 0;
  digest = '';

  constructor(
    private readonly file: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
  }

  private located(chunk: Buffer): TableError {
    // Re-check the previous chunk's end and this chunk to find the exact byte (the decoder only says "invalid").
    const joined = Buffer.concat([this.previous, chunk]);
    let start = 0;
    while (start < Math.min(3, joined.length) && (joined[start]! & 0xc0) === 0x80) start++;
    const bad = firstInvalidUtf8(joined, start, false);
    const at = bad >= 0 ? bad : start;
    const offset = this.bytes - this.previous.length + at;
    const line = this.newlines - countNewlines(this.previous) + countNewlines(joined, at) + 1;
    return notUtf8(this.file, offset, line);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.signal?.aborted) return done(this.signal.reason instanceof Error ? this.signal.reason : new Error('Cancelled'));
    this.hash.update(chunk);
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      return done(this.located(chunk));
    }
    this.bytes += chunk.length;
    this.newlines += countNewlines(chunk);
    this.previous = chunk;
    done(null, text);
  }

  override _flush(done: TransformCallback): void {
    try {
      const rest = this.decoder.decode();
      this.digest = this.hash.digest('hex');
      done(null, rest.length > 0 ? rest : undefined);
    } catch {
      done(notUtf8(this.file, this.bytes - 1, this.newlines + 1));
    }
  }
}

function linesIn(row: readonly string[]): number {
  let n = 0;
  for (const cell of row) {
    let at = cell.indexOf('\n');
    while (at >= 0) {
      n++;
      at = cell.indexOf('\n', at + 1);
    }
  }
  return n;
}

/**
 * Streams the table at `path` to `sink`, row by row. Throws TableError for a missing or unreadable file, non-UTF-8
 * bytes, an unterminated quote or a row whose field count differs from the header's (line number named).
 */
export async function readTable(
  path: string,
  options: TableReadOptions,
  sink: RowSink,
  onProgress?: TableProgressListener,
  signal?: AbortSignal,
  onColumns?: (columns: readonly string[], format: TableFormat) => void,
): Promise<TableReadResult> {
  let totalBytes: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new TableError(`${path} is a folder, not a CSV/TSV file`, 'unusable', path);
    totalBytes = info.size;
  } catch (error) {
    if (error instanceof TableError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new TableError(code === 'ENOENT' ? `No such file: ${path}` : `Cannot read ${path}: ${(error as Error).message}`, 'unusable', path);
  }
  if (totalBytes === 0) throw new TableError(`${basename(path)} is empty`, 'unusable', path);
  const sample = await sniffText(path);
  const delimiter = options.delimiter ?? detectDelimiter(sample);
  const header = options.header ?? detectHeader(sample, delimiter);
  const format: TableFormat = { delimiter, header };

  const decode = new Utf8Decode(path, signal);
  const input = createReadStream(path, { highWaterMark: 256 * 1024 });
  input.on('error', (error) => decode.destroy(error));
  input.pipe(decode);

  let columns: string[] | undefined;
  let width = 0;
  let line = 1;
  let rows = 0;
  let lastReport = 0;
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error, parser?: Papa.Parser) => {
      if (settled) return;
      settled = true;
      failure = error;
      parser?.abort();
      input.destroy();
      decode.destroy();
      reject(error);
    };
    decode.on('error', (error) => fail(error));
    Papa.parse<string[]>(decode as unknown as NodeJS.ReadableStream as never, {
      delimiter,
      skipEmptyLines: false,
      step(result, parser) {
        if (settled) return;
        const row = result.data;
        const rowLine = line;
        line += 1 + linesIn(row);
        const quoteError = result.errors.find((e) => e.code === 'MissingQuotes');
        if (quoteError) {
          fail(new TableError(`${basename(path)} line ${rowLine}: a quoted field is opened but never closed`, 'bad-cell', path, rowLine), parser);
          return;
        }
        if (row.every((cell) => cell.trim() === '')) return;
        if (columns === undefined) {
          width = row.length;
          columns = columnNames(header ? row : undefined, width);
          onColumns?.(columns, format);
          if (header) return;
        }
        if (row.length !== width) {
          fail(
            new TableError(
              `${basename(path)} line ${rowLine} has ${row.length} field${row.length === 1 ? '' : 's'} but the ${header ? 'header has' : 'first row has'} ${width}` +
                ` (delimiter ${JSON.stringify(delimiter)}; a value containing the delimiter must be in quotes)`,
              'bad-cell',
              path,
              rowLine,
            ),
            parser,
          );
          return;
        }
        try {
          sink(row, rowLine);
        } catch (error) {
          fail(error as Error, parser);
          return;
        }
        rows++;
        if (onProgress && (rows & 1023) === 0) {
          const now = performance.now();
          if (now - lastReport > 100) {
            lastReport = now;
            onProgress({ bytesRead: decode.bytes, totalBytes, rows });
          }
        }
      },
      complete() {
        if (settled) return;
        settled = true;
        resolve();
      },
      error(error: Error) {
        fail(error);
      },
    });
  });
  if (failure) throw failure;
  if (columns === undefined) throw new TableError(`${basename(path)} has no rows (only empty lines)`, 'unusable', path);
  onProgress?.({ bytesRead: totalBytes, totalBytes, rows });
  return { format, columns, rows, bytes: totalBytes, hash: decode.digest };
}
