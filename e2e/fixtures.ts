/**
 * Playwright fixtures for Neural Bricks e2e tests.
 *
 * `webHost`: a fresh web host (electron/host/main.ts) per test, on a free port, with an empty temp workspace, stopped
 * (SIGINT, like Ctrl+C) after the test. `appPage`: the page already opened on the tokened URL with the app mounted.
 *
 *   import { test, expect } from './fixtures';
 *   test('adds a brick', async ({ appPage, webHost }) => { … webHost.workspace … });
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
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

async function startHost(workspace: string): Promise<{ child: ChildProcess; handle: WebHostHandle }> {
  const rendererArgs = process.env[RENDERER_DIR_ENV] ? ['--renderer', process.env[RENDERER_DIR_ENV]] : [];
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

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

export const test = base.extend<{ webHost: WebHostHandle; appPage: Page }>({
  // eslint-disable-next-line no-empty-pattern
  webHost: async ({}, use, testInfo) => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'nb-e2e-workspace-'));
    const { child, handle } = await startHost(workspace);
    try {
      await use(handle);
    } finally {
      await stopHost(child);
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('web-host-output', { body: handle.output(), contentType: 'text/plain' });
      }
      rmSync(workspace, { recursive: true, force: true });
    }
  },

  appPage: async ({ page, webHost }, use, testInfo) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
    });
    await page.goto(webHost.url);
    await expect(page.locator('.app')).toBeVisible();
    await use(page);
    if (problems.length > 0) await testInfo.attach('page-errors', { body: problems.join('\n'), contentType: 'text/plain' });
  },
});

export { expect };

/** Where specs should save screenshots they want to keep (e2e/artifacts/ is git-ignored). */
export function artifactPath(name: string): string {
  return path.join(repoRoot, 'e2e/artifacts', name);
}
