/**
 * The visual builder end to end, in Chromium against the web host: palette drag & drop, connecting handles, live
 * shapes and parameter counts, errors on nodes and ports, undo/redo, copy/paste, blocks, auto-layout, quick add,
 * and building a LeNet-style network from an empty canvas with the palette and the inspector.
 */
import type { Locator, Page } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { artifactPath, expect, test } from './fixtures';
import { repoRoot } from './rendererBuild';

const node = (page: Page, id: string): Locator => page.locator(`.react-flow__node[data-id="${id}"]`);

async function nodeIds(page: Page): Promise<string[]> {
  return page.locator('.react-flow__node:not([data-id^="frame:"])').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
}

/** The example files, which New offers as templates (by file name). */
const EXAMPLE_IDS = readdirSync(`${repoRoot}/examples`)
  .filter((f) => f.endsWith('.nbrick'))
  .map((f) => f.replace(/\.nbrick$/, ''))
  .sort();

async function openTemplate(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: 'New' }).click();
  await expect(page.getByRole('dialog', { name: 'New graph' })).toBeVisible();
  await page.getByTestId(`template-${id}`).click();
  await expect(page.getByRole('dialog', { name: 'New graph' })).toHaveCount(0);
}

/** Current canvas zoom, from React Flow's viewport transform. */
async function zoomLevel(page: Page): Promise<number> {
  return page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
}

/** Waits until the viewport and the node positions stop changing (a fit, or a layout then a fit, has settled). */
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

/** Layer nodes whose box is not wholly inside the canvas pane (after the fit has settled). */
async function offscreenNodes(page: Page): Promise<string[]> {
  const pane = (await page.locator('.react-flow').boundingBox())!;
  const out: string[] = [];
  for (const el of await page.locator('.react-flow__node:not([data-id^="frame:"])').all()) {
    const b = (await el.boundingBox())!;
    const inside = b.x >= pane.x - 1 && b.y >= pane.y - 1 && b.x + b.width <= pane.x + pane.width + 1 && b.y + b.height <= pane.y + pane.height + 1;
    if (!inside) out.push(`${await el.getAttribute('data-id')} at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)}`);
  }
  return out;
}

async function dropFromPalette(page: Page, key: string, x: number, y: number): Promise<string> {
  const before = new Set(await nodeIds(page));
  await page.getByTestId(`palette-layer:${key}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  await expect.poll(async () => (await nodeIds(page)).length).toBe(before.size + 1);
  return (await nodeIds(page)).find((id) => !before.has(id))!;
}

/** Clicking a palette entry inserts it; with one node selected it is wired after that node. */
async function clickPalette(page: Page, key: string): Promise<string> {
  const before = new Set(await nodeIds(page));
  await page.getByTestId(`palette-${key}`).click();
  await expect.poll(async () => (await nodeIds(page)).length).toBeGreaterThan(before.size);
  return (await nodeIds(page)).find((id) => !before.has(id))!;
}

async function connect(page: Page, from: string, to: string, port = 0): Promise<void> {
  await node(page, from).locator('.react-flow__handle.source').dragTo(node(page, to).locator(`.react-flow__handle[data-handleid="in-${port}"]`));
}

async function select(page: Page, id: string): Promise<void> {
  await node(page, id).locator('.layer-node-head').click();
  await expect(page.getByTestId('inspector')).toBeVisible();
}

/** Sets a param through the inspector of the selected node. */
async function setNumber(page: Page, param: string, value: number | string, index?: number): Promise<void> {
  const field = page.locator(`.inspector [data-param="${param}"] input`);
  const input = index === undefined ? field.first() : field.nth(index);
  await input.fill(String(value));
  await input.blur();
}

async function setSelect(page: Page, param: string, value: string): Promise<void> {
  await page.locator(`.inspector [data-param="${param}"] select`).selectOption(value);
}

/** What the canvas shows, to compare states exactly: nodes with positions and faces, edges with labels. */
async function canvasState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const nodes = [...document.querySelectorAll('.react-flow__node')].map(
      (n) => `${n.getAttribute('data-id')}@${(n as HTMLElement).style.transform}:${n.textContent}`,
    );
    const edges = [...document.querySelectorAll('.react-flow__edge')].map((e) => e.getAttribute('data-id'));
    const labels = [...document.querySelectorAll('.edge-label')].map((l) => l.textContent);
    const params = document.querySelector('[data-testid="summary-params"]')?.textContent;
    return JSON.stringify({ nodes: nodes.sort(), edges: edges.sort(), labels: labels.sort(), params });
  });
}

test.describe('canvas', () => {
  test.beforeEach(async ({ appPage }) => {
    await expect(appPage.locator('.react-flow__pane')).toBeVisible();
  });

  test('drag Input, Dense, Output from the palette and connect them: shapes on edges, parameter count in the summary', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 120, 200);
    const dense = await dropFromPalette(page, 'Dense', 420, 200);
    const output = await dropFromPalette(page, 'Output', 720, 200);
    await connect(page, input, dense);
    await connect(page, dense, output);
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);
    // Input: vector of 2 → Dense 64 → Output 10 (softmax).
    await expect(page.locator('.edge-label')).toHaveText(['[2]', '[64]']);
    await expect(page.getByTestId('summary-params')).toHaveText((2 * 64 + 64 + 64 * 10 + 10).toLocaleString('en-US'));
    await expect(node(page, dense).getByTestId('node-output-shape')).toHaveText('[64]');
    await expect(page.getByTestId('summary-errors')).toContainText('no errors');
    await page.screenshot({ path: artifactPath('canvas-mlp.png') });

    // Dropping a layer on an edge splices it in: Dense → Dropout → Output, shapes carried through.
    const edge = page.locator('.react-flow__edge').nth(1);
    const label = (await page.locator('.edge-label').nth(1).boundingBox())!;
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    expect(await edge.count()).toBe(1);
    await page.getByTestId('palette-layer:Dropout').dragTo(page.locator('.react-flow__pane'), {
      targetPosition: { x: label.x - pane.x - 14, y: label.y - pane.y + label.height / 2 },
    });
    await expect(page.locator('.react-flow__node')).toHaveCount(4);
    await expect(page.locator('.react-flow__edge')).toHaveCount(3);
    await expect(page.locator('.edge-label')).toHaveText(['[2]', '[64]', '[64]']);
    await page.keyboard.press('Control+z');
    await expect(page.locator('.react-flow__node')).toHaveCount(3);
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);

    // A second edge into Dense's single input is refused, with the reason shown while dragging.
    const box = await node(page, dense).locator('.react-flow__handle.target').boundingBox();
    const src = await node(page, input).locator('.react-flow__handle.source').boundingBox();
    const other = await dropFromPalette(page, 'Input', 120, 420);
    const otherSrc = await node(page, other).locator('.react-flow__handle.source').boundingBox();
    expect(box && src && otherSrc).toBeTruthy();
    await page.mouse.move(otherSrc!.x + 4, otherSrc!.y + 4);
    await page.mouse.down();
    await page.mouse.move(box!.x + 10, box!.y + 10, { steps: 8 });
    await page.mouse.move(box!.x + 4, box!.y + 4, { steps: 4 });
    await expect(page.getByTestId('connection-hint')).toBeVisible();
    await expect(page.getByTestId('connection-hint')).not.toHaveText('Connect');
    await page.screenshot({ path: artifactPath('canvas-refused-connection.png') });
    await page.mouse.up();
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  });

  test('a shape mismatch at an Add shows on the node and on the offending port; fixing it clears both', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 100, 250);
    await select(page, input);
    const a = await clickPalette(page, 'layer:Dense');
    await select(page, input);
    const b = await clickPalette(page, 'layer:Dense');
    await setNumber(page, 'units', 32);
    const add = await dropFromPalette(page, 'Add', 800, 250);
    await connect(page, a, add);
    await connect(page, b, add);
    const addNode = node(page, add);
    await expect(addNode.getByTestId('node-error')).toBeVisible();
    await expect(addNode.getByTestId('node-error')).toContainText(/64|32/);
    await expect(addNode.locator('.react-flow__handle.port-error')).toHaveCount(1);
    await expect(page.locator('.edge-label.has-error')).not.toHaveCount(0);
    await expect(page.getByTestId('summary-errors')).toContainText('error');
    await page.screenshot({ path: artifactPath('canvas-add-mismatch.png') });

    // Click-to-jump selects the layer with the error (the Add), not the graph-level "no Output" reported alongside it.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.getByTestId('summary-errors').click();
    await expect(addNode.locator('.layer-node')).toHaveClass(/is-selected/);
    await expect(page.getByTestId('inspector')).toContainText('Add');
    // With a second broken layer (a Dense with no input), repeated clicks cycle between the two.
    const loose = await dropFromPalette(page, 'Dense', 500, 480);
    await expect(node(page, loose).getByTestId('node-error')).toBeVisible();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    const selectedId = async () => {
      const ids = await page.locator('.react-flow__node:has(.layer-node.is-selected)').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
      return ids.length === 1 ? ids[0] : undefined;
    };
    const visited: string[] = [];
    for (let k = 0; k < 3; k++) {
      await page.getByTestId('summary-errors').click();
      await expect.poll(async () => { const id = await selectedId(); return id !== undefined && id !== visited.at(-1); }).toBe(true);
      visited.push((await selectedId())!);
    }
    expect(new Set(visited.slice(0, 2))).toEqual(new Set([add, loose]));
    expect(visited[2]).toBe(visited[0]);
    await page.keyboard.press('Control+z');
    await expect(node(page, loose)).toHaveCount(0);
    await page.getByRole('button', { name: 'Fit', exact: true }).click(); // the jumps centred the view elsewhere
    await page.waitForTimeout(300);

    await select(page, b);
    await setNumber(page, 'units', 64);
    await expect(addNode.getByTestId('node-error')).toHaveCount(0);
    await expect(addNode.locator('.react-flow__handle.port-error')).toHaveCount(0);
    await expect(addNode.getByTestId('node-output-shape')).toHaveText('[64]');
  });

  test('undo and redo restore the canvas exactly, a drag being one step', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 120, 200);
    await select(page, input);
    const dense = await clickPalette(page, 'layer:Dense');
    const s0 = await canvasState(page);

    // 1: drag a node (one undo step however many frames), 2: a param edit, 3: delete a node.
    const head = node(page, dense).locator('.layer-node-head');
    const hb = (await head.boundingBox())!;
    await page.mouse.move(hb.x + 20, hb.y + 8);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(hb.x + 20 + i * 12, hb.y + 8 + i * 6);
    await page.mouse.up();
    await select(page, dense);
    await setNumber(page, 'units', 12);
    const s2 = await canvasState(page);
    await node(page, input).locator('.layer-node-head').click();
    await page.keyboard.press('Delete');
    await expect(page.locator('.react-flow__edge')).toHaveCount(0);
    await expect(node(page, dense)).toBeVisible();
    const s3 = await canvasState(page);

    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => canvasState(page)).toBe(s2);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect.poll(() => canvasState(page)).toBe(s0);
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+y');
    await expect.poll(() => canvasState(page)).toBe(s2);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => canvasState(page)).toBe(s3);
  });

  test('copy and paste a connected pair keeps its internal edge; duplicate too', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 120, 200);
    await select(page, input);
    const dense = await clickPalette(page, 'layer:Dense');
    await expect(page.locator('.react-flow__edge')).toHaveCount(1);
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+c');
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.move(pane.x + 200, pane.y + 420);
    await page.keyboard.press('Control+v');
    await expect(page.locator('.react-flow__node')).toHaveCount(4);
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);
    await expect(page.locator('.edge-label')).toHaveText(['[2]', '[2]']);
    await page.keyboard.press('Control+d');
    await expect(page.locator('.react-flow__node')).toHaveCount(6);
    await expect(page.locator('.react-flow__edge')).toHaveCount(3);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect(page.locator('.react-flow__node')).toHaveCount(2);
    expect(await nodeIds(page)).toEqual([input, dense]);

    // A named block copies as a block: the pasted layers come with their own group.
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+g');
    await expect(page.locator('.block-frame')).toHaveCount(1);
    await page.keyboard.press('Control+c');
    await page.mouse.move(pane.x + 300, pane.y + 450);
    await page.keyboard.press('Control+v');
    await expect(page.locator('.block-frame')).toHaveCount(2);
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);
    await expect(page.getByTestId(/^palette-group:/)).toHaveCount(2);
  });

  test('insert a residual block after a convolution, auto-layout, collapse and expand it', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 80, 150);
    await select(page, input);
    await setSelect(page, 'kind', 'image');
    await setNumber(page, 'height', 32);
    await setNumber(page, 'width', 32);
    await setNumber(page, 'channels', 3);
    const conv = await clickPalette(page, 'layer:Conv2D');
    await setNumber(page, 'filters', 8);
    await select(page, conv);
    await page.getByTestId('palette-block:residual').click();
    // 8 channels in, 32-wide block → the 1×1 projection shortcut is used.
    await expect(page.locator('.block-frame')).toHaveCount(1);
    await expect(page.locator('.layer-node-title', { hasText: 'Projection 1×1' })).toHaveCount(1);
    await expect(page.locator('.react-flow__node')).toHaveCount(2 + 8 + 1);
    await expect(page.locator('.react-flow__node.look-merge, .layer-node.look-merge')).toHaveCount(1);
    const addId = await page.locator('.layer-node.look-merge').evaluate((el) => el.closest('.react-flow__node')!.getAttribute('data-id'));
    await expect(node(page, addId!).getByTestId('node-output-shape')).toHaveText('[32×32×32]');

    const before = await canvasState(page);
    await page.getByTestId('auto-layout').click();
    await expect.poll(() => canvasState(page)).not.toBe(before);
    await page.screenshot({ path: artifactPath('canvas-residual-layout.png') });

    // Collapse into one stand-in node and expand again.
    await page.getByRole('button', { name: /Collapse block/ }).click();
    await expect(page.locator('.collapsed-block')).toHaveCount(1);
    await expect(page.locator('.react-flow__node')).toHaveCount(3);
    await page.getByRole('button', { name: /Expand block/ }).click();
    await expect(page.locator('.react-flow__node')).toHaveCount(11);

    // The identity case: a 32-channel input gets no projection.
    await select(page, conv);
    await setNumber(page, 'filters', 32);
    await page.getByTestId('palette-block:residual').click();
    await expect(page.locator('.block-frame')).toHaveCount(2);
    await expect(page.locator('.layer-node-title', { hasText: 'Projection 1×1' })).toHaveCount(1);
    // Identity shortcut edges are skip edges: drawn dashed.
    await expect(page.locator('.react-flow__edge-path.is-skip')).not.toHaveCount(0);
    // Inserting a block and laying it out is one undo step.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect(page.locator('.block-frame')).toHaveCount(1);
    await expect(page.locator('.react-flow__node:not([data-id^="frame:"])')).toHaveCount(10);
  });

  test('quick add: Space, type a name, Enter inserts at the cursor wired after the selection', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 120, 200);
    await select(page, input);
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.move(pane.x + 450, pane.y + 220);
    await page.keyboard.press('Space');
    await expect(page.getByRole('dialog', { name: 'Quick add' })).toBeVisible();
    await page.keyboard.type('dens');
    await page.keyboard.press('Enter');
    await expect(page.locator('.react-flow__node')).toHaveCount(2);
    await expect(page.locator('.react-flow__edge')).toHaveCount(1);
    await page.keyboard.press('Control+k');
    await page.keyboard.type('dropout');
    await page.keyboard.press('Enter');
    await expect(page.locator('.react-flow__node')).toHaveCount(3);
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toContainText('Add it after the selected layer');
    await page.screenshot({ path: artifactPath('canvas-help.png') });
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });

  test('build a LeNet-style network from an empty canvas with the palette and the inspector', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 60, 120);
    await select(page, input);
    await setSelect(page, 'kind', 'image');
    await setNumber(page, 'height', 28);
    await setNumber(page, 'width', 28);
    await setNumber(page, 'channels', 1);
    await clickPalette(page, 'layer:Conv2D');
    await setNumber(page, 'filters', 6);
    await setNumber(page, 'kernelSize', 5, 0);
    await setNumber(page, 'kernelSize', 5, 1);
    await setSelect(page, 'padding', 'same');
    await clickPalette(page, 'layer:MaxPool2D');
    const conv2 = await clickPalette(page, 'layer:Conv2D');
    await setNumber(page, 'filters', 16);
    await setNumber(page, 'kernelSize', 5, 0);
    await setNumber(page, 'kernelSize', 5, 1);
    await setSelect(page, 'padding', 'valid');
    await clickPalette(page, 'layer:MaxPool2D');
    await clickPalette(page, 'layer:Flatten');
    await clickPalette(page, 'layer:Dense');
    await setNumber(page, 'units', 120);
    await clickPalette(page, 'layer:Dense');
    await setNumber(page, 'units', 84);
    await clickPalette(page, 'layer:Output');
    await expect(page.locator('.react-flow__node')).toHaveCount(9);
    await expect(page.locator('.react-flow__edge')).toHaveCount(8);
    await expect(node(page, conv2).getByTestId('node-output-shape')).toHaveText('[10×10×16]');
    const expected = 156 + 2416 + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10);
    await expect(page.getByTestId('summary-params')).toHaveText(expected.toLocaleString('en-US'));
    await expect(page.getByTestId('summary-errors')).toContainText('no errors');
    // Activation memory follows the batch size (shared with the training settings).
    const memory32 = await page.getByTestId('summary-memory').textContent();
    await page.getByLabel(/^Batch size/).fill('64');
    await expect(page.getByTestId('summary-memory')).not.toHaveText(memory32!);
    await page.getByTestId('auto-layout').click();
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: artifactPath('canvas-lenet.png') });
  });

  test('group a selection into a block, repeat it ×2, in dark mode', async ({ appPage: page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const input = await dropFromPalette(page, 'Input', 60, 200);
    await select(page, input);
    const dense = await clickPalette(page, 'layer:Dense');
    const drop = await clickPalette(page, 'layer:Dropout');
    const out = await clickPalette(page, 'layer:Output');
    await node(page, dense).locator('.layer-node-head').click();
    await node(page, drop).locator('.layer-node-head').click({ modifiers: ['Control'] });
    await page.keyboard.press('Control+g');
    await expect(page.locator('.block-frame')).toHaveCount(1);
    await page.locator('.block-frame-name').dblclick();
    await page.getByLabel('Block name').fill('Hidden');
    await page.keyboard.press('Enter');
    await expect(page.locator('.block-frame-name')).toHaveText('Hidden');
    // Dragging the block by its header moves its layers together.
    const position = (id: string) => node(page, id).evaluate((el) => (el as HTMLElement).style.transform);
    const [d0, p0] = [await position(dense), await position(drop)];
    const header = (await page.locator('.block-frame-header').boundingBox())!;
    await page.mouse.move(header.x + 60, header.y + header.height / 2);
    await page.mouse.down();
    for (let k = 1; k <= 8; k++) await page.mouse.move(header.x + 60, header.y + header.height / 2 + k * 12);
    await page.mouse.up();
    await expect.poll(() => position(dense)).not.toBe(d0);
    expect(await position(drop)).not.toBe(p0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => position(dense)).toBe(d0);
    expect(await position(drop)).toBe(p0);
    await page.getByRole('button', { name: /Repeat block/ }).click();
    await page.getByLabel('Add copies in sequence').fill('2');
    await page.getByRole('button', { name: 'Repeat', exact: true }).click();
    await expect(page.locator('.block-frame')).toHaveCount(3);
    await expect(page.locator('.react-flow__node:not([data-id^="frame:"])')).toHaveCount(8);
    await expect(page.locator('.react-flow__edge')).toHaveCount(7);
    // The Output is now fed by the last copy; the whole chain still checks out.
    await expect(page.getByTestId('summary-errors')).toContainText('no errors');
    await expect(node(page, out).getByTestId('node-output-shape')).toHaveText('[10]');
    await page.getByTestId('auto-layout').click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('canvas-dark-repeat.png') });
  });

  test('keyboard only: Tab reaches the palette and the inspector; several Dense layers are edited together', async ({ appPage: page }) => {
    let onSearch = false;
    for (let k = 0; k < 40 && !onSearch; k++) {
      await page.keyboard.press('Tab');
      onSearch = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Search layers and blocks');
    }
    expect(onSearch).toBe(true);
    await page.keyboard.type('input');
    await page.keyboard.press('Enter');
    await expect(page.locator('.react-flow__node')).toHaveCount(1);
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus')).toHaveAttribute('aria-label', 'Add Input');
    await page.getByLabel('Search layers and blocks').fill('dense');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect(page.locator('.react-flow__node')).toHaveCount(3);
    // Inspector fields carry labels and are reachable by Tab from the side panel.
    await page.getByLabel('Units').first().focus();
    await expect(page.locator(':focus')).toHaveAttribute('type', 'number');

    const dense = (await nodeIds(page)).filter((id) => id.startsWith('dense'));
    expect(dense).toHaveLength(2);
    await node(page, dense[0]!).locator('.layer-node-head').click();
    await node(page, dense[1]!).locator('.layer-node-head').click({ modifiers: ['Control'] });
    await expect(page.getByTestId('inspector')).toContainText('2 × Dense');
    await setNumber(page, 'units', 7);
    for (const id of dense) await expect(node(page, id).getByTestId('node-output-shape')).toHaveText('[7]');
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    for (const id of dense) await expect(node(page, id).getByTestId('node-output-shape')).toHaveText('[64]');
  });

  for (const viewport of [{ width: 1366, height: 768 }, { width: 1440, height: 900 }]) {
    test(`every template opens at a readable zoom, framed whole or scrolled from its input end (${viewport.width}×${viewport.height})`, async ({ appPage: page }) => {
      await page.setViewportSize(viewport);
      for (const id of EXAMPLE_IDS) {
        await openTemplate(page, id);
        await expect(page.locator('.react-flow__node')).not.toHaveCount(0);
        await settled(page);
        const zoom = await zoomLevel(page);
        expect(zoom, `${id}: zoom ${zoom.toFixed(2)} is too small to read`).toBeGreaterThanOrEqual(0.75 - 1e-6);
        // Framed whole when that stays readable; a bigger graph opens at 0.75 with its input layer on screen.
        const offscreen = await offscreenNodes(page);
        if (zoom > 0.75 + 1e-6) expect(offscreen, `${id}: layers outside the canvas`).toEqual([]);
        else expect(offscreen.join(' '), `${id}: the input layer is off screen`).not.toMatch(/^input | input /);
        await page.screenshot({ path: artifactPath(`canvas-template-${id}-${viewport.width}.png`) });
      }
    });
  }

  test('minimap, zoom controls and snap-to-grid', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 120, 200);
    await select(page, input);
    await clickPalette(page, 'layer:Dense');
    // The minimap is on screen and draws one mark per layer.
    await expect(page.locator('.react-flow__minimap')).toBeVisible();
    await expect(page.locator('.react-flow__minimap-node')).toHaveCount(2);

    // Zoom controls change the zoom in the direction they say; fit view frames both layers.
    const z0 = await zoomLevel(page);
    await page.getByRole('button', { name: 'Zoom In' }).click();
    await expect.poll(() => zoomLevel(page)).toBeGreaterThan(z0);
    const z1 = await zoomLevel(page);
    await page.getByRole('button', { name: 'Zoom Out' }).click();
    await page.getByRole('button', { name: 'Zoom Out' }).click();
    await expect.poll(() => zoomLevel(page)).toBeLessThan(z1);
    await page.getByRole('button', { name: 'Fit View' }).click();
    await settled(page);
    expect(await offscreenNodes(page)).toEqual([]);

    // A drag by an odd distance ends on the grid.
    const position = async () => {
      const t = await node(page, input).evaluate((el) => (el as HTMLElement).style.transform);
      const m = /translate\((-?[\d.]+)px, *(-?[\d.]+)px\)/.exec(t);
      return m ? { x: Number(m[1]), y: Number(m[2]) } : undefined;
    };
    const before = (await position())!;
    const head = (await node(page, input).locator('.layer-node-head').boundingBox())!;
    await page.mouse.move(head.x + 20, head.y + 8);
    await page.mouse.down();
    for (let k = 1; k <= 6; k++) await page.mouse.move(head.x + 20 + k * 7.3, head.y + 8 + k * 5.1);
    await page.mouse.up();
    await expect.poll(async () => JSON.stringify(await position())).not.toBe(JSON.stringify(before));
    const after = (await position())!;
    expect(after.x % 16, `x ${after.x}`).toBe(0);
    expect(after.y % 16, `y ${after.y}`).toBe(0);
  });

  test('Shift-drag draws a selection box; Ctrl+X cuts and paste restores the layers with their internal edge', async ({ appPage: page }) => {
    const input = await dropFromPalette(page, 'Input', 120, 200);
    await select(page, input);
    const dense = await clickPalette(page, 'layer:Dense');
    const drop = await clickPalette(page, 'layer:Dropout');
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await settled(page);
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });

    // A box around Dense and Dropout (and not Input) selects exactly those two.
    const d = (await node(page, dense).boundingBox())!;
    const p = (await node(page, drop).boundingBox())!;
    const i = (await node(page, input).boundingBox())!;
    // Whichever way the chain runs (a click places the next layer below the selection top to bottom, right of it left
    // to right), the box starts past Input's far edge, so Input is not inside it (the box selects whole nodes only).
    const above = i.y + i.height <= Math.min(d.y, p.y);
    const left = above ? Math.min(d.x, p.x) - 20 : Math.max(i.x + i.width + 4, Math.min(d.x, p.x) - 20);
    const top = above ? Math.max(i.y + i.height + 4, Math.min(d.y, p.y) - 20) : Math.min(d.y, p.y) - 20;
    await page.keyboard.down('Shift');
    await page.mouse.move(left, top);
    await page.mouse.down();
    await page.mouse.move(left + 40, top + 30, { steps: 4 });
    await page.mouse.move(p.x + p.width + 20, Math.max(d.y + d.height, p.y + p.height) + 20, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const selected = () =>
      page.locator('.react-flow__node:has(.layer-node.is-selected)').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    await expect.poll(selected).toEqual([dense, drop].sort());

    // Cut: both layers and every edge touching them go; paste brings the layers back with the edge between them.
    await page.keyboard.press('Control+x');
    await expect.poll(() => nodeIds(page)).toEqual([input]);
    await expect(page.locator('.react-flow__edge')).toHaveCount(0);
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await page.keyboard.press('Control+v');
    await expect(page.locator('.react-flow__node')).toHaveCount(3);
    const types = await page.locator('.layer-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-type')).sort());
    expect(types).toEqual(['Dense', 'Dropout', 'Input']);
    await expect(page.locator('.react-flow__edge')).toHaveCount(1);
    const pastedDense = await page.locator('.layer-node[data-node-type="Dense"]').evaluate((el) => el.closest('.react-flow__node')!.getAttribute('data-id'));
    const pastedDrop = await page.locator('.layer-node[data-node-type="Dropout"]').evaluate((el) => el.closest('.react-flow__node')!.getAttribute('data-id'));
    await expect(page.locator('.react-flow__edge')).toHaveAttribute('aria-label', `Edge from ${pastedDense} to ${pastedDrop}`);
  });

  test('templates on New are the example files', async ({ appPage: page }) => {
    await page.getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('dialog', { name: 'New graph' });
    await expect(dialog).toBeVisible();
    // Blank plus one card per example file, none of them disabled by a load error.
    await expect(dialog.locator('.template-card')).toHaveCount(EXAMPLE_IDS.length + 1);
    await expect(dialog.locator('.template-card:disabled')).toHaveCount(0);
    await page.screenshot({ path: artifactPath('canvas-templates.png') });
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    for (const id of EXAMPLE_IDS) {
      const example = JSON.parse(readFileSync(`${repoRoot}/examples/${id}.nbrick`, 'utf8')) as {
        graph: { metadata: { name: string }; nodes: { id: string; type: string }[]; edges: { id: string; source: string; target: string }[]; groups: unknown[] };
      };
      await openTemplate(page, id);
      await expect(page.getByTestId('summary-errors'), id).toContainText('no errors');
      const shown = await page.evaluate(() => ({
        nodes: [...document.querySelectorAll('.layer-node')]
          .map((el) => `${el.closest('.react-flow__node')?.getAttribute('data-id')}:${el.getAttribute('data-node-type')}`)
          .sort(),
        edges: [...document.querySelectorAll('.react-flow__edge')].map((e) => `${e.getAttribute('data-id')}=${e.getAttribute('aria-label')}`).sort(),
        blocks: document.querySelectorAll('.block-frame').length,
      }));
      expect(shown, id).toEqual({
        nodes: example.graph.nodes.map((n) => `${n.id}:${n.type}`).sort(),
        edges: example.graph.edges.map((e) => `${e.id}=Edge from ${e.source} to ${e.target}`).sort(),
        blocks: example.graph.groups.length,
      });
      await expect(page.getByText(example.graph.metadata.name, { exact: true }).first()).toBeVisible();
    }
    await page.screenshot({ path: artifactPath('canvas-template-last.png') });
  });
});
