/**
 * `bricks data inspect FOLDER [--json]` for an image folder (issue 14): classes with their image counts, sizes,
 * channels, formats, the proposed Input size, the content hash, unreadable files by path with the reason, and what
 * stops training (a class with one image, a single class).
 *
 * Exit codes: 0 no problems · 1 unreadable files or a class/classes too small to train · 2 the folder cannot be used
 * (missing, empty, no class sub-folders, a bad labels CSV).
 */
import { inspectImageFolderForCli } from '../../services/data/images/inspectImageFolder';
import { ImageFolderError } from '../../services/data/images/listImageFolder';
import { describeImageInspection } from '../../services/data/images/proposeImageFolderSpec';
import { EXIT, type CliContext } from '../command';

export async function inspectImageFolderCommand(path: string, flags: { json?: boolean }, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  try {
    const r = await inspectImageFolderForCli(path);
    if (flags.json) io.stdout.write(`${JSON.stringify(r)}\n`);
    else io.stdout.write(`${describeImageInspection(r).join('\n')}\n`);
    for (const e of r.errors) io.stderr.write(`bricks data inspect: ${e}\n`);
    ctx.setExitCode(r.problems.length > 0 || r.errors.length > 0 ? EXIT.problems : EXIT.ok);
  } catch (error) {
    if (error instanceof ImageFolderError) {
      if (flags.json) io.stdout.write(`${JSON.stringify({ path, error: error.message })}\n`);
      io.stderr.write(`bricks data inspect: ${error.message}\n`);
      ctx.setExitCode(EXIT.unusable);
      return;
    }
    throw error;
  }
}
