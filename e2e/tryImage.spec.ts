/**
 * "Try it" on a run trained on the user's image folder (issue 14): any image file is decoded and resized by the host as
 * the folder's loader did for training, shown as the model sees it, and answered with class probabilities; a file
 * that is not an image is refused with the reason. The mistakes gallery shows the folder's images as photos (RGB).
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from './fixtures';
import { repoRoot } from './rendererBuild';
import { openTrainingTab, setEpochs } from './trainingPage';
import { openNewFromData } from './dataPage';

test.use({ viewport: { width: 1280, height: 800 } });

test('an image-folder run: choose an image, see what the model is given and its answer; a text file is refused', async ({ appPage: page, webHost }) => {
  const shapes = path.join(repoRoot, 'electron/services/data/fixtures/images/shapes');
  cpSync(shapes, path.join(webHost.workspace, 'shapes'), { recursive: true });
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/shapes');
  await dialog.getByRole('button', { name: 'Inspect' }).click();
  await expect(dialog.getByLabel('Classes')).toBeVisible({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });

  await openTrainingTab(page);
  await setEpochs(page, 3);
  await page.getByRole('button', { name: 'Start training' }).click();
  const progress = page.getByLabel('Training progress');
  await expect(progress).toHaveAttribute('data-status', /completed|failed|stopped/, { timeout: 120_000 });
  expect(await progress.getAttribute('data-status')).toBe('completed');
  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  const view = page.getByRole('dialog', { name: 'Evaluation' });
  await expect(view.getByLabel('Per-class scores')).toBeVisible({ timeout: 60_000 });
  await view.getByRole('tab', { name: 'Try it' }).click();

  await view.getByLabel('Image to try').setInputFiles(path.join(shapes, 'circle/01.png'));
  await expect(view.getByRole('img', { name: '01.png' })).toBeVisible({ timeout: 20_000 });
  await expect(view.getByRole('img', { name: /What the model is given: \d+×\d+/ })).toBeVisible();
  const bars = view.getByLabel('Probabilities');
  await expect(bars).toHaveAttribute('data-winner', /^[012]$/, { timeout: 20_000 });
  const probabilities = await bars.locator('li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-probability'))));
  expect(probabilities).toHaveLength(3);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  await page.screenshot({ path: path.join(repoRoot, 'docs/screenshots/try-it-image.png') });

  const notAnImage = path.join(webHost.workspace, 'notes.png');
  writeFileSync(notAnImage, 'these are notes, not a picture');
  await view.getByLabel('Image to try').setInputFiles(notAnImage);
  await expect(view.getByRole('alert')).toContainText('notes.png: The image cannot be read: not an image', { timeout: 20_000 });
});
