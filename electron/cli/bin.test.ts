/** The real `bricks` binary as a user runs it: tsx registration, exit codes and stdout/stderr wiring. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const bricks = (...args: string[]) => spawnSync(process.execPath, [path.join(repo, 'bin/bricks.js'), ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });

describe('bin/bricks.js', () => {
  it('exits 0 for a valid example, 2 for a file that is not a graph, and keeps --json output pure', () => {
    const ok = bricks('validate', '--json', 'shared/format/fixtures/v1.nbrick');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).files[0].ok).toBe(true);
    const notGraph = bricks('validate', 'package.json');
    expect(notGraph.status).toBe(2);
    expect(notGraph.stderr).toContain('package.json: not a graph file');
  });
});
