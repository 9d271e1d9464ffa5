/**
 * Starting and stopping a real web host process (electron/host/main.ts) for e2e tests and browser benchmarks.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { RENDERER_DIR_ENV, repoRoot } from './rendererBuild';

export interface WebHostHandle {
  /** Tokened address, e.g. http://127.0.0.1:40123/?token=… */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** Temp folder the host uses as the user's workspace (`workspace/…` paths in the app). */
  readonly workspace: string;
  /** The host's process id. */
  readonly pid: number;
  /** Everything the host printed so far (stdout + stderr). */
  output(): string;
  /** Process ids of the host's direct children (the trainer process while a run is going). */
  childPids(): number[];
}

const URL_LINE = /Neural Bricks is running at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))/;

/**
 * Starts electron/host/main.ts on a free port with `workspace` as the user's folder and waits for its URL line.
 * `rendererDir` defaults to the snapshot the e2e global setup built (or the host's own default).
 */
export async function startHost(
  workspace: string,
  rendererDir = process.env[RENDERER_DIR_ENV],
): Promise<{ child: ChildProcess; handle: WebHostHandle }> {
  const rendererArgs = rendererDir ? ['--renderer', rendererDir] : [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'electron/host/main.ts'), '--port', '0', '--workspace', workspace, '--no-open', ...rendererArgs],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'test' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const found = URL_LINE.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with code ${code} before printing its URL:\n${output}`));
    });
  });
  const [, url = '', port = '0', token = ''] = match;
  const handle: WebHostHandle = {
    url,
    origin: `http://127.0.0.1:${port}`,
    port: Number(port),
    token,
    workspace,
    pid: child.pid ?? -1,
    output: () => output,
    childPids: () => {
      try {
        return execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
          .split('\n')
          .map((line) => Number(line.trim()))
          .filter((pid) => Number.isInteger(pid) && pid > 0);
      } catch {
        return []; // ps exits 1 when there are no children
      }
    },
  };
  return { child, handle };
}

/** Stops the host like Ctrl+C does; SIGKILL after 10 s. */
export async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
