/**
 * `bricks format FILE...`: rewrites graph files in canonical form at the current format version (upgrading old
 * files), atomically. `--check` changes nothing and exits 1 if any file would change — for CI and pre-commit hooks.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { readGraphFile } from '../../services/files/readGraphFile';
import { writeTextFileAtomic } from '../../services/files/writeGraphFileAtomic';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { describeLoadError } from '../describeIssue';
import { exitCodeForLoadError } from '../loadForCli';

async function formatOne(path: string, check: boolean, ctx: CliContext): Promise<void> {
  const result = await readGraphFile(path);
  if (!result.ok) {
    ctx.setExitCode(exitCodeForLoadError(result.error));
    ctx.io.stderr.write(describeLoadError(result.error));
    return;
  }
  const canonical = serializeGraphFile(result.file);
  const current = await readFile(path, 'utf8');
  if (current === canonical) {
    ctx.io.stdout.write(`${path}: already canonical\n`);
    return;
  }
  const why = result.migratedFrom === undefined ? 'not canonical' : `format version ${result.migratedFrom}`;
  if (check) {
    ctx.setExitCode(EXIT.problems);
    ctx.io.stdout.write(`${path}: would be rewritten (${why})\n`);
    return;
  }
  await writeTextFileAtomic(path, canonical);
  ctx.io.stdout.write(`${path}: rewritten (${why})\n`);
}

export const formatCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('format')
      .description('rewrite graph files in canonical form at the current format version (sorted keys, 2-space indent)')
      .argument('<files...>', '.nbrick files')
      .option('--check', 'change nothing; exit 1 if any file is not canonical')
      .action(async (files: string[], opts: { check?: boolean }) => {
        for (const path of files) {
          try {
            await formatOne(path, opts.check ?? false, ctx);
          } catch (e) {
            ctx.setExitCode(EXIT.unusable);
            ctx.io.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
          }
        }
      });
  },
};
