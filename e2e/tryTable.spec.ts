/**
 * "Try it" on a run trained on the user's own table (issue 14): the fields are the table's columns in their own units
 * (a choice per categorical column, a slider and number per numeric one), encoded with the run's fitted preprocessing;
 * a classifier answers with class probabilities, a regression with the value in the target's units.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { repoRoot } from './rendererBuild';
import { openTrainingTab, setEpochs } from './trainingPage';
import { failOnConsoleErrors, openNewFromData } from './dataPage';

test.use({ viewport: { width: 1280, height: 800 } });
failOnConsoleErrors();

async function newGraphFromPenguins(page: Page, target: string) {
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/penguins.csv');
  await dialog.getByRole('button', { name: 'Inspect' }).click();
  await expect(dialog.getByRole('table', { name: 'Columns' })).toBeVisible({ timeout: 30_000 });
  await dialog.getByLabel('Target column').selectOption(target);
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog.getByLabel('Missing values handled')).toBeVisible({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });
}

async function trainThenTry(page: Page, epochs: number, afterTraining?: () => Promise<void>): Promise<Locator> {
  await openTrainingTab(page);
  await setEpochs(page, epochs);
  await page.getByRole('button', { name: 'Start training' }).click();
  const progress = page.getByLabel('Training progress');
  await expect(progress).toHaveAttribute('data-status', /completed|failed|stopped/, { timeout: 120_000 });
  expect(await progress.getAttribute('data-status')).toBe('completed');
  await afterTraining?.();
  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  const view = page.getByRole('dialog', { name: 'Evaluation' });
  const tryTab = view.getByRole('tab', { name: 'Try it' });
  await expect(tryTab).toBeEnabled({ timeout: 60_000 });
  await tryTab.click();
  return view;
}

/**
 * Waits until the answer shown is the one for the fields as they are now (aria-busy clears once it arrives; answers
 * to superseded inputs are dropped), so a read never catches an answer to an earlier input.
 */
async function settled(answer: Locator): Promise<void> {
  await expect(answer).toHaveAttribute('aria-busy', 'false', { timeout: 10_000 });
}

test.beforeEach(({ webHost }) => {
  copyFileSync(path.join(repoRoot, 'examples/data/penguins.csv'), path.join(webHost.workspace, 'penguins.csv'));
});

test('a table classifier: columns in their units, a Gentoo-like penguin is called Gentoo, an Adelie-like one Adelie', async ({ appPage: page }) => {
  await newGraphFromPenguins(page, 'Species');
  const view = await trainThenTry(page, 20);
  const fields = view.getByRole('group', { name: 'Feature columns' });
  await expect(fields.getByLabel('Island', { exact: true })).toHaveValue('Biscoe');
  await expect(fields.getByLabel('Island', { exact: true }).locator('option')).toHaveText(['Biscoe', 'Dream', 'Torgersen']);
  // The slider runs over the test split's flipper lengths, in millimetres (the file's 172–231), not standardised.
  const flipperSlider = fields.getByLabel('Flipper Length (mm) slider');
  expect(Number(await flipperSlider.getAttribute('min'))).toBeGreaterThanOrEqual(170);
  expect(Number(await flipperSlider.getAttribute('max'))).toBeLessThanOrEqual(232);

  const probabilities = view.getByLabel('Probabilities');
  const set = async (name: string, value: number) => fields.getByLabel(name, { exact: true }).fill(String(value));
  // A typical Gentoo: Biscoe, long flippers, heavy, shallow beak.
  await set('Beak Length (mm)', 47.5);
  await set('Beak Depth (mm)', 15);
  await set('Flipper Length (mm)', 217);
  await set('Body Mass (g)', 5100);
  await settled(probabilities);
  await expect(probabilities).toHaveAttribute('data-winner', '2');
  // A typical Adelie: Torgersen, short beak, deep, short flippers.
  await fields.getByLabel('Island', { exact: true }).selectOption('Torgersen');
  await set('Beak Length (mm)', 38.8);
  await set('Beak Depth (mm)', 18.3);
  await set('Flipper Length (mm)', 190);
  await set('Body Mass (g)', 3700);
  await settled(probabilities);
  await expect(probabilities).toHaveAttribute('data-winner', '0');
  await expect(view.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: path.join(repoRoot, 'docs/screenshots/try-it-table.png') });
});

test('a table regression: the predicted body mass is in grams and grows with flipper length', async ({ appPage: page }) => {
  await newGraphFromPenguins(page, 'Body Mass (g)');
  const view = await trainThenTry(page, 30, async () => {
    // No empty Accuracy chart for a regression: the panel says why. The Loss chart (MSE in g², ~1e5) is drawn.
    await expect(page.getByRole('region', { name: 'Accuracy chart' })).toHaveCount(0);
    await expect(page.getByTestId('no-accuracy')).toContainText('accuracy does not apply to regression');
    await expect(page.getByRole('region', { name: 'Loss chart' }).locator('.nb-chart-plot')).toHaveAttribute('data-points', /^[1-9]/);
  });
  const fields = view.getByRole('group', { name: 'Feature columns' });
  await expect(fields.getByLabel('Species', { exact: true })).toBeVisible();
  const predicted = view.getByLabel('Predicted value');
  await expect(predicted).toContainText('Predicted Body Mass (g)');
  // Each value is read once the answer for that flipper length is in: the answer to the starting row (or to the
  // previous length) may still be on its way when the field changes, and is then dropped, not shown.
  const valueAt = async (flipper: number) => {
    await fields.getByLabel('Flipper Length (mm)', { exact: true }).fill(String(flipper));
    await settled(predicted);
    await expect(predicted).toHaveAttribute('data-value', /\d/);
    return Number(await predicted.getAttribute('data-value'));
  };
  const small = await valueAt(180);
  const large = await valueAt(225);
  // Grams, as in the file (penguins weigh 2.7–6.3 kg), and a longer flipper means a heavier bird.
  expect(small).toBeGreaterThan(2000);
  expect(large).toBeLessThan(7500);
  expect(large).toBeGreaterThan(small);

  // Emptying the field to type another value does not try 0 meanwhile (the answer stays), and what is typed stays as typed.
  const flipper = fields.getByLabel('Flipper Length (mm)', { exact: true });
  await flipper.fill('');
  await page.waitForTimeout(1_000);
  await expect(flipper).toHaveValue('');
  await expect(predicted).toHaveAttribute('aria-busy', 'false');
  expect(Number(await predicted.getAttribute('data-value'))).toBe(large);
  await flipper.pressSequentially('190');
  await expect(flipper).toHaveValue('190');
  await settled(predicted);
  await expect(predicted).not.toHaveAttribute('data-value', String(large));
  await flipper.blur();
  await expect(flipper).toHaveValue('190');
  // A value far outside the test rows is allowed, and said to be a guess.
  const outside = fields.getByLabel('Flipper Length (mm) outside the test rows');
  await expect(outside).toHaveCount(0);
  await flipper.fill('5000');
  await expect(outside).toContainText('the model saw nothing like it');
  await flipper.fill('200');
  await expect(outside).toHaveCount(0);
});
