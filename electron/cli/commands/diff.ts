/** `bricks diff A B`: what changed between two graph files. Exit codes follow diff(1): 0 same, 1 different, 2 trouble. */
import type { Command } from 'commander';
import { describeChange, diffGraphFiles } from '../../../shared/format/diffGraphFiles';
import { readGraphFile } from '../../services/files/readGraphFile';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { describeLoadError, loadErrorJson } from '../describeIssue';

export const diffCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('diff')
      .description('list the changes from graph file A to graph file B (nodes, params, positions, edges, groups, training)')
      .argument('<a>', 'the old .nbrick file')
      .argument('<b>', 'the new .nbrick file')
      .option('--json', 'print the changes as JSON on stdout')
      .option('--ignore-moves', 'leave out node position changes')
      .action(async (pathA: string, pathB: string, opts: { json?: boolean; ignoreMoves?: boolean }) => {
        const [a, b] = await Promise.all([readGraphFile(pathA), readGraphFile(pathB)]);
        if (!a.ok || !b.ok) {
          ctx.setExitCode(EXIT.unusable);
          const failed = [a, b].flatMap((r) => (r.ok ? [] : [r]));
          if (opts.json) {
            ctx.io.stdout.write(`${JSON.stringify({ ok: false, errors: failed.map((r) => ({ path: r.path, ...loadErrorJson(r.error) })) }, null, 2)}\n`);
          } else {
            for (const r of failed) ctx.io.stderr.write(describeLoadError(r.error));
          }
          return;
        }
        const changes = diffGraphFiles(a.file, b.file).filter((c) => !(opts.ignoreMoves && c.kind === 'node-moved'));
        ctx.setExitCode(changes.length === 0 ? EXIT.ok : EXIT.problems);
        if (opts.json) {
          ctx.io.stdout.write(`${JSON.stringify({ ok: true, a: pathA, b: pathB, changes }, null, 2)}\n`);
          return;
        }
        if (changes.length === 0) {
          ctx.io.stdout.write('no differences\n');
          return;
        }
        ctx.io.stdout.write(`--- ${pathA}\n+++ ${pathB}\n`);
        for (const change of changes) ctx.io.stdout.write(`${describeChange(change)}\n`);
        ctx.io.stdout.write(`${changes.length} change${changes.length === 1 ? '' : 's'}\n`);
      });
  },
};
