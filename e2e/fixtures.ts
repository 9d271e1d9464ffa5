/**
 * Playwright fixtures for Neural Bricks e2e tests.
 *
 * `webHost`: a fresh web host (electron/host/main.ts) per test, on a free port, with an empty temp workspace, stopped
 * (SIGINT, like Ctrl+C) after the test. `appPage`: the page already opened on the tokened URL with the app mounted.
 *
 *   import { test, expect } from './fixtures';
 *   test('adds a brick', async ({ appPage, webHost }) => { … webHost.workspace … });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { repoRoot } from './rendererBuild';
import { startHost, stopHost, type WebHostHandle } from './webHostProcess';

export type { WebHostHandle };

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
