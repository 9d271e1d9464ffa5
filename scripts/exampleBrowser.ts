/**
 * A web host plus headless Chromium at 1280×800 with a fresh renderer build, for scripts that look at the example
 * graphs as the app draws them (scripts/layout-examples.ts measures node sizes, scripts/example-screenshots.ts
 * photographs each template).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { buildRenderer, repoRoot } from './rendererBuild.mjs';
import { startHost, stopHost } from '../e2e/webHostProcess';
import { CHROMIUM_ARGS, chromiumExecutable } from '../e2e/systemChromium';

export const VIEWPORT = { width: 1280, height: 800 } as const;

/** Example names (file names without .nbrick), which are also the template ids in the New dialog. */
export function exampleNames(): string[] {
  return readdirSync(path.join(repoRoot, 'examples'))
    .filter((f) => f.endsWith('.nbrick'))
    .map((f) => f.replace(/\.nbrick$/, ''))
    .sort();
}

/** Runs `body` with a page on a private web host; everything is stopped and removed afterwards. */
export async function withAppPage<T>(body: (page: Page) => Promise<T>): Promise<T> {
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'nb-script-renderer-'));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'nb-script-workspace-'));
  buildRenderer(rendererDir);
  const { child, handle } = await startHost(workspace, rendererDir);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(handle.url);
    await page.locator('.app').waitFor();
    return await body(page);
  } finally {
    await browser?.close();
    await stopHost(child);
    rmSync(workspace, { recursive: true, force: true });
    rmSync(rendererDir, { recursive: true, force: true });
  }
}

/** Opens a template from the New dialog and waits until the canvas stops moving. */
export async function openTemplate(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New' }).click();
  await page.getByRole('dialog', { name: 'New graph' }).waitFor();
  await page.getByTestId(`template-${name}`).click();
  await page.getByRole('dialog', { name: 'New graph' }).waitFor({ state: 'detached' });
  await page.locator('.react-flow__node').first().waitFor();
  let previous = '';
  for (let i = 0; i < 40; i++) {
    const now = await page.evaluate(() =>
      [document.querySelector('.react-flow__viewport'), ...document.querySelectorAll('.react-flow__node')]
        .map((el) => (el as HTMLElement | null)?.style.transform ?? '')
        .join('|'),
    );
    if (now === previous) return;
    previous = now;
    await page.waitForTimeout(150);
  }
}
