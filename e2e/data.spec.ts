/**
 * Your own data through the UI (issue 14), in the web host: File → New from Data… on a CSV copied into the workspace
 * (columns with types, target Species) and on an image folder (a preview grid of three classes); each creates a graph,
 * trains a few epochs and is evaluated per class. Screenshots of both dialogs are kept in docs/screenshots/.
 */
import { appendFileSync, copyFileSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { repoRoot } from './rendererBuild';
import { openTrainingTab, setEpochs } from './trainingPage';
import { failOnConsoleErrors, openNewFromData } from './dataPage';

test.use({ viewport: { width: 1280, height: 800 } });

// The dialog and the Training panel log no errors on the way (a React warning is a console error too).
failOnConsoleErrors();


/** Waits for the run to end, then checks it completed (a failed run fails here at once, with its message). */
async function expectCompleted(page: Page) {
  const progress = page.getByLabel('Training progress');
  await expect(progress).toHaveAttribute('data-status', /completed|failed|stopped/, { timeout: 120_000 });
  if ((await progress.getAttribute('data-status')) !== 'completed') throw new Error(`The run did not complete: ${await progress.innerText()}`);
}

async function trainAndEvaluate(page: Page, epochs: number, classes: readonly string[]) {
  await openTrainingTab(page);
  await setEpochs(page, epochs);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expectCompleted(page);
  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  const view = page.getByRole('dialog', { name: 'Evaluation' });
  const perClass = view.getByLabel('Per-class scores');
  await expect(perClass).toBeVisible({ timeout: 60_000 });
  // One row per class, then the macro and weighted averages.
  await expect(perClass.locator('tbody tr')).toHaveCount(classes.length + 2);
  for (const [i, name] of classes.entries()) await expect(perClass.locator('tbody tr').nth(i).locator('th, td').first()).toHaveText(name);
  return view;
}

test('a CSV: columns with their types, target Species, a proposed graph trained and evaluated per class', async ({ appPage: page, webHost }) => {
  copyFileSync(path.join(repoRoot, 'examples/data/penguins.csv'), path.join(webHost.workspace, 'penguins.csv'));
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/penguins.csv');
  await dialog.getByRole('button', { name: 'Inspect' }).click();

  const columns = dialog.getByRole('table', { name: 'Columns' });
  await expect(columns).toBeVisible({ timeout: 30_000 });
  await expect(columns.locator('tbody tr')).toHaveCount(7);
  await expect(columns.locator('tr[data-column="Species"] .nb-data-type')).toHaveText('categorical');
  await expect(columns.locator('tr[data-column="Island"] .nb-data-type')).toHaveText('categorical');
  await expect(columns.locator('tr[data-column="Beak Length (mm)"] .nb-data-type')).toHaveText('numeric');
  await expect(columns.locator('tr[data-column="Body Mass (g)"] .nb-data-type')).toHaveText('numeric');
  await expect(dialog.getByRole('img', { name: 'Histogram of Flipper Length (mm)' })).toBeVisible();
  await expect(dialog.getByLabel('Values of Island').locator('li')).toHaveCount(3);

  // Only columns that can be a target are offered; picking Species makes every other column a feature.
  const target = dialog.getByLabel('Target column');
  await expect(target.locator('option', { hasText: 'Species' })).toHaveCount(1);
  await target.selectOption('Species');
  await expect(dialog.getByLabel('Task')).toHaveValue('classification');
  await expect(columns.locator('tr[data-column="Species"]')).toContainText('target');
  await expect(dialog.getByLabel('Use Sex as a feature')).toBeChecked();
  await expect(dialog.getByLabel('Use Island as a feature')).toBeChecked();
  // Unticking a feature and ticking it again keeps the choice valid.
  await dialog.getByLabel('Use Sex as a feature').uncheck();
  await expect(dialog.getByText(/from 5 columns/)).toBeVisible();
  await dialog.getByLabel('Use Sex as a feature').check();
  await expect(dialog.getByText(/Predicts Species \(classification\) from 6 columns/)).toBeVisible();
  // Some penguins lack a measurement or sex: the dialog asks how to handle missing values (fill by default).
  await expect(dialog.getByText(/Missing values \(\d+ cells? in the chosen columns\)/)).toBeVisible();
  await expect(dialog.getByLabel('Fill with the training mean or most frequent value')).toBeChecked();
  await page.screenshot({ path: path.join(repoRoot, 'docs/screenshots/new-from-data-table.png') });

  await dialog.getByRole('button', { name: 'Create graph' }).click();
  // The proposal says what the policy did before the graph opens.
  await expect(dialog.getByLabel('Missing values handled')).toContainText(/\d+ cells? filled/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });
  // The Training panel names the data instead of offering the bundled datasets.
  await openTrainingTab(page);
  const own = page.getByLabel('Your data');
  await expect(own).toContainText('penguins.csv');
  await expect(own).toContainText('3 classes of Species');
  await expect(page.getByLabel('Dataset', { exact: true })).toHaveCount(0);
  // The data's own split replaces the validation-split field.
  await expect(page.getByLabel('Validation split')).toHaveCount(0);
  await expect(page.locator('[data-setting="data-split"]')).toContainText('70 % train / 15 % validation / 15 % test');
  await page.screenshot({ path: path.join(repoRoot, 'docs/screenshots/new-from-data-training.png') });

  await trainAndEvaluate(page, 5, ['Adelie', 'Chinstrap', 'Gentoo']);
});

test('an image folder: a preview grid of three classes, a proposed graph trained and evaluated per class', async ({ appPage: page, webHost }) => {
  cpSync(path.join(repoRoot, 'electron/services/data/fixtures/images/shapes'), path.join(webHost.workspace, 'shapes'), { recursive: true });
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/shapes');
  await dialog.getByRole('button', { name: 'Inspect' }).click();

  const classes = dialog.getByLabel('Classes');
  await expect(classes).toBeVisible({ timeout: 30_000 });
  await expect(classes.locator('section')).toHaveCount(3);
  for (const name of ['circle', 'square', 'triangle']) {
    const section = dialog.getByRole('region', { name: `Class ${name}` });
    await expect(section).toContainText('12 images');
    await expect(section.locator('img').first()).toBeVisible();
    expect(await section.locator('img').count()).toBeGreaterThan(0);
  }
  await expect(dialog.getByLabel('Proposed input')).toContainText('×');
  await page.screenshot({ path: path.join(repoRoot, 'docs/screenshots/new-from-data-images.png') });
  // Augmentation is off until asked for: flip and a small rotation, recorded with the data.
  await expect(dialog.getByLabel('Flip left–right')).not.toBeChecked();
  await dialog.getByLabel('Flip left–right').check();
  await dialog.getByLabel('Rotate up to (degrees)').fill('10');
  await dialog.getByLabel('Rotate up to (degrees)').press('Enter');

  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });
  await openTrainingTab(page);
  await expect(page.getByLabel('Your data')).toContainText('shapes');
  await expect(page.getByLabel('Your data')).toContainText('image folder');
  await expect(page.getByLabel('Your data')).toContainText('augmented (flip, rotate ≤ 10°)');

  await trainAndEvaluate(page, 2, ['circle', 'square', 'triangle']);
});

test.describe('at 1024×640', () => {
  test.use({ viewport: { width: 1024, height: 640 } });

  test('a graph proposed from images opens top to bottom, fitted beside the Training panel, and trains 3 epochs without a warning', async ({ appPage: page, webHost }) => {
    cpSync(path.join(repoRoot, 'electron/services/data/fixtures/images/shapes'), path.join(webHost.workspace, 'shapes'), { recursive: true });
    const dialog = await openNewFromData(page);
    await dialog.getByLabel('Table file or image folder').fill('workspace/shapes');
    await dialog.getByRole('button', { name: 'Inspect' }).click();
    await expect(dialog.getByLabel('Classes')).toBeVisible({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Create graph' }).click();
    await expect(dialog).toHaveCount(0, { timeout: 30_000 });

    // Laid out like a template: Input, Flatten, Dense, Output one below the other, all inside the canvas pane.
    const nodes = page.locator('.react-flow__node');
    await expect(nodes).toHaveCount(4);
    const pane = (await page.locator('.react-flow').boundingBox())!;
    await expect
      .poll(async () => {
        const boxes = await Promise.all(['Input', 'Flatten', 'Dense', 'Output'].map((title) => nodes.filter({ hasText: title }).first().boundingBox()));
        const inside = boxes.every((b) => b && b.x >= pane.x && b.y >= pane.y && b.x + b.width <= pane.x + pane.width && b.y + b.height <= pane.y + pane.height);
        const downwards = boxes.every((b, i) => i === 0 || (b && boxes[i - 1] && b.y > boxes[i - 1]!.y + boxes[i - 1]!.height / 2));
        return { inside, downwards };
      })
      .toEqual({ inside: true, downwards: true });
    const sidePanel = (await page.getByRole('tab', { name: 'Training' }).boundingBox())!;
    for (const box of await nodes.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right))) expect(box).toBeLessThanOrEqual(sidePanel.x);

    // The proposed settings (Adam 0.001) train the image graph without the exploding-gradients warning of lr 0.01.
    await openTrainingTab(page);
    await expect(page.getByLabel('Optimizer')).toHaveValue('adam');
    await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('0.001');
    await setEpochs(page, 3);
    await page.getByRole('button', { name: 'Start training' }).click();
    await expectCompleted(page);
    await expect(page.getByLabel('Training progress')).not.toContainText('NaN');
    await expect(page.getByTestId('telemetry-warnings-chip')).toHaveCount(0);
    await expect(page.locator('[data-testid^="warning-badge-"]')).toHaveCount(0);
  });

  test("penguins.csv starts on Species, not Sex with its one-row class '.'; picking Sex warns which class and how many rows, without blocking", async ({ appPage: page, webHost }) => {
    copyFileSync(path.join(repoRoot, 'examples/data/penguins.csv'), path.join(webHost.workspace, 'penguins.csv'));
    const dialog = await openNewFromData(page);
    await dialog.getByLabel('Table file or image folder').fill('workspace/penguins.csv');
    await dialog.getByRole('button', { name: 'Inspect' }).click();
    await expect(dialog.getByRole('table', { name: 'Columns' })).toBeVisible({ timeout: 30_000 });
    const target = dialog.getByLabel('Target column');
    await expect(target).toHaveValue('Species');
    const note = dialog.getByRole('note', { name: 'Small classes' });
    await expect(note).toHaveCount(0);
    await target.selectOption('Sex');
    await expect(note).toContainText("Class '.' (1 row) of 'Sex' has fewer than 3 rows");
    await note.scrollIntoViewIfNeeded();
    await expect(note).toBeInViewport();
    const create = dialog.getByRole('button', { name: 'Create graph' });
    await expect(create).toBeEnabled();
    await create.click();
    await expect(dialog.getByLabel('Missing values handled')).toBeVisible({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Create graph' }).click();
    await expect(dialog).toHaveCount(0, { timeout: 30_000 });
    await openTrainingTab(page);
    await expect(page.getByLabel('Your data')).toContainText('3 classes of Sex');
  });
});

test('unreadable images are listed and must be agreed to skip; the run then skips them', async ({ appPage: page, webHost }) => {
  cpSync(path.join(repoRoot, 'electron/services/data/fixtures/images/nasty'), path.join(webHost.workspace, 'nasty'), { recursive: true });
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/nasty');
  await dialog.getByRole('button', { name: 'Inspect' }).click();
  const unreadable = dialog.getByLabel('Unreadable files');
  await expect(unreadable).toBeVisible({ timeout: 30_000 });
  await expect(unreadable).toContainText('corrupt.png');
  await expect(unreadable).toContainText('truncated.jpg');
  const count = await unreadable.locator('li').count();
  const create = dialog.getByRole('button', { name: 'Create graph' });
  await expect(create).toBeDisabled();
  await dialog.getByLabel(`Skip these ${count} files`).check();
  await expect(create).toBeEnabled();
  await create.click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });
  await openTrainingTab(page);
  await expect(page.getByLabel('Your data')).toContainText('nasty');
  await setEpochs(page, 1);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expectCompleted(page);
});

test('a table with a bad cell names its line and column; a delimiter override reads it again; Cancel closes', async ({ appPage: page, webHost }) => {
  copyFileSync(path.join(repoRoot, 'electron/services/data/fixtures/bad-cell.csv'), path.join(webHost.workspace, 'bad-cell.csv'));
  copyFileSync(path.join(repoRoot, 'electron/services/data/fixtures/semicolon.csv'), path.join(webHost.workspace, 'semicolon.csv'));
  let dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/bad-cell.csv');
  await dialog.getByRole('button', { name: 'Inspect' }).click();
  await expect(dialog.getByLabel('Problems in the table')).toContainText(/Line 5, column y/, { timeout: 30_000 });

  // Read the semicolon file as comma-separated: one column; the detected delimiter again: three.
  await dialog.getByRole('button', { name: 'Choose other data' }).click();
  await dialog.getByLabel('Table file or image folder').fill('workspace/semicolon.csv');
  await dialog.getByRole('button', { name: 'Inspect' }).click();
  const rows = dialog.getByRole('table', { name: 'Columns' }).locator('tbody tr');
  await expect(rows).toHaveCount(3, { timeout: 30_000 });
  await dialog.getByLabel('Delimiter').selectOption(',');
  await expect(rows).toHaveCount(1, { timeout: 30_000 });
  await dialog.getByLabel('Delimiter').selectOption('');
  await expect(rows).toHaveCount(3, { timeout: 30_000 });

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  // Escape closes it too, and nothing was opened.
  dialog = await openNewFromData(page);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
});

test('a saved file on its own data says when the data changed after reopening', async ({ appPage: page, webHost }) => {
  const csv = path.join(webHost.workspace, 'penguins.csv');
  copyFileSync(path.join(repoRoot, 'examples/data/penguins.csv'), csv);
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/penguins.csv');
  await dialog.getByRole('button', { name: 'Inspect' }).click();
  await dialog.getByLabel('Target column').selectOption('Species');
  // Dropping the rows with a gap instead of filling them: the proposal counts them before the graph opens.
  await dialog.getByLabel('Drop rows').check();
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog.getByLabel('Missing values handled')).toContainText(/\d+ rows? dropped/, { timeout: 30_000 });
  await expect(dialog.getByLabel('Missing values handled')).not.toContainText('filled');
  await dialog.getByRole('button', { name: 'Create graph' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });

  await page.getByRole('button', { name: 'Save As' }).click();
  const saveDialog = page.getByRole('dialog', { name: 'Save graph as' });
  await saveDialog.getByLabel('File name').fill('penguins-net');
  await saveDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('penguins-net.nbrick');
  await openTrainingTab(page);
  const own = page.getByLabel('Your data');
  await expect(own).toHaveAttribute('data-check', 'same', { timeout: 30_000 });
  await expect(own.getByRole('alert')).toHaveCount(0);

  appendFileSync(csv, 'Gentoo,Biscoe,50.1,15.2,220,5400,MALE\n');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('dialog', { name: 'Open a graph' }).getByRole('button', { name: 'penguins-net.nbrick' }).click();
  await expect(own).toHaveAttribute('data-check', 'changed', { timeout: 30_000 });
  await expect(own.getByRole('alert')).toContainText('penguins.csv');
});

test('a big table shows filling progress while it is read; Cancel closes the dialog (cancelling the job) and nothing arrives later', async ({ appPage: page, webHost }) => {
  const lines = ['a,b,c,d,label'];
  for (let i = 0; i < 600_000; i++) lines.push(`${i % 97},${(i * 7) % 101},${i % 13}.5,${(i * 31) % 1009},${i % 3 === 0 ? 'yes' : 'no'}`);
  writeFileSync(path.join(webHost.workspace, 'big.csv'), `${lines.join('\n')}\n`);
  const dialog = await openNewFromData(page);
  await dialog.getByLabel('Table file or image folder').fill('workspace/big.csv');
  await dialog.getByRole('button', { name: 'Inspect' }).click();
  const bar = dialog.getByRole('progressbar', { name: 'Reading the data' });
  await expect(bar).toBeVisible();
  // The host reports how far it got (rows read), so the bar fills.
  await expect(bar).toHaveAttribute('data-indeterminate', 'false', { timeout: 10_000 });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  // Nothing arrives later: the dialog stays closed and the page stays empty.
  await page.waitForTimeout(1000);
  await expect(page.getByRole('dialog', { name: 'New from data' })).toHaveCount(0);
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
});
