/**
 * Importing your own data into the workspace (issue 14), in the web host: New from Data → upload a CSV through the
 * page (it lands in workspace/data/, is inspected, a proposed graph trains on it), upload an image folder with nested
 * class folders, and the augmentation fields explain an entry out of range instead of clamping it.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { repoRoot } from './rendererBuild';
import { openTrainingTab, setEpochs } from './trainingPage';
import { failOnConsoleErrors, openNewFromData } from './dataPage';

test.use({ viewport: { width: 1280, height: 800 } });

failOnConsoleErrors();


test('a CSV uploaded through the page lands in workspace/data, is inspected, and New from data trains on it', async ({ appPage: page, webHost }) => {
  const source = path.join(repoRoot, 'examples/data/penguins.csv');
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Upload a table file').setInputFiles(source);

  const columns = dialog.getByRole('table', { name: 'Columns' });
  await expect(columns).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByLabel('Imported')).toHaveText('Imported into workspace/data/penguins.csv.');
  // The copy is byte for byte the file, in the workspace's data folder (no temporary folder left beside it).
  const copy = path.join(webHost.workspace, 'data', 'penguins.csv');
  expect(readFileSync(copy)).toEqual(readFileSync(source));
  expect(readdirSync(path.join(webHost.workspace, 'data'))).toEqual(['penguins.csv']);
  await expect(dialog.getByText('workspace/data/penguins.csv · 344 rows · 7 columns')).toBeVisible();
  await expect(columns.locator('tr[data-column="Species"] .nb-data-type')).toHaveText('categorical');

  await dialog.getByLabel('Target column').selectOption('Species');
  await columns.locator('tr[data-column="Island"] input[type=checkbox]').uncheck();
  await dialog.getByRole('radio', { name: 'Drop rows' }).check();
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog.getByLabel('Missing values handled')).toContainText(/\d+ rows? dropped/, { timeout: 30_000 });
  // Back shows the table as it was left (Species, no Island, Drop rows), not the defaults (Sex, every column, Fill).
  await dialog.getByRole('button', { name: 'Back' }).click();
  await expect(dialog.getByLabel('Target column')).toHaveValue('Species');
  await expect(columns.locator('tr[data-column="Island"] input[type=checkbox]')).not.toBeChecked();
  await expect(dialog.getByRole('radio', { name: 'Drop rows' })).toBeChecked();
  await columns.locator('tr[data-column="Island"] input[type=checkbox]').check();
  await dialog.getByRole('radio', { name: /^Fill/ }).check();
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog.getByLabel('Missing values handled')).toContainText(/\d+ cells? filled/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });

  await openTrainingTab(page);
  await expect(page.getByLabel('Your data')).toContainText('penguins.csv');
  await expect(page.getByLabel('Your data')).toContainText('3 classes of Species');
  await setEpochs(page, 3);
  await page.getByRole('button', { name: 'Start training' }).click();
  const progress = page.getByLabel('Training progress');
  await expect(progress).toHaveAttribute('data-status', /completed|failed|stopped/, { timeout: 120_000 });
  expect(await progress.getAttribute('data-status'), await progress.innerText()).toBe('completed');

  // A second upload of the same name does not replace the first: it gets a numbered name.
  const again = await openNewFromData(page);
  await again.getByLabel('Upload a table file').setInputFiles(source);
  await expect(again.getByLabel('Imported')).toHaveText('Imported into workspace/data/penguins-2.csv.', { timeout: 30_000 });
  expect(existsSync(copy)).toBe(true);
});

test('a messy CSV (BOM, semicolons, quoted delimiters and line breaks, gaps, text in a number column) is read as written; Create graph waits, saying how to fix it', async ({ appPage: page }) => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'nb-e2e-messy-'));
  try {
    const rows = [
      'name;size;"colour; shade";weight;label',
      '"Smith; John";1,5;red;10;a',
      'Anna;2;"blue ""dark""";;b',
      'Bob;;green;12;a',
      'Carl;3;red;heavy;b',
      '"Dora\nNewline";4;blue;14;a',
      ...Array.from({ length: 7 }, (_, i) => `P${i};${5 + i};${['red', 'green', 'blue'][i % 3]};${15 + i};${i % 2 ? 'a' : 'b'}`),
    ];
    const messy = path.join(folder, 'messy.csv');
    writeFileSync(messy, '\uFEFF' + rows.join('\r\n') + '\r\n');
    const dialog = await openNewFromData(page);
    await dialog.getByLabel('Upload a table file').setInputFiles(messy);
    const columns = dialog.getByRole('table', { name: 'Columns' });
    await expect(columns).toBeVisible({ timeout: 30_000 });
    // The BOM is not part of the first name, the quoted delimiter not a column break, the quoted line break not a row.
    await expect(dialog.getByText('workspace/data/messy.csv · 12 rows · 5 columns')).toBeVisible();
    await expect(columns.locator('tbody tr')).toHaveCount(5);
    await expect(columns.locator('tr[data-column="name"] .nb-data-type')).toHaveText('text (ignored)');
    await expect(columns.locator('tr[data-column="colour; shade"] .nb-data-type')).toHaveText('categorical');
    await expect(columns.locator('tr[data-column="size"] .nb-data-type')).toHaveText('numeric');
    // Each unreadable cell is listed once by line and column, without the place said twice.
    const problems = dialog.getByLabel('Problems in the table').getByRole('listitem');
    await expect(problems).toHaveText([/^Line 2, column size: '1,5' is not a number/, /^Line 5, column weight: 'heavy' is not a number/]);
    await expect(problems.first()).toContainText('a decimal comma? Numbers are read with a point (1.5)');
    // The host refuses to propose a graph for such a file, so Create graph waits and says what to do.
    await expect(dialog.getByRole('button', { name: 'Create graph' })).toBeDisabled();
    await expect(dialog.getByText(/Create graph waits until the file is fixed: 2 cells in chosen numeric columns are not numbers/)).toBeVisible();
    // Only the chosen columns count: leaving size out leaves one blocking cell; leaving weight out too unblocks, and the
    // list stays, saying its cells are in columns left out.
    await dialog.getByLabel('Use size as a feature').uncheck();
    await expect(dialog.getByText(/Create graph waits until the file is fixed: 1 cell in a chosen numeric column is not a number/)).toBeVisible();
    await expect(dialog.getByLabel('Problems left out')).toHaveText("This cell is in a column left out ('size'): it does not stop Create graph.");
    await dialog.getByLabel('Use weight as a feature').uncheck();
    await expect(dialog.getByRole('button', { name: 'Create graph' })).toBeEnabled();
    await expect(problems).toHaveCount(2);
    await expect(dialog.getByLabel('Problems left out')).toHaveText("2 of these cells are in columns left out ('size', 'weight'): they do not stop Create graph.");
    await expect(dialog.getByText(/Predicts label \(classification\) from 1 column\./)).toBeVisible();

    // The corrected file (a decimal point, an empty cell for the missing weight) goes through.
    writeFileSync(messy, '\uFEFF' + rows.join('\r\n').replace('1,5', '1.5').replace('heavy', '') + '\r\n');
    await dialog.getByRole('button', { name: 'Choose other data' }).click();
    await dialog.getByLabel('Upload a table file').setInputFiles(messy);
    await expect(dialog.getByLabel('Imported')).toHaveText('Imported into workspace/data/messy-2.csv.', { timeout: 30_000 });
    await expect(dialog.getByRole('table', { name: 'Columns' })).toBeVisible({ timeout: 30_000 });
    await expect(dialog.getByLabel('Problems in the table')).toHaveCount(0);
    await expect(dialog.getByText('Missing values (3 cells in the chosen columns)')).toBeVisible();
    await dialog.getByRole('button', { name: 'Create graph' }).click();
    await expect(dialog.getByLabel('Missing values handled')).toContainText('3 cells filled', { timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Create graph' }).click();
    await expect(dialog).toHaveCount(0, { timeout: 30_000 });
    await openTrainingTab(page);
    await expect(page.getByLabel('Your data')).toContainText('messy-2.csv');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('an image folder uploaded with nested class folders; augmentation entries out of range are explained', async ({ appPage: page, webHost }) => {
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Upload an image folder').setInputFiles(path.join(repoRoot, 'electron/services/data/fixtures/images/shapes'));
  const classes = dialog.getByLabel('Classes');
  await expect(classes).toBeVisible({ timeout: 60_000 });
  await expect(dialog.getByLabel('Imported')).toHaveText('Imported into workspace/data/shapes.');
  await expect(classes.locator('section')).toHaveCount(3);
  expect(readdirSync(path.join(webHost.workspace, 'data', 'shapes')).sort()).toEqual(['circle', 'square', 'triangle']);
  expect(readdirSync(path.join(webHost.workspace, 'data', 'shapes', 'circle'))).toHaveLength(12);

  // 60° is refused with the reason under the field; Create waits until it is fixed.
  const rotate = dialog.getByLabel('Rotate up to (degrees)');
  await rotate.fill('60');
  const field = dialog.locator('[data-setting="augment-rotate"]');
  await expect(field.getByRole('alert')).toHaveText('Rotate up to (degrees) must be a number from 0 to 45 degrees (60 is too large). The graph keeps 0 until this is fixed.');
  await expect(dialog.getByRole('button', { name: 'Create graph' })).toBeDisabled();
  await expect(dialog.getByText('Create graph waits until the augmentation field is fixed.')).toBeVisible();
  await rotate.fill('12');
  await rotate.press('Enter');
  await expect(field.getByRole('alert')).toHaveCount(0);
  await expect(field).toContainText('0–45 degrees');
  const shift = dialog.getByLabel('Shift up to (% of the side)');
  await shift.fill('-5');
  await expect(dialog.locator('[data-setting="augment-shift"]').getByRole('alert')).toContainText('(-5 is too small)');
  await shift.fill('10');
  await shift.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Create graph' })).toBeEnabled();
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });
  await openTrainingTab(page);
  await expect(page.getByLabel('Your data')).toContainText('shapes');
  await expect(page.getByLabel('Your data')).toContainText('augmented (shift ≤ 10 %, rotate ≤ 12°)');
});

test('Cancel during a big folder upload stops it and leaves nothing in workspace/data', async ({ appPage: page, webHost }) => {
  // 6,000 small images (a few seconds in batches): long enough to cancel half-way.
  const folder = mkdtempSync(path.join(os.tmpdir(), 'nb-e2e-bigfolder-'));
  const many = path.join(folder, 'many');
  const shapes = path.join(repoRoot, 'electron/services/data/fixtures/images/shapes');
  try {
    for (const cls of ['circle', 'square', 'triangle']) {
      mkdirSync(path.join(many, cls), { recursive: true });
      for (let i = 0; i < 2000; i++) copyFileSync(path.join(shapes, cls, `${String((i % 12) + 1).padStart(2, '0')}.png`), path.join(many, cls, `${i}.png`));
    }
    const dialog = await openNewFromData(page);
    await dialog.getByLabel('Upload an image folder').setInputFiles(many);
    const bar = dialog.getByRole('progressbar', { name: 'Reading the data' });
    await expect(bar).toHaveAttribute('aria-valuetext', /Uploading many: \d+ of 6000 files/);
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    // Some files are in the host's temporary folder by now, none visible as an import.
    expect(readdirSync(path.join(webHost.workspace, 'data')).every((name) => name.startsWith('.importing-'))).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    // The host removes what it had: nothing stays, not even the temporary folder.
    await expect.poll(() => readdirSync(path.join(webHost.workspace, 'data')), { timeout: 10_000 }).toEqual([]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
