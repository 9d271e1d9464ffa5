/**
 * Seeing inside the network (issue 11), end to end through the web host: telemetry from a real ResNet mini run colours
 * the canvas and fills the Inside panel; a too-high learning rate on a ReLU MLP raises a dead-unit warning whose fix is
 * one undoable edit; signal propagation at init and a loss landscape slice run from the panel. Screenshots land in
 * e2e/artifacts/ (the README's pictures come from here).
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

async function runStatus(page: Page): Promise<string | null> {
  return page.getByLabel('Training progress').getAttribute('data-status');
}

test('ResNet mini: gradient flow on the canvas, a node’s numbers on hover, the Inside panel, signal propagation and a landscape slice', async ({ appPage: page }) => {
  test.setTimeout(420_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await newFromTemplate(page, 'resnet-mini');
  await openTrainingTab(page);
  await setEpochs(page, 1);
  await page.getByRole('button', { name: 'Start training' }).click();

  // Telemetry arrives from the first step: the overlay colours the nodes that have gradients.
  await page.getByTestId('overlay-switch').selectOption('gradients');
  const conv = page.getByTestId('node-b1_conv1');
  await expect(conv).toHaveClass(/has-overlay/, { timeout: 90_000 });
  await expect(page.getByTestId('overlay-legend')).toBeVisible();
  // Pass-through and weightless nodes have no gradient: dimmed, not coloured as zero.
  await expect(page.getByTestId('node-b1_add')).toHaveClass(/overlay-none/);
  const insight = page.getByTestId('node-insight-b1_conv1');
  expect(Number(await insight.getAttribute('data-value'))).toBeGreaterThan(0);

  await conv.hover();
  const card = page.getByTestId('node-signals-b1_conv1');
  await expect(card).toBeVisible();
  for (const signal of ['gradNorm', 'weightNorm', 'updateRatio', 'activationStd']) {
    await expect(card.locator(`tr[data-signal="${signal}"]`)).toContainText(/\d/);
  }
  await page.screenshot({ path: artifactPath('insight-overlay-gradients.png') });

  // The one-epoch run ends with its weights kept (for the landscape) and its telemetry in the run record.
  await expect.poll(() => runStatus(page), { timeout: 180_000 }).toBe('completed');

  await page.getByRole('tab', { name: 'Inside' }).click();
  // Wider gives the side panel (and the heatmap) a larger share of the window; Narrower gives the width back.
  const side = page.locator('.side-region');
  const narrowWidth = (await side.boundingBox())!.width;
  await page.getByRole('button', { name: 'Wider' }).click();
  await expect.poll(async () => (await side.boundingBox())!.width).toBeGreaterThan(narrowWidth + 100);
  const heatmap = page.locator('.nb-heatmap');
  await expect(heatmap).toBeVisible();
  expect(Number(await heatmap.getAttribute('data-rows'))).toBeGreaterThanOrEqual(10);
  expect(Number(await heatmap.getAttribute('data-columns'))).toBeGreaterThanOrEqual(2);
  await page.getByRole('img', { name: 'Layer heatmap' }).hover();
  await expect(page.locator('.nb-heatmap-tip')).toHaveAttribute('data-node', /.+/);
  await expect(page.getByRole('img', { name: 'Histograms over time' })).toBeVisible();
  await page.locator('.side-region').screenshot({ path: artifactPath('insight-panel-heatmap.png') });
  await page.getByRole('button', { name: 'Narrower' }).click();
  await expect.poll(async () => Math.round((await side.boundingBox())!.width)).toBe(Math.round(narrowWidth));

  // Signal propagation at init: one batch through the fresh network, one point per node along the depth.
  const signal = page.getByRole('region', { name: 'Signal propagation at initialisation' });
  await signal.getByRole('button', { name: 'Signal propagation at init' }).click();
  await expect(signal.getByRole('img', { name: /Average channel squared mean and variance for \d+ nodes/ })).toBeVisible({ timeout: 30_000 });
  await signal.screenshot({ path: artifactPath('insight-signal-propagation.png') });

  // Loss landscape around the stopped run's weights, with progress, then the line and the 2-D slice.
  const landscape = page.getByRole('region', { name: 'Loss landscape' });
  await landscape.getByRole('button', { name: 'Start' }).click();
  await expect(landscape.getByTestId('landscape-center')).toBeVisible({ timeout: 120_000 });
  await expect(landscape.getByRole('img', { name: 'Loss along one filter-normalised direction' })).toBeVisible();
  await expect(landscape.getByRole('img', { name: 'Loss over two filter-normalised directions' })).toBeVisible();
  await landscape.screenshot({ path: artifactPath('insight-landscape.png') });
});

test('a too-high learning rate on a ReLU MLP raises a dead-unit warning on the node; its fix is one undoable edit', async ({ appPage: page }) => {
  test.setTimeout(180_000);
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  await page.getByLabel('Optimizer').selectOption('sgd');
  await setLearningRate(page, 3);
  await setEpochs(page, 3);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect.poll(() => runStatus(page), { timeout: 120_000 }).toMatch(/completed|failed/);

  await page.getByTestId('overlay-switch').selectOption('dead');
  await expect(page.getByTestId('telemetry-warnings-chip')).toContainText(/\d+ warning/);
  const badge = page.locator('[data-testid^="warning-badge-"][data-kinds*="dead-units"]').first();
  await expect(badge).toBeVisible();
  const nodeId = ((await badge.getAttribute('data-testid')) ?? '').replace('warning-badge-', '');
  const node = page.getByTestId(`node-${nodeId}`);
  await expect(node).toContainText('ReLU');
  await badge.click();
  const cardWarning = page.getByTestId(`warning-card-${nodeId}`);
  await expect(cardWarning).toContainText(/dead/i);
  await page.screenshot({ path: artifactPath('insight-dead-unit-warning.png') });
  await cardWarning.getByTestId(`apply-fix-${nodeId}-dead-units`).click();
  await expect(node).toContainText('leaky ReLU');

  // One undo step puts the activation back.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(node).not.toContainText('leaky ReLU');
  await expect(node).toContainText('ReLU');
});
