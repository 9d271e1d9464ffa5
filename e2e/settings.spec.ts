/**
 * Training settings explain themselves (issue 16 part 3) at 1280×800: a refused entry stays in its field with the
 * reason and the allowed range beside it, the config keeps its last valid value, and Start training waits and says
 * why; after a run ends its outcome and loss chart are on screen without scrolling.
 */
import { test, expect, artifactPath } from './fixtures';
import { newFromTemplate, openTrainingTab } from './trainingPage';

test.use({ viewport: { width: 1280, height: 800 } });

test('epochs 0 and learning rate 100 are refused in place, kept as typed, and Start waits until they are fixed', async ({ appPage: page }) => {
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  const start = page.getByRole('button', { name: 'Start training' });
  const why = page.getByLabel('Why Start waits');
  await expect(start).toBeEnabled();
  await expect(why).toHaveCount(0);

  const epochs = page.getByLabel('Epochs');
  const epochsField = page.locator('.nb-option-field[data-setting="epochs"]');
  // The range is shown before anything goes wrong, and is the input's description.
  await expect(epochsField.locator('.nb-field-range')).toHaveText('whole number, 1–100,000');
  await expect(epochs).toHaveAccessibleDescription('whole number, 1–100,000');
  const kept = await epochs.inputValue();

  await epochs.fill('0');
  await epochs.press('Enter');
  await expect(epochs).toHaveValue('0');
  await expect(epochs).toHaveAttribute('aria-invalid', 'true');
  const error = epochsField.getByRole('alert');
  await expect(error).toHaveText(`Epochs must be a whole number from 1 to 100,000 (0 is too small). Training keeps ${kept} until this is fixed.`);
  await expect(epochs).toHaveAccessibleDescription(/Epochs must be a whole number from 1 to 100,000/);
  await expect(start).toBeDisabled();
  await expect(why).toHaveText(/^Fix the settings first: Epochs must be a whole number from 1 to 100,000/);
  // Start sits under the settings: its reason is beside it.
  await why.scrollIntoViewIfNeeded();
  await expect(start).toBeInViewport();
  // Leaving the field does not put the old value back either.
  await page.getByLabel('Seed').focus();
  await expect(epochs).toHaveValue('0');
  await page.screenshot({ path: artifactPath('settings-epochs-refused-1280x800.png') });

  await epochs.fill('3');
  await epochs.press('Enter');
  await expect(epochs).toHaveValue('3');
  await expect(epochs).not.toHaveAttribute('aria-invalid', 'true');
  await expect(epochsField.getByRole('alert')).toHaveCount(0);
  await expect(epochsField.locator('.nb-field-range')).toBeVisible();
  await expect(start).toBeEnabled();
  await expect(why).toHaveCount(0);

  const rate = page.getByLabel('Learning rate', { exact: true });
  const rateField = page.locator('.nb-option-field[data-setting="learning-rate"]');
  await expect(rateField.locator('.nb-field-range')).toHaveText('above 0, at most 10');
  await rate.fill('100');
  await rate.blur();
  await expect(rate).toHaveValue('100');
  await expect(rate).toHaveAttribute('aria-invalid', 'true');
  await expect(rateField.getByRole('alert')).toHaveText(/^Learning rate must be a number above 0 and at most 10 \(100 is too large\)\. Training keeps 0\.\d+ until this is fixed\.$/);
  await expect(start).toBeDisabled();
  await expect(why).toHaveText(/^Fix the settings first: Learning rate must be a number above 0 and at most 10/);

  // Two refused fields: Start names the first and counts the rest.
  await epochs.fill('1.5');
  await expect(why).toContainText('(and 1 more field)');
  await epochs.fill('1');
  await rate.fill('0.02');
  await rate.press('Enter');
  await expect(rate).not.toHaveAttribute('aria-invalid', 'true');
  await expect(start).toBeEnabled();

  // The accepted values train: one epoch, after which the outcome and the loss chart are on screen without scrolling.
  await start.click();
  const progress = page.getByLabel('Training progress');
  await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  await expect(progress).toContainText('epoch 1/1');
  await expect(progress).toBeInViewport();
  await expect(page.getByLabel('Loss chart')).toBeInViewport({ ratio: 0.9 });
  await expect(page.getByLabel('Run history').locator('li')).toHaveCount(1);
  await expect(page.getByLabel('Run history').locator('li').first()).toContainText(/1 ep · val acc \d/);
  await page.screenshot({ path: artifactPath('settings-run-ended-1280x800.png') });

  // The next run draws this one under it, named by its number and start time.
  await start.click();
  await expect(page.getByLabel('Loss chart').locator('.u-legend')).toContainText(/run 1 · \d\d:\d\d/);
  await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
});

test('Save As gives the focus back to where it was', async ({ appPage: page }) => {
  await newFromTemplate(page, 'xor');
  const saveAs = page.getByRole('button', { name: 'Save As' });
  await saveAs.click();
  const dialog = page.getByRole('dialog', { name: 'Save graph as' });
  await dialog.getByLabel('File name').fill('focus-kept');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('focus-kept.nbrick');
  await expect(saveAs).toBeFocused();
});
