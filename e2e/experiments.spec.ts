/**
 * Experiments and lessons (issue 12), end to end through the web host: Compare variants trains derived graphs one
 * after another and records them in the run history; the Dead ReLUs lesson is completed step by step (each step turns
 * green from what the user did) and its experiment measures the effect. Screenshots land in e2e/artifacts/.
 */
import type { Page } from '@playwright/test';
import { test, expect, artifactPath } from './fixtures';
import { newFromTemplate, openTrainingTab, setEpochs } from './trainingPage';

async function setLearningRate(page: Page, value: number): Promise<void> {
  const field = page.getByLabel('Learning rate', { exact: true });
  await field.fill(String(value));
  await field.press('Enter');
  await expect(field).toHaveValue(String(value));
}

async function trainToEnd(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect
    .poll(() => page.getByLabel('Training progress').getAttribute('data-status'), { timeout: 120_000 })
    .toMatch(/completed|failed/);
}

test('Compare variants: a ReLU → leaky ReLU swap × two learning rates, trained one after another, recorded with their names', async ({ appPage: page }) => {
  test.setTimeout(300_000);
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  await setEpochs(page, 2);
  await page.getByLabel('Training panel').getByTestId('compare-variants').click();
  const dialog = page.getByRole('dialog', { name: 'Compare variants' });
  await expect(dialog).toBeVisible();
  await dialog.locator('[data-toggle="activation"]').check();
  await dialog.getByLabel('Activation to replace').selectOption('relu');
  await dialog.getByLabel('Replacement activation').selectOption('leakyRelu');
  await dialog.getByLabel('Learning rates').fill('0.01, 0.03');
  const planned = dialog.getByLabel('Variants to train').locator('li[data-variant]');
  await expect(planned).toHaveCount(4);
  await dialog.getByTestId('experiment-start').click();
  await expect(dialog.getByLabel('Experiment progress')).toHaveAttribute('data-done', 'true', { timeout: 240_000 });
  const rows = dialog.getByRole('table', { name: 'Variant results' }).locator('tr[data-variant]');
  await expect(rows).toHaveCount(4);
  for (let i = 0; i < 4; i++) await expect(rows.nth(i)).toHaveAttribute('data-status', 'completed');
  await page.screenshot({ path: artifactPath('experiments-variants.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();
  // Every variant is in the file's run history under its own name.
  await expect(page.locator('.nb-run-variant')).toHaveCount(4);
  await expect(page.locator('.nb-run-variant[data-variant*="leaky"]')).toHaveCount(2);
});

test('the Dead ReLUs lesson, step by step: each step turns green from what the user did, the experiment measures the effect', async ({ appPage: page }) => {
  test.setTimeout(300_000);
  await page.getByTestId('open-lessons').click();
  const panel = page.getByTestId('lesson-panel');
  await panel.getByTestId('lesson-choose-dead-relus').click();
  await panel.getByTestId('lesson-load').click();
  const step = (id: string) => panel.locator(`li[data-step-id="${id}"]`);
  await expect(step('high-rate')).toHaveAttribute('data-step-done', 'false');

  await openTrainingTab(page);
  await page.getByLabel('Optimizer').selectOption('sgd');
  await setLearningRate(page, 3);
  await expect(step('high-rate')).toHaveAttribute('data-step-done', 'true');
  await expect(step('train-high')).toHaveAttribute('data-step-done', 'false');
  await trainToEnd(page);
  await expect(step('train-high')).toHaveAttribute('data-step-done', 'true');

  await setLearningRate(page, 0.1);
  await trainToEnd(page);
  await expect(step('low-rate')).toHaveAttribute('data-step-done', 'true');

  await panel.getByTestId('lesson-run').click();
  await expect(panel.getByTestId('lesson-results')).toHaveAttribute('data-lesson-done', 'true', { timeout: 240_000 });
  const conclusion = panel.getByTestId('lesson-conclusion');
  await expect(conclusion).toHaveAttribute('data-lesson-passed', 'true');
  // The conclusion quotes the measured numbers.
  await expect(conclusion).toContainText(/\d+ ?%/);
  await page.screenshot({ path: artifactPath('lesson-dead-relus-done.png') });
});
