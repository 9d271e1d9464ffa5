/**
 * The training flow in the real desktop app through Playwright's Electron driver. Native dialogs are replaced in
 * main (dialog.showSaveDialog / showOpenDialog) so Save As and Open pick temp paths. Skipped, with the reason
 * printed, where no Electron binary is installed (node_modules/electron/path.txt + dist/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { loadGraphFile } from '../shared/format/loadGraphFile';
import { artifactPath } from './fixtures';
import { repoRoot } from './rendererBuild';

/** The Electron binary, found without requiring the electron package (which would try to download it). */
function electronBinary(): { binary?: string; reason?: string } {
  const pathFile = path.join(repoRoot, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return { reason: 'node_modules/electron/path.txt is missing (the Electron binary was never downloaded)' };
  const binary = path.join(repoRoot, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { binary } : { reason: `${binary} does not exist` };
}

const electron = electronBinary();
if (!electron.binary) console.log(`[e2e] electron.spec.ts skipped: no Electron binary here — ${electron.reason}.`);

test.describe('desktop app (Electron)', () => {
  test.skip(!electron.binary, `no Electron binary: ${electron.reason}`);

  let app: ElectronApplication;
  let page: Page;
  let tempDir: string;

  test.beforeAll(async () => {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'nb-electron-e2e-'));
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/bundle-electron.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    app = await _electron.launch({
      executablePath: electron.binary!,
      args: [repoRoot, `--user-data-dir=${path.join(tempDir, 'user-data')}`],
      cwd: repoRoot,
    });
    page = await app.firstWindow();
    await expect(page.locator('.app')).toBeVisible();
  });

  test.afterAll(async () => {
    await app?.close();
    rmSync(tempDir, { recursive: true, force: true });
  });

  test('window is locked down', async () => {
    // No Node in the page (nodeIntegration off, sandboxed), and the bridge is the frozen API object only.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(await page.evaluate(() => Object.isFrozen((window as unknown as { neuralBricks: object }).neuralBricks))).toBe(true);
    expect(page.url()).toBe('app://neural-bricks/index.html');
    expect(await page.evaluate(() => Object.keys((window as unknown as { neuralBricks: object }).neuralBricks).includes('invoke'))).toBe(false);
  });

  test('train spirals past 90% validation accuracy, stop, save as, reopen', async () => {
    const target = path.join(tempDir, 'spirals-run.nbrick');
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.getByTestId('template-spirals').click();
    await page.getByRole('tab', { name: 'Training' }).click();
    // Enough epochs that the run is still going when we press Stop.
    await page.getByLabel('Epochs').fill('2000');
    await page.getByLabel('Epochs').press('Enter');
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect
      .poll(async () => Number((await page.getByTestId('val-accuracy').getAttribute('data-value')) || 0), { timeout: 150_000 })
      .toBeGreaterThan(0.9);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'stopped');
    await page.screenshot({ path: artifactPath('electron-training.png') });

    await app.evaluate(({ dialog }, file) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: file })) as typeof dialog.showSaveDialog;
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [file] })) as typeof dialog.showOpenDialog;
    }, target);
    await page.getByRole('button', { name: 'Save As' }).click();
    await expect(page.getByTestId('file-name')).toHaveText('spirals-run.nbrick');
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getTitle())).toBe('spirals-run.nbrick — Neural Bricks');

    const saved = loadGraphFile(readFileSync(target, 'utf8'));
    expect(saved.ok).toBe(true);
    const template = loadGraphFile(readFileSync(path.join(repoRoot, 'examples/spirals.nbrick'), 'utf8'));
    if (saved.ok && template.ok) {
      expect(saved.file.graph).toEqual(template.file.graph);
      expect(saved.file.runs).toHaveLength(1);
    }

    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.getByTestId('template-blank').click();
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(page.getByTestId('file-name')).toHaveText('spirals-run.nbrick');
    await expect(page.getByLabel('Run history').locator('li')).toHaveCount(1);
  });
});
