/**
 * Training through the web host, end to end: template → train → stop → Save As → reopen, and a trainer that dies
 * mid-run. Screenshots land in e2e/artifacts/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { loadGraphFile } from '../shared/format/loadGraphFile';
import { serializeGraphFile } from '../shared/format/serializeGraphFile';
import { test, expect, artifactPath } from './fixtures';
import { newFromTemplate, openTrainingTab, setEpochs } from './trainingPage';
import { repoRoot } from './rendererBuild';

function loadFile(file: string) {
  const result = loadGraphFile(readFileSync(file, 'utf8'));
  if (!result.ok) throw new Error(`${file}: ${result.error.message}`);
  return result.file;
}

/** Number of x positions the Loss chart holds. */
async function lossPoints(page: Page): Promise<number> {
  return Number(await page.getByLabel('Loss chart').locator('.nb-chart-plot').getAttribute('data-points'));
}

test('the web host serves the app behind its token', async ({ appPage, webHost }) => {
  await expect(appPage.getByRole('tab', { name: 'Training' })).toBeVisible();
  const anonymous = await fetch(webHost.origin + '/');
  expect(anonymous.status).toBe(401);
});

test('a newcomer sees Start training without scrolling, at 1280×800 and 1920×1080, before any run', async ({ appPage: page }) => {
  for (const [width, height] of [
    [1280, 800],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const template of ['spirals', 'mnist-mlp']) {
      await newFromTemplate(page, template);
      await openTrainingTab(page);
      const start = page.getByRole('button', { name: 'Start training' });
      await expect(start).toBeEnabled();
      // The settings above it scroll; the button stays pinned to the panel's bottom edge.
      await expect.poll(() => page.getByLabel('Training panel').evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
      const box = (await start.boundingBox())!;
      expect(box.y, `${template} at ${width}×${height}`).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height, `${template} at ${width}×${height}`).toBeLessThanOrEqual(height);
      // Nothing covers it: the point under its centre is the button.
      const onTop = await start.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
      });
      expect(onTop, `${template} at ${width}×${height}: Start training is covered`).toBe(true);
      if (template === 'mnist-mlp') await page.screenshot({ path: artifactPath(`training-start-visible-${width}x${height}.png`) });
    }
  }
});

test('train the spirals template past 90% validation accuracy, stop, save as, reopen', async ({ appPage: page, webHost }) => {
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  await expect(page.getByLabel('Dataset', { exact: true })).toHaveValue('spirals');
  await expect(page.getByLabel('Graph does not fit the dataset')).toHaveCount(0);
  await expect(page.locator('.nb-dataset-preview canvas')).toHaveAttribute('data-kind', 'scatter');
  // Enough epochs that the run is still going when we press Stop, however fast this machine is.
  await setEpochs(page, 2000);

  await page.getByRole('button', { name: 'Start training' }).click();
  await expect.poll(() => lossPoints(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await expect(page.getByLabel('Backend', { exact: true })).toHaveText(/native|wasm|cpu/);
  // Its tooltip says what really trains, e.g. whether our wasm SIMD kernels loaded and why tfjs-node was skipped.
  const badge = page.getByLabel('Backend', { exact: true });
  if ((await badge.textContent()) === 'wasm') await expect(badge).toHaveAttribute('title', /^wasm · .*· SIMD kernels/);
  await expect
    .poll(async () => Number((await page.getByTestId('val-accuracy').getAttribute('data-value')) || 0), { timeout: 150_000 })
    .toBeGreaterThan(0.9);
  await page.screenshot({ path: artifactPath('training-spirals-running.png') });
  await page.getByLabel('Accuracy chart').scrollIntoViewIfNeeded();
  await page.getByLabel('Loss chart').hover();
  await page.locator('.side-region').screenshot({ path: artifactPath('training-spirals-charts.png') });

  // Pause holds the run at a batch boundary; Resume carries on.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'paused');
  const pausedAt = await lossPoints(page);
  await page.waitForTimeout(1000);
  expect(await lossPoints(page)).toBe(pausedAt);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'running');
  await expect.poll(() => lossPoints(page)).toBeGreaterThan(pausedAt);

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'stopped');
  await expect(page.getByLabel('Run history').locator('li')).toHaveCount(1);

  // Export model opens File → Export… with this run's weights chosen; as TF.js the stopped run's trained model lands
  // in the workspace as tfjs layers files.
  const runId = await page.getByLabel('Run history').locator('li').first().getAttribute('data-run');
  await page.getByRole('button', { name: 'Export model' }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export' });
  await expect(exportDialog.getByLabel('Weights', { exact: true })).toHaveValue(runId!);
  await exportDialog.getByRole('radio', { name: /TF\.js/ }).check();
  await exportDialog.getByRole('button', { name: 'Export to TF.js' }).click();
  const exportedNote = exportDialog.getByLabel('TF.js export', { exact: true });
  await expect(exportedNote).toContainText('model.json', { timeout: 60_000 });
  await expect(exportedNote).toContainText('weights.bin');
  const exportDir = (await exportedNote.getAttribute('data-directory')) ?? '';
  expect(exportDir).toMatch(/^workspace\/exports\/[^/]+-tfjs(-\d+)?$/);
  const exportAbsolute = path.join(webHost.workspace, exportDir.slice('workspace/'.length));
  const modelJson = JSON.parse(readFileSync(path.join(exportAbsolute, 'model.json'), 'utf8')) as {
    format: string;
    weightsManifest: { paths: string[]; weights: { shape: number[]; dtype: string }[] }[];
  };
  expect(modelJson.format).toBe('layers-model');
  expect(modelJson.weightsManifest[0]?.paths).toEqual(['./weights.bin']);
  // weights.bin holds exactly the float32 weights the manifest lists (spirals template: a few thousand parameters).
  const weightCount = modelJson.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  expect(weightCount).toBeGreaterThan(100);
  expect(readFileSync(path.join(exportAbsolute, 'weights.bin')).byteLength).toBe(weightCount * 4);
  await exportDialog.screenshot({ path: artifactPath('training-export-model.png') });
  await exportDialog.getByRole('button', { name: /Close|Cancel/ }).first().click();
  await expect(exportDialog).toHaveCount(0);

  // Exports: CSV of every measurement, PNG of a chart.
  const csvDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = readFileSync(await (await csvDownload).path(), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('run,level,epoch,loss,accuracy,val_loss,val_accuracy');
  expect(csv.filter((line) => line.includes(',epoch,')).length).toBeGreaterThan(0);
  expect(csv.filter((line) => line.includes(',batch,')).length).toBeGreaterThan(5);
  const pngDownload = page.waitForEvent('download');
  await page.getByLabel('Loss chart').getByRole('button', { name: 'PNG' }).click();
  const png = readFileSync(await (await pngDownload).path());
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');

  await page.getByRole('button', { name: 'Save As' }).click();
  const saveDialog = page.getByRole('dialog', { name: 'Save graph as' });
  await saveDialog.getByLabel('File name').fill('spirals-run');
  await saveDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('spirals-run.nbrick');

  const savedPath = path.join(webHost.workspace, 'spirals-run.nbrick');
  const saved = loadFile(savedPath);
  const template = loadFile(path.join(repoRoot, 'examples/spirals.nbrick'));
  expect(saved.graph).toEqual(template.graph);
  expect(saved.runs).toHaveLength(1);
  expect(saved.runs?.[0]).toMatchObject({ status: 'stopped', config: { dataset: 'spirals', epochs: 2000 } });
  expect(saved.training?.epochs).toBe(2000);
  expect(saved.runs?.[0]?.final.valAccuracy).toBeGreaterThan(0.9);
  // Canonical on disk: loading and serialising again gives the same bytes.
  expect(readFileSync(savedPath, 'utf8')).toBe(serializeGraphFile(saved));

  // Replace the document, then reopen the saved file through the in-page Open dialog.
  await newFromTemplate(page, 'blank');
  await expect(page.getByLabel('Run history').locator('li')).toHaveCount(0);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('dialog', { name: 'Open a graph' }).getByRole('button', { name: 'spirals-run.nbrick' }).click();
  await expect(page.getByTestId('file-name')).toHaveText('spirals-run.nbrick');
  await expect(page.getByLabel('Run history').locator('li')).toHaveCount(1);
  await expect(page.locator('.react-flow__node')).toHaveCount(template.graph.nodes.length);

  // Save again (now a plain Save to the same path): the file must not change by a byte.
  const before = readFileSync(savedPath, 'utf8');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => readFileSync(savedPath, 'utf8')).toBe(before);
  await page.screenshot({ path: artifactPath('training-spirals-reopened.png') });
});

test('a trainer killed mid-run is reported, and a new run works', async ({ appPage: page, webHost }) => {
  await newFromTemplate(page, 'spirals');
  await openTrainingTab(page);
  await setEpochs(page, 2000);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect.poll(() => lossPoints(page), { timeout: 60_000 }).toBeGreaterThan(2);

  const trainers = webHost.childPids();
  expect(trainers.length).toBeGreaterThan(0);
  for (const pid of trainers) process.kill(pid, 'SIGKILL');

  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'failed');
  await expect(page.getByText(/Run failed: .*trainer process exited unexpectedly/)).toBeVisible();
  await expect(page.getByLabel('Run history').locator('li[data-status="failed"]')).toHaveCount(1);
  await page.screenshot({ path: artifactPath('training-trainer-killed.png') });

  // The next run on the pure-JS cpu backend, chosen in the settings: the badge names what really trains.
  await page.getByLabel('Training backend').selectOption('cpu');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', /starting|running/);
  await expect.poll(() => lossPoints(page), { timeout: 60_000 }).toBeGreaterThan(2);
  await expect(page.getByLabel('Backend', { exact: true })).toHaveText('cpu');
  // The failed run is history now, drawn under the live one.
  await expect(page.getByLabel('Loss chart').locator('.u-legend')).toContainText(/run 1 · \d\d:\d\d/);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'stopped');
});

test('the browser can upload a graph and download a copy', async ({ appPage: page }) => {
  const source = path.join(repoRoot, 'examples/xor.nbrick');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const openDialog = page.getByRole('dialog', { name: 'Open a graph' });
  await openDialog.getByLabel('Upload a .nbrick file').setInputFiles(source);
  await expect(openDialog).toHaveCount(0);
  const expected = loadFile(source);
  await expect(page.locator('.react-flow__node')).toHaveCount(expected.graph.nodes.length);

  await page.getByRole('button', { name: 'Save As' }).click();
  const saveDialog = page.getByRole('dialog', { name: 'Save graph as' });
  await saveDialog.getByLabel('File name').fill('xor-copy');
  const download = page.waitForEvent('download');
  await saveDialog.getByRole('button', { name: 'Download a copy' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('xor-copy.nbrick');
  const downloaded = readFileSync(await file.path(), 'utf8');
  expect(downloaded).toBe(serializeGraphFile(expected));
});
