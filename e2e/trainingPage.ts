/** Page steps the training and evaluation specs share: a template from New, the Training tab, the epochs field. */
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

export async function newFromTemplate(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await page.getByTestId(`template-${id}`).click();
}

export async function openTrainingTab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByLabel('Training panel')).toBeVisible();
}

/** Types the number of epochs and commits it (Enter), then checks the field kept it. */
export async function setEpochs(page: Page, epochs: number): Promise<void> {
  const field = page.getByLabel('Epochs');
  await field.fill(String(epochs));
  await field.press('Enter');
  await expect(field).toHaveValue(String(epochs));
}
