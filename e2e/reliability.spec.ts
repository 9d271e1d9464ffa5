/**
 * Data safety end to end: an edit made moments before the web host is killed comes back after a restart (with the
 * time of its copy), and a running training says plainly when the canvas has moved on from the graph it trains.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dialog, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { startHost, stopHost } from './webHostProcess';

const layerNodes = (page: Page) => page.locator('.react-flow__node:not([data-id^="frame:"])');

async function addDense(page: Page): Promise<void> {
  const before = await layerNodes(page).count();
  await page.getByTestId('palette-layer:Dense').click();
  await expect(layerNodes(page)).toHaveCount(before + 1);
}

test('an edit made 3 s before the host is killed is offered back after a restart, with the time of its copy', async ({ browser }) => {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'nb-e2e-crash-'));
  const hosts: Awaited<ReturnType<typeof startHost>>['child'][] = [];
  try {
    const first = await startHost(workspace);
    hosts.push(first.child);
    const page = await browser.newPage();
    await page.goto(first.handle.url);
    await expect(page.locator('.app')).toBeVisible();

    // An early edit that an older periodic save would also have caught, then the last edit, 3 s before the crash.
    await addDense(page);
    await page.waitForTimeout(2_500);
    await addDense(page);
    const lastEditAt = Date.now();
    await page.waitForTimeout(3_000);
    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;
    await page.close();

    const second = await startHost(workspace);
    hosts.push(second.child);
    // The new session sets the dead session's copy aside as soon as it starts.
    const waiting = path.join(workspace, '.neural-bricks', 'recovery.json');
    await expect.poll(() => existsSync(waiting)).toBe(true);
    const copy = JSON.parse(readFileSync(waiting, 'utf8')) as { savedAt: string };
    expect(Date.parse(copy.savedAt)).toBeGreaterThanOrEqual(lastEditAt - 1_000);

    const next = await browser.newPage();
    const offered = new Promise<string>((resolve) =>
      next.once('dialog', (dialog: Dialog) => {
        resolve(dialog.message());
        void dialog.accept();
      }),
    );
    await next.goto(second.handle.url);
    const message = await offered;
    const when = await next.evaluate(
      (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }),
      copy.savedAt,
    );
    expect(message).toContain(`autosaved at ${when}`);
    // Both edits are back, and the restored document is unsaved.
    await expect(layerNodes(next)).toHaveCount(2);
    await expect(next.getByTestId('file-name')).toContainText('•');

    // Restored: the waiting copy is gone; the next start-up offers this session's copy, not the old one.
    await expect.poll(() => existsSync(waiting)).toBe(false);
    await next.close();
  } finally {
    for (const child of hosts) await stopHost(child);
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('a running training says when the canvas has moved on from the graph it trains, and not after undo', async ({ appPage: page }) => {
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await page.getByTestId('template-spirals').click();
  await page.getByRole('tab', { name: 'Training' }).click();
  const epochs = page.getByLabel('Epochs');
  await epochs.fill('2000');
  await epochs.press('Enter');
  await page.getByRole('button', { name: 'Start training' }).click();
  const progress = page.getByLabel('Training progress');
  await expect(progress).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  const notice = page.getByRole('note', { name: 'Trained graph' });
  await expect(notice).toHaveCount(0);

  await addDense(page);
  await expect(notice).toHaveText(/^Training the graph as it was at \d{1,2}:\d{2}.* — 1 change since$/);
  await expect(progress).toHaveAttribute('data-status', 'running');

  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(notice).toHaveCount(0);

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(progress).toHaveAttribute('data-status', 'stopped');
});
