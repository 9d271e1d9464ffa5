/**
 * End-to-end tests run against the web host (e2e/fixtures.ts starts one per test on a free port with a temp
 * workspace) in the system Chromium; Playwright's own browsers are never downloaded. The renderer is built once in
 * globalSetup when its sources are newer than dist/renderer.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './e2e/systemChromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/artifacts/results',
  globalSetup: './e2e/globalSetup.ts',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  // One worker: a training run keeps a core busy, and timing-sensitive canvas checks beside it flake on 2 cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['html', { outputFolder: 'e2e/artifacts/report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    screenshot: 'on',
    trace: 'retain-on-failure',
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: CHROMIUM_ARGS,
    },
  },
});
