/** Tests: runs the `bricks` CLI in-process with captured stdout/stderr (one helper instead of a copy per test file). */
import type { CliIo } from '../command';
import { main } from '../main';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const code = await main(argv, io);
  return { code, out, err };
}
