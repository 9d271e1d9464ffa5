/**
 * The layout as a newcomer meets it on a 1280×800 laptop: every template (the example files) opens readable — zoom
 * at least 0.75, scrolled rather than shrunk — with no layer under the minimap and no layers on top of each other;
 * Auto layout lays a chain out as one straight column.
 */
import { readdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { artifactPath, expect, test } from './fixtures';
import { repoRoot } from './rendererBuild';

const EXAMPLE_IDS = readdirSync(`${repoRoot}/examples`)
  .filter((f) => f.endsWith('.nbrick'))
  .map((f) => f.replace(/\.nbrick$/, ''))
  .sort();

const LAYERS = '.react-flow__node:not([data-id^="frame:"])';

async function openTemplate(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: 'New' }).click();
  await expect(page.getByRole('dialog', { name: 'New graph' })).toBeVisible();
  await page.getByTestId(`template-${id}`).click();
  await expect(page.getByRole('dialog', { name: 'New graph' })).toHaveCount(0);
  await expect(page.locator(LAYERS)).not.toHaveCount(0);
}

/** Waits until the viewport and the node positions stop changing. */
async function settled(page: Page): Promise<void> {
  const snapshot = () =>
    page.evaluate(() =>
      [document.querySelector('.react-flow__viewport'), ...document.querySelectorAll('.react-flow__node')]
        .map((el) => (el as HTMLElement | null)?.style.transform ?? '')
        .join('|'),
    );
  let last = '';
  await expect
    .poll(async () => {
      await page.waitForTimeout(250);
      const now = await snapshot();
      const same = now === last;
      last = now;
      return same;
    })
    .toBe(true);
}

async function zoomLevel(page: Page): Promise<number> {
  return page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
}

type Box = { id: string; x: number; y: number; width: number; height: number };

async function layerBoxes(page: Page): Promise<Box[]> {
  return page.locator(LAYERS).evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.getAttribute('data-id') ?? '', x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
}

const intersects = (a: Omit<Box, 'id'>, b: Omit<Box, 'id'>) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test.use({ viewport: { width: 1280, height: 800 } });

test('every template opens at a readable zoom, with no layer under the minimap and none overlapping', async ({ appPage: page }) => {
  const pane = (await page.locator('.react-flow').boundingBox())!;
  const report: string[] = [`pane ${Math.round(pane.width)}×${Math.round(pane.height)}`];
  for (const id of EXAMPLE_IDS) {
    await openTemplate(page, id);
    await settled(page);
    const zoom = await zoomLevel(page);
    report.push(`${id}: zoom ${zoom.toFixed(2)}`);
    expect(zoom, `${id} opened at zoom ${zoom.toFixed(2)}`).toBeGreaterThanOrEqual(0.75 - 1e-6);
    const layers = await layerBoxes(page);
    // The input end is on screen: the first layer of the file is inside the pane.
    const onScreen = layers.filter((b) => intersects(b, pane));
    expect(onScreen.length, `${id}: layers on screen`).toBeGreaterThan(0);
    for (let i = 0; i < layers.length; i++) {
      for (let j = i + 1; j < layers.length; j++) {
        expect(intersects(layers[i]!, layers[j]!), `${id}: ${layers[i]!.id} overlaps ${layers[j]!.id}`).toBe(false);
      }
    }
    const minimap = page.locator('.react-flow__minimap');
    if ((await minimap.count()) > 0) {
      const m = (await minimap.boundingBox())!;
      for (const b of onScreen) expect(intersects(b, m), `${id}: ${b.id} is under the minimap`).toBe(false);
    }
    await page.screenshot({ path: artifactPath(`layout-template-${id}.png`) });
  }
  console.info(report.join('\n'));
});

test('panning a layer under the minimap moves the minimap away or hides it', async ({ appPage: page }) => {
  await openTemplate(page, 'mnist-mlp');
  await settled(page);
  const minimap = page.locator('.react-flow__minimap');
  await expect(minimap).toBeVisible();
  const m = (await minimap.boundingBox())!;
  const first = (await layerBoxes(page))[0]!;
  // Drag the canvas so the first layer lands where the minimap was.
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const start = { x: pane.x + 20, y: pane.y + pane.height / 2 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + (m.x + 10 - first.x), start.y + (m.y + 10 - first.y), { steps: 8 });
  await page.mouse.up();
  await settled(page);
  const layers = await layerBoxes(page);
  expect(layers.some((b) => intersects(b, m)), 'a layer now lies where the minimap was').toBe(true);
  if ((await minimap.count()) > 0) {
    const moved = (await minimap.boundingBox())!;
    for (const b of layers) expect(intersects(b, moved), `${b.id} is under the minimap`).toBe(false);
  }
});

test('Auto layout lays an 8-layer chain out as one straight column, top to bottom', async ({ appPage: page }) => {
  await page.getByTestId('palette-layer:Input').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 120, y: 120 } });
  await expect(page.locator(LAYERS)).toHaveCount(1);
  await page.locator(`${LAYERS} .layer-node-head`).first().click();
  for (let i = 1; i < 8; i++) {
    await page.getByTestId('palette-layer:Dense').click();
    await expect(page.locator(LAYERS)).toHaveCount(i + 1);
  }
  await expect(page.locator('.react-flow__edge')).toHaveCount(7);
  await page.getByTestId('auto-layout').click();
  await settled(page);
  const boxes = await layerBoxes(page);
  const centres = boxes.map((b) => Math.round(b.x + b.width / 2));
  expect(new Set(centres).size, `centres ${centres.join(', ')}`).toBe(1);
  const ys = boxes.map((b) => b.y).sort((a, b) => a - b);
  for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThan(boxes[0]!.height);
  expect(await zoomLevel(page)).toBeGreaterThanOrEqual(0.75 - 1e-6);
  await page.screenshot({ path: artifactPath('layout-chain-column.png') });
});
