/**
 * Panels and small windows (issue 16), in Chromium against the web host: the palette and the side panel collapse to a
 * strip and expand again, the side panel is drag- and key-resized and the width survives a reload, the light / dark /
 * system switch changes the page and is remembered, clicking a layer shows the Inspector while an undo leaves the
 * Training tab alone, and the layout stays usable at 1024×640 and 800×600 (screenshot kept in docs/screenshots/).
 */
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { artifactPath, expect, test } from './fixtures';
import { repoRoot } from './rendererBuild';
import { newFromTemplate, openTrainingTab } from './trainingPage';

const LAYERS = '.react-flow__node:not([data-id^="frame:"])';

type Rect = { x: number; y: number; width: number; height: number };

async function box(locator: Locator): Promise<Rect> {
  const b = await locator.boundingBox();
  if (!b) throw new Error(`${String(locator)} has no bounding box (not visible)`);
  return b;
}

const width = async (locator: Locator) => Math.round((await box(locator)).width);

/** Overlap area of two rectangles, ignoring a pixel of shared border. */
function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) - 1;
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) - 1;
  return w > 0 && h > 0 ? w * h : 0;
}

const palette = (page: Page) => page.locator('.palette-region');
const side = (page: Page) => page.locator('.side-region');
const canvas = (page: Page) => page.locator('.canvas-region');

async function openTemplate(page: Page, id: string): Promise<void> {
  await newFromTemplate(page, id);
  await expect(page.getByRole('dialog', { name: 'New graph' })).toHaveCount(0);
  await expect(page.locator(LAYERS)).not.toHaveCount(0);
}

/** Rectangles of every layer on screen, for the minimap check. */
async function layerRects(page: Page): Promise<Rect[]> {
  return page.locator(LAYERS).evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as Rect));
}

test.describe('panels at 1280×800', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the palette and the side panel collapse to a strip, expand again, and stay as left after a reload', async ({ appPage: page }) => {
    expect(await width(palette(page))).toBe(200);
    expect(await width(side(page))).toBe(340);
    const canvasBefore = await width(canvas(page));

    await page.getByRole('button', { name: 'Collapse layer palette' }).click();
    await expect(page.getByLabel('Search layers and blocks')).toHaveCount(0);
    expect(await width(palette(page))).toBe(28);
    expect(await width(canvas(page))).toBe(canvasBefore + 172);

    await page.getByRole('button', { name: 'Collapse side panel' }).click();
    await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveCount(0);
    expect(await width(side(page))).toBe(28);
    expect(await width(canvas(page))).toBe(1280 - 2 * 28);

    await page.reload();
    await expect(page.locator('.app')).toBeVisible();
    expect(await width(palette(page))).toBe(28);
    expect(await width(side(page))).toBe(28);

    await page.getByRole('button', { name: 'Expand layer palette' }).click();
    await expect(page.getByLabel('Search layers and blocks')).toBeVisible();
    expect(await width(palette(page))).toBe(200);
    // The strip's tab buttons open the side panel on that tab.
    await side(page).locator('.strip-tab', { hasText: 'Training' }).click();
    await expect(page.getByRole('tab', { name: 'Training' })).toHaveAttribute('aria-selected', 'true');
    expect(await width(side(page))).toBe(340);

    // Double-clicking a panel's edge collapses it too.
    await page.getByTestId('palette-separator').dblclick();
    expect(await width(palette(page))).toBe(28);
  });

  test('dragging the side panel edge resizes it; the width is remembered after a reload', async ({ appPage: page }) => {
    const separator = page.getByRole('separator', { name: 'Resize side panel' });
    await expect(separator).toHaveAttribute('aria-valuenow', '340');
    const s = await box(separator);
    const x = s.x + s.width / 2;
    const y = s.y + s.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x - 60, y, { steps: 4 });
    await page.mouse.move(x - 100, y, { steps: 4 });
    await page.mouse.up();
    await expect(separator).toHaveAttribute('aria-valuenow', '440');
    expect(await width(side(page))).toBe(440);

    // Keyboard: ArrowLeft widens the right-hand panel, End goes to its largest width (640, or less when the window
    // would leave the canvas under 400 px).
    await separator.focus();
    await page.keyboard.press('ArrowLeft');
    await expect(separator).toHaveAttribute('aria-valuenow', '450');
    await page.keyboard.press('End');
    const max = Number(await separator.getAttribute('aria-valuemax'));
    expect(max).toBe(Math.min(640, 1280 - 200 - 400));
    await expect(separator).toHaveAttribute('aria-valuenow', String(max));
    expect(await width(canvas(page))).toBeGreaterThanOrEqual(400);
    await page.keyboard.press('ArrowRight');

    await page.reload();
    await expect(page.locator('.app')).toBeVisible();
    expect(await width(side(page))).toBe(max - 10);
    await expect(page.getByRole('separator', { name: 'Resize side panel' })).toHaveAttribute('aria-valuenow', String(max - 10));

    // The palette edge drags the other way.
    const paletteSeparator = page.getByRole('separator', { name: 'Resize layer palette' });
    const p = await box(paletteSeparator);
    await page.mouse.move(p.x + p.width / 2, p.y + 200);
    await page.mouse.down();
    await page.mouse.move(p.x + p.width / 2 + 60, p.y + 200, { steps: 5 });
    await page.mouse.up();
    expect(await width(palette(page))).toBe(260);
  });

  test('the theme switch turns the page dark, is remembered, and "system" follows the OS live', async ({ appPage: page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    expect(light).toBe('rgb(246, 247, 249)');
    await openTemplate(page, 'xor');

    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(background).toBe('rgb(20, 23, 28)');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.locator('.react-flow')).toHaveClass(/\bdark\b/);
    const nodeBackground = await page.locator('.layer-node').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(nodeBackground).toBe('rgb(32, 37, 45)');

    await page.reload();
    await expect(page.locator('.app')).toBeVisible();
    expect(await background()).toBe('rgb(20, 23, 28)');
    await expect(page.getByLabel('Theme')).toHaveValue('dark');

    await page.getByLabel('Theme').selectOption('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe(light);
    await page.getByLabel('Theme').selectOption('system');
    await expect.poll(background).toBe('rgb(20, 23, 28)');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(background).toBe(light);
  });

  test('with the Training tab open, clicking a layer shows the Inspector; inserting and undoing do not', async ({ appPage: page }) => {
    await openTemplate(page, 'xor');
    await openTrainingTab(page);
    const training = page.getByRole('tab', { name: 'Training' });
    const inspector = page.getByRole('tab', { name: 'Inspector' });

    // Selection set by the program (a palette insert selects the new layer; undo restores the old selection).
    const count = await page.locator(LAYERS).count();
    await page.getByTestId('palette-layer:Dense').click();
    await expect(page.locator(LAYERS)).toHaveCount(count + 1);
    await expect(training).toHaveAttribute('aria-selected', 'true');
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(page.locator(LAYERS)).toHaveCount(count);
    await expect(training).toHaveAttribute('aria-selected', 'true');

    // The user picks a layer: the Inspector shows it.
    await page.locator(`${LAYERS} .layer-node-head`).first().click();
    await expect(inspector).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('inspector')).toBeVisible();

    // The keyboard twin: Enter on a focused layer.
    await training.click();
    await page.locator(LAYERS).nth(1).focus();
    await page.keyboard.press('Enter');
    await expect(inspector).toHaveAttribute('aria-selected', 'true');

    // Double-click expands a collapsed side panel on the Inspector and focuses the layer's first setting.
    await training.click();
    await page.getByRole('button', { name: 'Collapse side panel' }).click();
    await expect(inspector).toHaveCount(0);
    await page.locator(`${LAYERS} .layer-node-head`).nth(1).dblclick();
    await expect(inspector).toHaveAttribute('aria-selected', 'true');
    await expect(page.locator('[data-testid="inspector"] [data-param] :is(input, select)').first()).toBeFocused();
  });
});

test.describe('a 1024×640 window', () => {
  test.use({ viewport: { width: 1024, height: 640 } });

  test('shows toolbar, palette, canvas, side panel and summary bar side by side without overlap', async ({ appPage: page }) => {
    await openTemplate(page, 'mnist-mlp');
    const regions: Record<string, Locator> = {
      toolbar: page.locator('.toolbar'),
      palette: palette(page),
      canvas: canvas(page),
      side: side(page),
      summary: page.locator('.summary-region'),
    };
    const rects: Record<string, Rect> = {};
    for (const [name, locator] of Object.entries(regions)) {
      await expect(locator, name).toBeVisible();
      rects[name] = await box(locator);
      const r = rects[name]!;
      expect(r.x, `${name} left`).toBeGreaterThanOrEqual(0);
      expect(r.y, `${name} top`).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width, `${name} right`).toBeLessThanOrEqual(1024 + 0.5);
      expect(r.y + r.height, `${name} bottom`).toBeLessThanOrEqual(640 + 0.5);
    }
    const names = Object.keys(rects);
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        expect(overlap(rects[names[i]!]!, rects[names[j]!]!), `${names[i]} overlaps ${names[j]}`).toBe(0);
      }
    }
    await expect(page.locator('.app')).toHaveAttribute('data-side-mode', 'docked');
    expect(rects.canvas!.width).toBeGreaterThanOrEqual(400);
    expect(rects.toolbar!.height).toBeLessThanOrEqual(42);
    console.info(`1024×640: ${names.map((n) => `${n} ${Math.round(rects[n]!.width)}×${Math.round(rects[n]!.height)}`).join(', ')}`);
  });
});

test.describe('an 800×600 window', () => {
  test.use({ viewport: { width: 800, height: 600 } });

  test('keeps a usable canvas: at least 400 px wide, no minimap over layers, the toolbar on one row', async ({ appPage: page }) => {
    await openTemplate(page, 'resnet-mini');
    const canvasWidth = await width(canvas(page));
    expect(canvasWidth).toBeGreaterThanOrEqual(400);
    await expect(page.locator('.app')).toHaveAttribute('data-side-mode', 'collapsed');

    // Toolbar: one row, every control inside its 42 px band.
    const toolbar = await box(page.locator('.toolbar'));
    expect(toolbar.height).toBeLessThanOrEqual(42);
    const controls = await page.locator('.toolbar > :is(button, .brand, .file-name)').evaluateAll((els) =>
      els.map((el) => ({ label: el.getAttribute('aria-label') ?? el.textContent ?? '', ...(el.getBoundingClientRect().toJSON() as Rect) })),
    );
    // Nothing is pushed out of sight: the row fits without scrolling, the file name and Help included.
    const fits = await page.locator('.toolbar').evaluate((el) => el.scrollWidth <= el.clientWidth);
    expect(fits, 'toolbar content fits the window').toBe(true);
    expect((await box(page.getByTestId('file-name'))).width).toBeGreaterThanOrEqual(40);
    await expect(page.locator('.toolbar [data-command="help.shortcuts"]')).toBeInViewport({ ratio: 1 });
    for (const c of controls) {
      expect(c.y, `${c.label} top`).toBeGreaterThanOrEqual(toolbar.y - 0.5);
      expect(c.y + c.height, `${c.label} bottom`).toBeLessThanOrEqual(toolbar.y + toolbar.height + 0.5);
      expect(c.height, `${c.label} is one line`).toBeLessThanOrEqual(30);
    }

    const minimap = page.locator('.react-flow__minimap');
    if ((await minimap.count()) > 0) {
      const m = await box(minimap);
      for (const layer of await layerRects(page)) expect(overlap(layer, m), 'a layer under the minimap').toBe(0);
    }
    await page.screenshot({ path: path.join(repoRoot, 'docs/screenshots/800x600.png') });

    // The side panel opens over the canvas on demand (double-click a layer) and closes again.
    await page.locator(`${LAYERS} .layer-node-head`).first().dblclick();
    await expect(page.locator('.app')).toHaveAttribute('data-side-mode', 'overlay');
    await expect(page.getByTestId('inspector')).toBeVisible();
    const overlay = await box(page.locator('.side-panel'));
    expect(overlay.x + overlay.width).toBeLessThanOrEqual(800 + 0.5);
    expect(await width(canvas(page))).toBe(canvasWidth);
    await page.screenshot({ path: artifactPath('panels-800x600-overlay.png') });
    await page.getByRole('button', { name: 'Collapse side panel' }).click();
    await expect(page.locator('.app')).toHaveAttribute('data-side-mode', 'collapsed');
    // Opened from its strip, it is put away by a click on empty canvas, like a drawer.
    await page.getByRole('button', { name: 'Expand side panel' }).click();
    await expect(page.locator('.app')).toHaveAttribute('data-side-mode', 'overlay');
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 250 } });
    await expect(page.locator('.app')).toHaveAttribute('data-side-mode', 'collapsed');

    // Collapsing the palette leaves room to dock the side panel beside a 400 px canvas.
    await page.getByRole('button', { name: 'Collapse layer palette' }).click();
    await expect(page.locator('.app')).toHaveAttribute('data-side-mode', 'docked');
    expect(await width(canvas(page))).toBeGreaterThanOrEqual(400);
    console.info(`800×600: canvas ${canvasWidth} px with palette and side strip; docked beside a collapsed palette ${await width(canvas(page))} px`);
  });
});
