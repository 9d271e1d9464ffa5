/**
 * Errors of the file service whose message already names the file and the reason, ready to show to the user:
 * callers pass them on as they are instead of wrapping them again.
 */
import { alreadyExistsMessage } from '../../../shared/format/fileNames';

export class FileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FileError';
  }
}

/** A path refused by the confinement rules: `Path "workspace/x.nbrick" refused: <reason>`, the same for open and save. */
export class WorkspacePathError extends FileError {
  constructor(label: string, reason: string) {
    super(`Path "${label}" refused: ${reason}`);
    this.name = 'WorkspacePathError';
  }
}

export function cannotSave(label: string, reason: string, cause?: unknown): FileError {
  return new FileError(`"${label}" cannot be saved: ${reason}`, cause === undefined ? undefined : { cause });
}

/** Save As onto an existing file the user did not confirm (the client recognises it with parseAlreadyExists). */
export function alreadyExists(label: string, cause?: unknown): FileError {
  return new FileError(alreadyExistsMessage(label), cause === undefined ? undefined : { cause });
}
