/**
 * One size rule for graph files on every path: the loader, the web host's WebSocket and its web client.
 *
 * A `.nbrick` file may be up to MAX_FILE_BYTES as text (the loader's limit); the lab writes canonical JSON
 * (sorted keys, 2-space indent). A message carries the same data compactly (`JSON.stringify`): the same leaves with
 * the same escaping, only without the indentation, so it is never longer than the canonical text. A message is
 * therefore at most MAX_FILE_BYTES plus its envelope, and any file the lab wrote opens and saves back through the
 * socket. A hand-written file can grow when re-serialized (`1e20` becomes 21 digits); the host then refuses to send
 * it with a message rather than sending a frame the other side would refuse.
 */
import { MAX_FILE_BYTES, utf8ByteLength } from '../format/loadGraphFile';

export { MAX_FILE_BYTES };

/**
 * Room for what surrounds a file in a message: `{"type":"request","id":…,"method":"saveFile","payload":{"file":…,
 * "path":"…"}}`, or an openFile answer with a path and a name. A path is at most 4096 UTF-16 units and a unit is at
 * most 6 bytes once JSON-escaped (`\u001f`): 2 × 24 KiB plus the fixed text stays well under 64 KiB.
 */
export const WIRE_ENVELOPE_BYTES = 64 * 1024;

/** The largest WebSocket message either side sends or accepts (the server's `maxPayload`). */
export const MAX_WIRE_MESSAGE_BYTES = MAX_FILE_BYTES + WIRE_ENVELOPE_BYTES;

/** UTF-8 size of `text` if it is over `limit` bytes, else undefined; counts only when the length cannot decide. */
export function utf8BytesOver(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  const bytes = utf8ByteLength(text);
  return bytes > limit ? bytes : undefined;
}

/** `41.2 MB`: the same unit and rounding as the loader's size messages. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
