/**
 * Evaluation end to end at 1280×800: the live decision boundary while spirals trains (and the chart on screen), an
 * MNIST MLP's evaluation (confusion matrix → a cell's samples → Try it), and the evaluation of a run after its file
 * is closed and reopened. Screenshots go to NB_SHOTS_DIR when it is set (they are looked at, not compared).
 */
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { newFromTemplate, openTrainingTab, setEpochs } from './trainingPage';

test.use({ viewport: { width: 1280, height: 800 } });

const shotsDir = process.env.NB_SHOTS_DIR;
async function shot(target: Page | Locator, name: string) {
  if (shotsDir) await target.screenshot({ path: path.join(shotsDir, name) });
}

/** A cheap fingerprint of what a canvas shows. */
function canvasFingerprint(canvas: Locator): Promise<string> {
  return canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let hash = 0;
    for (let i = 0; i < data.length; i += 7) hash = (hash * 31 + data[i]!) | 0;
    return String(hash);
  });
}

async function insideViewport(page: Page, locator: Locator) {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
  expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
}

test('spirals: the chart stays on screen while training and the decision boundary appears and changes', async ({ appPage: page }) => {
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  await setEpochs(page, 2000);
  await shot(page, 'training-idle-1280x800.png');
  await page.getByRole('button', { name: 'Start training' }).click();
  const lossChart = page.getByLabel('Loss chart');
  await expect.poll(async () => Number(await lossChart.locator('.nb-chart-plot').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(5);
  await insideViewport(page, lossChart);

  const scatter = page.getByLabel('Preview of spirals');
  await expect(scatter).toHaveAttribute('data-boundary', 'yes', { timeout: 60_000 });
  const first = await canvasFingerprint(scatter);
  const firstNote = await page.locator('.nb-dataset-preview figcaption').textContent();
  await expect.poll(async () => (await page.locator('.nb-dataset-preview figcaption').textContent()) !== firstNote, { timeout: 60_000 }).toBe(true);
  await expect.poll(() => canvasFingerprint(scatter), { timeout: 30_000 }).not.toBe(first);
  // Reported, not asserted: timings belong to benchmarks (a loaded CI machine took 17 ms once, 0.7–1.2 ms idle).
  const drawMs = Number(await scatter.getAttribute('data-draw-ms'));
  test.info().annotations.push({ type: 'boundary draw ms', description: String(drawMs) });
  console.log(`[evaluation.spec] live boundary paint took ${drawMs} ms`);
  await insideViewport(page, lossChart);
  // The live boundary is on screen beside the chart, not below the fold.
  await insideViewport(page, scatter);
  await shot(page, 'training-spirals-live-1280x800.png');
  await scatter.scrollIntoViewIfNeeded();
  await shot(page.locator('.side-region'), 'training-spirals-boundary-panel.png');

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'stopped');
  // The stopped run's decision boundary over its test points, with its mistakes ringed.
  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  const view = page.getByRole('dialog', { name: 'Evaluation' });
  await expect(view.getByLabel('Confusion matrix')).toBeVisible({ timeout: 60_000 });
  await expect(view.getByLabel('Decision boundary over the test set')).toHaveAttribute('data-boundary', 'yes');
  await shot(page, 'evaluation-spirals-1280x800.png');
  await view.getByRole('tab', { name: 'Try it' }).click();
  await view.getByLabel('x', { exact: true }).fill('0.5');
  await expect(view.getByLabel('Probabilities')).not.toHaveAttribute('data-winner', '');
  await shot(page, 'evaluation-spirals-try-1280x800.png');
});

/** Draws a "7": a bar across the top and a stroke down to the lower left. */
async function drawSeven(page: Page, pad: Locator) {
  const box = (await pad.boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  await page.mouse.move(...at(0.25, 0.2));
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(...at(0.25 + 0.5 * (i / 10), 0.2));
  for (let i = 1; i <= 14; i++) await page.mouse.move(...at(0.75 - 0.3 * (i / 14), 0.2 + 0.65 * (i / 14)));
  await page.mouse.up();
}

test('MNIST MLP: confusion matrix, a cell’s samples, drawing a digit, and the evaluation after reopening the file', async ({ appPage: page }) => {
  await newFromTemplate(page, 'mnist-mlp');
  await openTrainingTab(page);
  await expect(page.getByLabel('Dataset', { exact: true })).toHaveValue('mnist');
  await setEpochs(page, 1);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });

  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  const view = page.getByRole('dialog', { name: 'Evaluation' });
  const matrix = view.getByLabel('Confusion matrix');
  await expect(matrix).toBeVisible({ timeout: 60_000 });
  const accuracy = Number(await view.getByTestId('eval-accuracy').getAttribute('data-value'));
  expect(accuracy).toBeGreaterThan(0.7);
  await expect(view.getByLabel('Per-class scores').locator('tbody tr')).toHaveCount(12);
  await expect(view.getByLabel('Reliability diagram')).toBeVisible();
  await shot(page, 'evaluation-mnist-1280x800.png');

  // The largest off-diagonal cell: its samples are listed with images, true and predicted class.
  const cells = matrix.locator('button.nb-confusion-cell:not(.is-right)');
  const counts = await cells.evaluateAll((buttons) => buttons.map((b) => Number(b.getAttribute('data-count'))));
  const worst = counts.indexOf(Math.max(...counts));
  expect(counts[worst]).toBeGreaterThan(0);
  await cells.nth(worst).click();
  const gallery = view.getByLabel('Samples');
  await expect(gallery.locator('.nb-sample')).toHaveCount(Math.min(48, counts[worst]!));
  await expect(gallery.locator('canvas.nb-digit').first()).toBeVisible();
  await expect(gallery.locator('.nb-sample').first()).toContainText(/true .*pred /s);
  // Every mistake (up to the 100 most confident the host sends), 48 at a time: "Show more" draws the next ones.
  await gallery.getByRole('button', { name: 'All mistakes' }).click();
  const sent = Math.min(100, counts.reduce((a, b) => a + b, 0));
  await expect(gallery.locator('.nb-sample')).toHaveCount(Math.min(48, sent));
  if (sent > 48) {
    await gallery.getByRole('button', { name: /^Show \d+ more$/ }).click();
    await expect(gallery.locator('.nb-sample')).toHaveCount(Math.min(96, sent));
  }
  await cells.nth(worst).click();
  await expect(gallery.getByLabel('Top classes').first().locator('li')).toHaveCount(3);
  await shot(page, 'evaluation-mnist-cell-1280x800.png');

  await view.getByRole('tab', { name: 'Try it' }).click();
  const pad = view.getByLabel('Drawing pad');
  await drawSeven(page, pad);
  const bars = view.getByLabel('Probabilities');
  await expect(bars).not.toHaveAttribute('data-winner', '');
  const total = await bars.locator('li').evaluateAll((items) => items.reduce((sum, li) => sum + Number(li.getAttribute('data-probability')), 0));
  expect(total).toBeCloseTo(1, 2);
  await shot(page, 'evaluation-mnist-try-1280x800.png');
  await view.getByRole('button', { name: 'Clear' }).click();
  await expect(bars).toHaveAttribute('data-winner', '');
  await view.getByRole('button', { name: 'Close evaluation' }).click();

  // Save, replace the document, reopen: the run's evaluation comes from the weights kept beside the file.
  await page.getByRole('button', { name: 'Save As' }).click();
  const saveDialog = page.getByRole('dialog', { name: 'Save graph as' });
  await saveDialog.getByLabel('File name').fill('mnist-eval');
  await saveDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('mnist-eval.nbrick');
  await newFromTemplate(page, 'blank');
  // The new document shows no run of the old one: nothing to export or evaluate, no old progress.
  await expect(page.getByLabel('Training progress')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Evaluate this run' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export model' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('dialog', { name: 'Open a graph' }).getByRole('button', { name: 'mnist-eval.nbrick' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('mnist-eval.nbrick');
  const history = page.getByLabel('Run history');
  await history.getByRole('button', { name: /^Evaluate run / }).click();
  await expect(view.getByLabel('Confusion matrix')).toBeVisible({ timeout: 60_000 });
  expect(Number(await view.getByTestId('eval-accuracy').getAttribute('data-value'))).toBe(accuracy);
  await shot(page, 'evaluation-mnist-reopened-1280x800.png');
  // Export is back too, on the reopened file's run.
  await view.getByRole('button', { name: 'Close evaluation' }).click();
  await history.getByRole('button', { name: /^Export run / }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export' });
  await exportDialog.getByRole('radio', { name: /TF\.js/ }).check();
  await exportDialog.getByRole('button', { name: 'Export to TF.js' }).click();
  await expect(exportDialog.getByLabel('TF.js export', { exact: true })).toContainText('weights.bin', { timeout: 60_000 });
});

test('a run says when the canvas has changed since, and a damaged checkpoint is a warning, not a blocker', async ({ appPage: page, webHost }) => {
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  await setEpochs(page, 3);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  await page.getByRole('button', { name: 'Save As' }).click();
  const saveDialog = page.getByRole('dialog', { name: 'Save graph as' });
  await saveDialog.getByLabel('File name').fill('spirals-kept');
  await saveDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('spirals-kept.nbrick');

  // The run trained the graph as it was: moving a brick makes it another graph.
  const view = page.getByRole('dialog', { name: 'Evaluation' });
  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  await expect(view.getByLabel('Confusion matrix')).toBeVisible({ timeout: 60_000 });
  await expect(view.getByLabel('Trained graph')).toHaveCount(0);
  await view.getByRole('button', { name: 'Close evaluation' }).click();
  const node = page.locator('.react-flow__node').first();
  const box = (await node.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + 80, { steps: 8 });
  await page.mouse.up();
  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  await expect(view.getByLabel('Trained graph')).toContainText('earlier version of the graph');
  await view.getByRole('button', { name: 'Close evaluation' }).click();

  // Damage the kept weights, then reopen: the graph opens, the run carries a warning.
  const runsDir = path.join(webHost.workspace, 'spirals-kept.nbrick-runs');
  const { readdirSync, writeFileSync } = await import('node:fs');
  const [runDir] = readdirSync(runsDir);
  writeFileSync(path.join(runsDir, runDir!, 'weights.bin'), Buffer.from([1, 2, 3]));
  page.once('dialog', (dialog) => void dialog.accept());
  await newFromTemplate(page, 'blank');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('dialog', { name: 'Open a graph' }).getByRole('button', { name: 'spirals-kept.nbrick' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('spirals-kept.nbrick');
  const history = page.getByLabel('Run history');
  await expect(history.getByLabel('Checkpoint warning')).toContainText('damaged');
  await history.getByRole('button', { name: /^Evaluate run / }).click();
  await expect(view.getByLabel('Checkpoint warning')).toContainText('damaged');
  await shot(page, 'evaluation-damaged-checkpoint-1280x800.png');
});

test('keeps as many checkpoints as the setting says: a save prunes older runs, which then say so; runs are numbered', async ({ appPage: page, webHost }) => {
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  const keep = page.getByLabel('Checkpoints kept');
  await expect(keep).toHaveValue('3');
  await expect(page.locator('label', { has: keep })).toHaveAttribute('title', /newest runs \(0 keeps none\).*\(whole number, 0–1000\)$/);
  await expect(keep).toHaveAccessibleDescription('whole number, 0–1000');
  // Out of range or not a whole number: the entry stays as typed, refused with the reason; the setting keeps 3.
  const start = page.getByRole('button', { name: 'Start training' });
  for (const [bad, why] of [
    ['1001', '1001 is too large'],
    ['-1', '-1 is too small'],
    ['1.5', '1.5 is not whole'],
  ] as const) {
    await keep.fill(bad);
    await keep.press('Enter');
    await expect(keep).toHaveValue(bad);
    await expect(keep).toHaveAttribute('aria-invalid', 'true');
    await expect(keep).toHaveAccessibleDescription(
      `Checkpoints kept must be a whole number from 0 to 1000 (${why}). Training keeps 3 until this is fixed.`,
    );
    await expect(start).toBeDisabled();
  }
  await keep.fill('1');
  await keep.press('Enter');
  await expect(keep).toHaveValue('1');
  await expect(keep).not.toHaveAttribute('aria-invalid', 'true');
  await expect(start).toBeEnabled();

  await setEpochs(page, 2);
  const history = page.getByLabel('Run history');
  for (const count of [1, 2]) {
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect(history.locator('li')).toHaveCount(count, { timeout: 120_000 });
    await expect(page.getByRole('button', { name: 'Start training' })).toBeEnabled({ timeout: 60_000 });
  }
  await expect(history.locator('li').nth(0)).toContainText(/^1\./);
  await expect(history.locator('li').nth(1)).toContainText(/^2\./);
  await expect(history.locator('.nb-run-number').nth(1)).toBeVisible();

  await page.getByRole('button', { name: 'Save As' }).click();
  const saveDialog = page.getByRole('dialog', { name: 'Save graph as' });
  await saveDialog.getByLabel('File name').fill('spirals-keep-one');
  await saveDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('spirals-keep-one.nbrick');
  // The save kept the newest run only, and says so beside the older one without reopening the file.
  await expect(history.locator('li').nth(0).getByLabel('Checkpoint warning')).toContainText('missing: pruned: only the newest 1 are kept');
  await expect(history.locator('li').nth(1).getByLabel('Checkpoint warning')).toHaveCount(0);
  const { readdirSync } = await import('node:fs');
  expect(readdirSync(path.join(webHost.workspace, 'spirals-keep-one.nbrick-runs'))).toHaveLength(1);
});

test('autoencoder on MNIST: a regression evaluation with MAE/RMSE/R², predicted against true and the residuals', async ({ appPage: page }) => {
  await newFromTemplate(page, 'autoencoder');
  await openTrainingTab(page);
  await expect(page.getByLabel('Dataset', { exact: true })).toHaveValue('mnist');
  await setEpochs(page, 1);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'completed', { timeout: 180_000 });

  await page.getByRole('button', { name: 'Evaluate this run' }).click();
  const view = page.getByRole('dialog', { name: 'Evaluation' });
  const scatter = view.getByRole('figure', { name: 'Predicted against true' });
  await expect(scatter).toBeVisible({ timeout: 60_000 });
  await expect(view.getByRole('alert')).toHaveCount(0);
  // One epoch rebuilds digits roughly: pixels are in [0, 1], so the errors are well under one and R² positive.
  const value = async (id: string) => Number(await view.getByTestId(id).getAttribute('data-value'));
  const mae = await value('regression-mae');
  const rmse = await value('regression-rmse');
  expect(mae).toBeGreaterThan(0);
  expect(rmse).toBeGreaterThanOrEqual(mae);
  expect(rmse).toBeLessThan(0.5);
  expect(await value('regression-r2')).toBeGreaterThan(0);
  const samples = Number(await view.getByTestId('regression-samples').textContent());
  expect(samples).toBeGreaterThan(0);
  // 784 pixel outputs sharing the input's units: scored pooled, and the scatter pools a bounded sample of them.
  await expect(view.getByTestId('regression-outputs')).toContainText('784, pooled');
  await expect(scatter.locator('svg')).toHaveAttribute('data-points', '2000');
  await expect(scatter.locator('svg')).toHaveAttribute('aria-label', new RegExp(`for 2000 of ${samples * 784} pairs \\(every output pooled\\)`));
  await expect(scatter.locator('circle')).toHaveCount(2000);
  await expect(scatter.locator('.nb-plot-diagonal')).toHaveCount(1);
  const histogram = view.getByRole('figure', { name: 'Residual histogram' });
  await expect(histogram.locator('.nb-histogram-bar').first()).toBeVisible();
  await expect(histogram.locator('.nb-plot-zero')).toHaveCount(1);
  await insideViewport(page, scatter);
  await insideViewport(page, histogram);
  await expect(view.getByRole('tab', { name: 'Try it' })).toBeDisabled();
  await shot(page, 'evaluation-autoencoder-1280x800.png');
});
