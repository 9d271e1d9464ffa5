/**
 * File → Export… and File → Import… in the browser (issue 15): a briefly trained example exported to ONNX and PyTorch
 * with its run's weights (the files listed in the dialog and on disk under workspace/exports/); a TF.js model.json with
 * its weight shard (written by `bricks export --to tfjs`) uploaded through the page, opened on the canvas with as many
 * layers as `bricks import` makes of it, its weights a kept run in the run history; a Keras JSON with layers we do not
 * have lists them by name in the dialog. The Export dialog's screenshot is kept in docs/screenshots/export-dialog.png.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { loadGraphFile } from '../shared/format/loadGraphFile';
import { test, expect } from './fixtures';
import { repoRoot } from './rendererBuild';
import { newFromTemplate, openTrainingTab, setEpochs } from './trainingPage';

const consoleErrors: string[] = [];
test.beforeEach(({ page }) => {
  consoleErrors.length = 0;
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});
test.afterEach(() => {
  expect(consoleErrors).toEqual([]);
});

function bricks(...args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin/bricks.js'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`bricks ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

async function openFileCommand(page: Page, command: string, dialogName: string) {
  const menuBar = page.getByRole('menubar', { name: 'Menu bar' });
  await menuBar.getByRole('menuitem', { name: 'File', exact: true }).click();
  await page.getByRole('menu', { name: 'File', exact: true }).locator(`[data-command="${command}"]`).click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Layer nodes on the canvas (block frames left out). */
function canvasNodes(page: Page) {
  return page.locator('.react-flow__node:not([data-id^="frame:"])');
}

test('train spirals briefly, File → Export… to ONNX and PyTorch with the run\'s weights: the files are listed and written', async ({ appPage: page, webHost }) => {
  await newFromTemplate(page, 'spirals');
  // Before training there is no kept run: the dialog says the weights are freshly initialised.
  let dialog = await openFileCommand(page, 'file.export', 'Export');
  await expect(dialog.getByLabel('No kept run')).toContainText('freshly initialised');
  await expect(dialog.getByLabel('Weights', { exact: true })).toHaveValue('');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);

  await openTrainingTab(page);
  await setEpochs(page, 2);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  const runId = await page.getByLabel('Run history').locator('li').first().getAttribute('data-run');
  expect(runId).toBeTruthy();

  dialog = await openFileCommand(page, 'file.export', 'Export');
  await expect(dialog.getByLabel('No kept run')).toHaveCount(0);
  // The newest kept run is chosen by default.
  await expect(dialog.getByLabel('Weights', { exact: true })).toHaveValue(runId!);
  await dialog.getByRole('radio', { name: /ONNX/ }).check();
  await dialog.getByRole('button', { name: 'Export to ONNX' }).click();
  const onnx = dialog.getByLabel('ONNX export', { exact: true });
  await expect(onnx).toBeVisible({ timeout: 60_000 });
  await expect(onnx.getByRole('listitem')).toHaveText([/model\.onnx$/, /README\.md$/]);
  await expect(onnx).toContainText(`Weights: trained, from run ${runId} (2 epochs) — Run 1 in the run history`);
  const onnxDir = (await onnx.getAttribute('data-directory')) ?? '';
  expect(onnxDir).toBe('workspace/exports/Spirals-onnx');
  expect(readFileSync(path.join(webHost.workspace, 'exports/Spirals-onnx/model.onnx')).byteLength).toBeGreaterThan(1000);

  await dialog.getByRole('radio', { name: /PyTorch/ }).check();
  await dialog.getByRole('button', { name: 'Export to PyTorch' }).click();
  const pytorch = dialog.getByLabel('PyTorch export', { exact: true });
  await expect(pytorch).toBeVisible({ timeout: 60_000 });
  await expect(pytorch.getByRole('listitem')).toHaveText([/model\.py$/, /weights\.safetensors$/, /README\.md$/]);
  // Both results stay listed.
  await expect(onnx).toBeVisible();
  expect(readdirSync(path.join(webHost.workspace, 'exports/Spirals-pytorch')).sort()).toEqual(['README.md', 'model.py', 'weights.safetensors']);
  expect(readFileSync(path.join(webHost.workspace, 'exports/Spirals-pytorch/model.py'), 'utf8')).toContain('class Spirals(nn.Module)');
  await page.screenshot({ path: path.join(repoRoot, 'docs/screenshots/export-dialog.png') });

  // In a smaller window more results overflow the dialog: each new one is brought into view, not left below the fold.
  await page.setViewportSize({ width: 1024, height: 640 });
  for (const [format, name] of [['Keras', 'Keras'], ['TF.js', 'TF\\.js']] as const) {
    await dialog.getByRole('radio', { name: new RegExp(name) }).check();
    await dialog.getByRole('button', { name: `Export to ${format}` }).click();
    const result = dialog.getByLabel(`${format} export`, { exact: true });
    await expect(result).toBeVisible({ timeout: 60_000 });
    await expect(result).toBeInViewport({ ratio: 0.9 });
  }
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
});

test('File → Import… uploads a TF.js model.json with its shard: the graph opens on the canvas and its weights are a kept run', async ({ appPage: page, webHost }) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nb-e2e-interop-'));
  try {
    const modelDir = path.join(tmp, 'lenet-tfjs');
    bricks('export', path.join(repoRoot, 'examples/lenet.nbrick'), '--to', 'tfjs', '--out', modelDir, '--seed', '3');
    const shards = readdirSync(modelDir).filter((f) => f !== 'model.json');
    expect(shards.length).toBeGreaterThan(0);
    // What the CLI makes of the same files: the layer count the canvas must show.
    bricks('import', path.join(modelDir, 'model.json'), path.join(tmp, 'cli.nbrick'));
    const cli = loadGraphFile(readFileSync(path.join(tmp, 'cli.nbrick'), 'utf8'));
    if (!cli.ok) throw new Error(cli.error.message);
    const layers = cli.file.graph.nodes.length;
    expect(layers).toBeGreaterThanOrEqual(8);

    const dialog = await openFileCommand(page, 'file.import', 'Import');
    await dialog.getByLabel('Model files (model.json and its weight files)').setInputFiles([path.join(modelDir, 'model.json'), ...shards.map((s) => path.join(modelDir, s))]);
    await dialog.getByLabel('Graph name').fill('lenet-imported');
    await dialog.getByRole('button', { name: 'Upload and import' }).click();
    await expect(dialog).toHaveCount(0, { timeout: 60_000 });

    await expect(canvasNodes(page)).toHaveCount(layers);
    await expect(page.getByText(/Imported lenet-imported\.nbrick: \d+ layers/)).toBeVisible();
    expect(existsSync(path.join(webHost.workspace, 'lenet-imported.nbrick'))).toBe(true);
    expect(readdirSync(path.join(webHost.workspace, 'imports/lenet-imported')).sort()).toEqual(['model.json', ...shards].sort());

    await openTrainingTab(page);
    const history = page.getByLabel('Run history').locator('li');
    await expect(history).toHaveCount(1);
    await expect(history.first()).toContainText('imported weights (model.json)');
    await expect(history.first().getByRole('button', { name: /^Evaluate run/ })).toBeVisible();
    const runId = (await history.first().getAttribute('data-run')) ?? '';
    expect(existsSync(path.join(webHost.workspace, 'lenet-imported.nbrick-runs', runId, 'weights.bin'))).toBe(true);

    // The imported run's weights export at once.
    const exportDialog = await openFileCommand(page, 'file.export', 'Export');
    await expect(exportDialog.getByLabel('Weights', { exact: true })).toHaveValue(runId);
    await exportDialog.getByRole('radio', { name: /TF\.js/ }).check();
    await exportDialog.getByRole('button', { name: 'Export to TF.js' }).click();
    await expect(exportDialog.getByLabel('TF.js export', { exact: true })).toContainText(`Weights: trained, from run ${runId}`, { timeout: 60_000 });
    await exportDialog.getByRole('button', { name: 'Close' }).click();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('File → Import… of a Keras JSON with layers we do not have lists them by name; a model in the workspace can be chosen', async ({ appPage: page, webHost }) => {
  const fixtures = path.join(repoRoot, 'electron/services/import/fixtures');
  const unsupported = JSON.parse(readFileSync(path.join(fixtures, 'keras-unsupported.json'), 'utf8')) as unknown;
  const dialog = await openFileCommand(page, 'file.import', 'Import');
  await dialog.getByLabel('Model files (model.json and its weight files)').setInputFiles(path.join(fixtures, 'keras-unsupported.json'));
  await dialog.getByRole('button', { name: 'Upload and import' }).click();
  const problems = dialog.getByLabel('Layers that cannot be imported');
  await expect(problems).toBeVisible({ timeout: 60_000 });
  await expect(problems).toContainText('cannot be imported; nothing was written');
  // What to do next is said, not only what went wrong.
  await expect(problems.getByLabel('How to import it')).toContainText('replace these layers in the original with built-in ones');
  // The upload field sits at the left edge with its label (not centred under it).
  const label = await dialog.getByText('Model files (model.json and its weight files)').boundingBox();
  const input = await dialog.getByLabel('Model files (model.json and its weight files)').boundingBox();
  const upload = await dialog.getByRole('button', { name: 'Upload and import' }).boundingBox();
  expect(Math.abs(label!.x - upload!.x)).toBeLessThanOrEqual(1);
  expect(Math.abs(input!.x - upload!.x)).toBeLessThanOrEqual(1);
  expect(await problems.getByRole('listitem').count()).toBeGreaterThan(0);
  const names = await problems.getByRole('listitem').locator('strong').allTextContents();
  const text = JSON.stringify(unsupported);
  for (const name of names) expect(text).toContain(`"${name}"`);
  expect(readdirSync(webHost.workspace).filter((f) => f.endsWith('.nbrick'))).toEqual([]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // A model already in the workspace folder is offered by path.
  copyFileSync(path.join(fixtures, 'keras-sequential-cnn.json'), path.join(webHost.workspace, 'cnn.json'));
  const reopened = await openFileCommand(page, 'file.import', 'Import');
  await reopened.getByLabel('Model file', { exact: true }).selectOption('workspace/cnn.json');
  await reopened.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(reopened).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByText(/Imported cnn\.nbrick: \d+ layers.*no weights \(a Keras model JSON holds no weights\)/)).toBeVisible();
  expect(existsSync(path.join(webHost.workspace, 'cnn.nbrick'))).toBe(true);
});
