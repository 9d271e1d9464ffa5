/**
 * Editing that keeps the chain (issue 16), in Chromium against the web host: after a block is inserted the next
 * palette click is wired to the block's output; deleting a middle layer wires its neighbours together (one undo
 * step), and says why when the shapes do not allow it; a new Input takes the shape of the dataset chosen in Training.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openTrainingTab } from './trainingPage';

const node = (page: Page, id: string): Locator => page.locator(`.react-flow__node[data-id="${id}"]`);

async function nodeIds(page: Page): Promise<string[]> {
  return page.locator('.react-flow__node:not([data-id^="frame:"])').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
}

/** Every edge on the canvas as `source>target`, read from React Flow's "Edge from A to B" labels. */
async function edges(page: Page): Promise<string[]> {
  const labels = await page.locator('.react-flow__edge').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return labels.map((l) => l.replace(/^Edge from (\S+) to (\S+)$/, '$1>$2')).sort();
}

/** Clicks a palette entry and returns the first new node (wired after the single selected node, if any). */
async function clickPalette(page: Page, key: string): Promise<string> {
  const before = new Set(await nodeIds(page));
  await page.getByTestId(`palette-${key}`).click();
  await expect.poll(async () => (await nodeIds(page)).length).toBeGreaterThan(before.size);
  return (await nodeIds(page)).find((id) => !before.has(id))!;
}

async function select(page: Page, id: string): Promise<void> {
  await node(page, id).locator('.layer-node-head').click();
  await expect(page.getByTestId('inspector')).toBeVisible();
}

async function setNumber(page: Page, param: string, value: number): Promise<void> {
  const input = page.locator(`.inspector [data-param="${param}"] input`).first();
  await input.fill(String(value));
  await input.blur();
}

const shapeOf = (page: Page, id: string) => node(page, id).getByTestId('node-output-shape');

test.describe('editing keeps the chain', () => {
  test.beforeEach(async ({ appPage }) => {
    await expect(appPage.locator('.react-flow__pane')).toBeVisible();
  });

  test('after a residual block, the next palette click is wired to the block output', async ({ appPage: page }) => {
    const input = await clickPalette(page, 'layer:Input');
    await page.locator(`.inspector [data-param="kind"] select`).selectOption('image');
    await setNumber(page, 'height', 16);
    await setNumber(page, 'width', 16);
    await setNumber(page, 'channels', 3);
    await expect(shapeOf(page, input)).toHaveText('[16×16×3]');
    const conv = await clickPalette(page, 'layer:Conv2D');
    await page.getByTestId('palette-block:residual').click();
    await expect(page.locator('.block-frame')).toHaveCount(1);
    // Only the block's output stays selected, not its eight layers.
    await expect(page.locator('.react-flow__node.selected:not([data-id^="frame:"])')).toHaveCount(1);

    const gap = await clickPalette(page, 'layer:GlobalAvgPool2D');
    const into = (await edges(page)).filter((e) => e.endsWith(`>${gap}`));
    expect(into).toHaveLength(1);
    const exit = into[0]!.split('>')[0]!;
    // The layer it hangs from is the block's last one: fed through the residual Add, and nothing else in the block follows it.
    const addId = await page.locator('.layer-node.look-merge').evaluate((el) => el.closest('.react-flow__node')!.getAttribute('data-id'));
    expect(await edges(page)).toContain(`${addId}>${exit}`);
    expect((await edges(page)).filter((e) => e.startsWith(`${exit}>`))).toEqual([`${exit}>${gap}`]);
    expect(await edges(page)).toContain(`${input}>${conv}`);
    await expect(shapeOf(page, gap)).not.toHaveText('—');
  });

  test('deleting a middle layer wires its neighbours together; Ctrl+Z brings it back as it was', async ({ appPage: page }) => {
    const input = await clickPalette(page, 'layer:Input');
    const first = await clickPalette(page, 'layer:Dense');
    const middle = await clickPalette(page, 'layer:Dense');
    const output = await clickPalette(page, 'layer:Output');
    const chain = [`${first}>${middle}`, `${input}>${first}`, `${middle}>${output}`].sort();
    await expect.poll(() => edges(page)).toEqual(chain);

    await select(page, middle);
    await page.keyboard.press('Delete');
    await expect(node(page, middle)).toHaveCount(0);
    await expect.poll(() => edges(page)).toEqual([`${first}>${output}`, `${input}>${first}`].sort());

    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect(node(page, middle)).toHaveCount(1);
    await expect.poll(() => edges(page)).toEqual(chain);
  });

  test('a layer whose neighbours cannot be wired together is deleted with a toast saying why', async ({ appPage: page }) => {
    await clickPalette(page, 'layer:Input');
    await page.locator(`.inspector [data-param="kind"] select`).selectOption('image');
    const conv = await clickPalette(page, 'layer:Conv2D');
    const flatten = await clickPalette(page, 'layer:Flatten');
    const dense = await clickPalette(page, 'layer:Dense');
    await expect.poll(async () => (await edges(page)).length).toBe(3);

    await select(page, flatten);
    await page.keyboard.press('Delete');
    await expect(node(page, flatten)).toHaveCount(0);
    await expect(page.getByTestId('toast')).toContainText(`Deleted ${flatten}; ${conv} and ${dense} were not reconnected:`);
    expect((await edges(page)).some((e) => e.endsWith(`>${dense}`))).toBe(false);
  });

  test('with MNIST chosen in Training, a new Input is a 28×28×1 image', async ({ appPage: page }) => {
    await openTrainingTab(page);
    await page.getByLabel('Dataset', { exact: true }).selectOption('mnist');
    await expect(page.locator('.nb-dataset-facts')).toContainText('image 28×28×1');

    const input = await clickPalette(page, 'layer:Input');
    await expect(shapeOf(page, input)).toHaveText('[28×28×1]');

    await page.getByLabel('Dataset', { exact: true }).selectOption('spirals');
    const second = await clickPalette(page, 'layer:Input');
    await expect(shapeOf(page, second)).toHaveText('[2]');
  });
});
