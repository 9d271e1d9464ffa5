/**
 * Commands in one place (issue 16 part 5), in Chromium against the web host: the web menu bar, the toolbar, the
 * keyboard shortcuts and the help overlay all come from the one command registry — the menu's Edit → Undo undoes,
 * a toolbar button and its shortcut do the same thing, the help lists the shortcuts the menu shows and opens at
 * its top, and File → Export → Charts as PNG saves the training charts.
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect, artifactPath } from './fixtures';
import { newFromTemplate, openTrainingTab, setEpochs } from './trainingPage';

test.use({ viewport: { width: 1024, height: 640 } });

const menuBar = (page: Page) => page.getByRole('menubar', { name: 'Menu bar' });
const topMenu = (page: Page, name: string) => menuBar(page).getByRole('menuitem', { name, exact: true });
const openMenuPanel = (page: Page, name: string) => page.getByRole('menu', { name, exact: true });
const commandItem = (scope: Locator, command: string) => scope.locator(`[data-command="${command}"]`);
const layerCount = (page: Page) => page.locator('.react-flow__node:not([data-id^="frame:"])').count();

async function addFromPalette(page: Page, key: string): Promise<void> {
  const before = await layerCount(page);
  await page.getByTestId(`palette-${key}`).click();
  await expect.poll(() => layerCount(page)).toBe(before + 1);
}

/** Every command the web menus list (submenus opened too), with the shortcut each shows. */
async function menuShortcuts(page: Page): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const name of await menuBar(page).getByRole('menuitem').allInnerTexts()) {
    await topMenu(page, name).click();
    const menu = openMenuPanel(page, name);
    await expect(menu).toBeVisible();
    for (const submenu of await menu.locator('[data-submenu]').all()) {
      await submenu.hover();
      await expect(page.getByRole('menu', { name: (await submenu.getAttribute('data-submenu'))! })).toBeVisible();
      for (const item of await page.getByRole('menu', { name: (await submenu.getAttribute('data-submenu'))! }).locator('[data-command]').all()) {
        found.set((await item.getAttribute('data-command'))!, (await item.locator('.nb-menuitem-key').innerText()).trim());
      }
    }
    for (const item of await menu.locator(':scope > [data-command]').all()) {
      found.set((await item.getAttribute('data-command'))!, (await item.locator('.nb-menuitem-key').innerText()).trim());
    }
    // Escape backs out one level at a time (out of a submenu first).
    for (let i = 0; i < 3 && (await menu.count()) > 0; i++) await page.keyboard.press('Escape');
    await expect(menu).toHaveCount(0);
  }
  return found;
}

test.describe('commands in one place', () => {
  test.beforeEach(async ({ appPage }) => {
    await expect(appPage.locator('.react-flow__pane')).toBeVisible();
  });

  test('the web menu bar: Edit → Undo undoes an edit, disabled items say why, the keyboard walks the menus', async ({ appPage: page }) => {
    await expect(menuBar(page).getByRole('menuitem')).toHaveText(['File', 'Edit', 'View', 'Train', 'Help']);
    await addFromPalette(page, 'layer:Input');
    await addFromPalette(page, 'layer:Dense');

    await topMenu(page, 'Edit').click();
    const edit = openMenuPanel(page, 'Edit');
    await expect(edit).toBeVisible();
    const undo = commandItem(edit, 'edit.undo');
    await expect(undo).toHaveAccessibleName('Undo');
    await expect(undo).toHaveAttribute('aria-keyshortcuts', 'Ctrl+Z');
    await expect(undo.locator('.nb-menuitem-key')).toHaveText('Ctrl+Z');
    await expect(undo).not.toHaveAttribute('aria-disabled', 'true');
    await expect(commandItem(edit, 'edit.redo')).toHaveAttribute('aria-disabled', 'true');
    await expect(commandItem(edit, 'edit.redo')).toHaveAttribute('title', 'Nothing to redo.');
    await page.screenshot({ path: artifactPath('commands-menubar-edit.png') });
    await undo.click();
    await expect(edit).toHaveCount(0);
    await expect.poll(() => layerCount(page)).toBe(1);

    // Redo is enabled now, from the keyboard: focus Edit, ↓ opens it on Undo, ↓ to Redo, Enter runs it.
    await topMenu(page, 'Edit').focus();
    await page.keyboard.press('ArrowDown');
    await expect(commandItem(edit, 'edit.undo')).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(commandItem(edit, 'edit.redo')).toBeFocused();
    await expect(commandItem(edit, 'edit.redo')).not.toHaveAttribute('aria-disabled', 'true');
    await page.keyboard.press('Enter');
    await expect(edit).toHaveCount(0);
    await expect.poll(() => layerCount(page)).toBe(2);

    // A disabled item run anyway says why instead of doing anything.
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => layerCount(page)).toBe(0);
    await topMenu(page, 'Edit').click();
    await expect(commandItem(edit, 'edit.undo')).toBeFocused();
    await expect(commandItem(edit, 'edit.undo')).toHaveAttribute('aria-disabled', 'true');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('toast')).toHaveText('Undo: Nothing to undo.');
    await expect(edit).toHaveCount(0);

    // ← / → move between menus while one is open; → opens a submenu, its choices are check items; Escape backs out.
    await topMenu(page, 'File').click();
    await expect(openMenuPanel(page, 'File')).toBeVisible();
    await page.keyboard.press('ArrowRight');
    await expect(openMenuPanel(page, 'Edit')).toBeVisible();
    await page.keyboard.press('ArrowRight');
    const view = openMenuPanel(page, 'View');
    await expect(view).toBeVisible();
    await expect(openMenuPanel(page, 'Edit')).toHaveCount(0);
    await page.keyboard.press('l'); // type-ahead: the first item starting with L
    const direction = view.getByRole('menuitem', { name: 'Layout Direction' });
    await expect(direction).toBeFocused();
    await page.keyboard.press('ArrowRight');
    const directions = openMenuPanel(page, 'Layout Direction');
    await expect(directions.getByRole('menuitemcheckbox', { name: 'Top → Bottom' })).toBeFocused();
    await expect(directions.getByRole('menuitemcheckbox', { name: 'Top → Bottom' })).toHaveAttribute('aria-checked', 'true');
    await expect(directions.getByRole('menuitemcheckbox', { name: 'Left → Right' })).toHaveAttribute('aria-checked', 'false');
    await page.keyboard.press('Escape');
    await expect(directions).toHaveCount(0);
    await expect(direction).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(view).toHaveCount(0);
    await expect(topMenu(page, 'View')).toBeFocused();

    // Alt + the underlined letter opens a menu; Help → Keyboard Shortcuts opens the help.
    await page.keyboard.press('Alt+h');
    await expect(openMenuPanel(page, 'Help')).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await page.keyboard.press('Escape');
    // A press outside closes an open menu.
    await topMenu(page, 'File').click();
    await page.locator('.react-flow__pane').click({ position: { x: 300, y: 300 } });
    await expect(openMenuPanel(page, 'File')).toHaveCount(0);
  });

  test('a toolbar button and its shortcut do the same thing, and the toolbar fits one row at 1024 px', async ({ appPage: page }) => {
    const toolbar = page.getByRole('toolbar', { name: 'Main toolbar' });
    const fits = await toolbar.evaluate((el) => el.scrollWidth <= el.clientWidth);
    await page.screenshot({ path: artifactPath('commands-toolbar-1024.png') });
    expect(fits, 'the toolbar holds everything in one row at 1024 px').toBe(true);

    await addFromPalette(page, 'layer:Input');
    await addFromPalette(page, 'layer:Dense');
    await addFromPalette(page, 'layer:Dense');
    const undo = page.getByRole('button', { name: 'Undo' });
    const redo = page.getByRole('button', { name: 'Redo' });
    await expect(undo).toHaveAttribute('title', 'Undo (Ctrl+Z)');
    await expect(redo).toBeDisabled();
    await expect(redo).toHaveAttribute('title', 'Redo (Ctrl+Shift+Z) — Nothing to redo.');

    // Undo: button, then key; Redo: key, then button.
    await undo.click();
    await expect.poll(() => layerCount(page)).toBe(2);
    await page.keyboard.press('Control+z');
    await expect.poll(() => layerCount(page)).toBe(1);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => layerCount(page)).toBe(2);
    await redo.click();
    await expect.poll(() => layerCount(page)).toBe(3);
    await expect(redo).toBeDisabled();

    // Group: the button and Ctrl+G both wrap the selection in one block.
    const group = page.getByRole('button', { name: 'Group', exact: true });
    await expect(group).toBeDisabled();
    await page.locator('.react-flow__pane').click({ position: { x: 200, y: 400 } });
    await page.keyboard.press('Control+a');
    await expect(group).toBeEnabled();
    await expect(group).toHaveAttribute('title', 'Group into Block (Ctrl+G)');
    await group.click();
    await expect(page.locator('.block-frame')).toHaveCount(1);
    await undo.click();
    await expect(page.locator('.block-frame')).toHaveCount(0);
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+g');
    await expect(page.locator('.block-frame')).toHaveCount(1);

    // A toggle's menu item shows its state (the panels' own « » buttons change the same view state).
    const togglePalette = () => openMenuPanel(page, 'View').getByRole('menuitemcheckbox', { name: 'Toggle Palette' });
    await topMenu(page, 'View').click();
    await expect(togglePalette()).toHaveAttribute('aria-checked', 'true');
    await togglePalette().click();
    await topMenu(page, 'View').click();
    await expect(togglePalette()).toHaveAttribute('aria-checked', 'false');
    await togglePalette().click();
    await topMenu(page, 'View').click();
    await expect(togglePalette()).toHaveAttribute('aria-checked', 'true');
    await page.keyboard.press('Escape');
  });

  test('the help lists the shortcuts the menus show, grouped by menu, and opens at its top', async ({ appPage: page }) => {
    const shown = await menuShortcuts(page);
    expect(shown.get('edit.undo')).toBe('Ctrl+Z');
    expect(shown.get('edit.delete')).toBe('Delete');
    expect(shown.get('file.exportPng')).toBe('');

    await page.locator('.react-flow__pane').click({ position: { x: 200, y: 400 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help).toBeVisible();
    // At its top, the focus on its Close button (not scrolled down to a button at the end).
    await expect(help.getByRole('button', { name: 'Close' })).toBeFocused();
    expect(await help.evaluate((el) => el.scrollTop)).toBe(0);
    expect(await help.evaluate((el) => el.scrollHeight > el.clientHeight), 'the help is taller than its dialog here').toBe(true);
    await page.screenshot({ path: artifactPath('commands-help.png') });

    await expect(help.locator('section h3')).toHaveText(['File', 'Edit', 'View', 'Train', 'Help', 'Mouse']);
    const rows = await help.locator('[data-command]').evaluateAll((els) =>
      els.map((el) => [el.getAttribute('data-command')!, el.querySelector('dt')!.getAttribute('data-keys')!] as const),
    );
    // The same commands as the menus, and each shows at least the shortcut the menu shows (the help lists them all).
    expect(rows.map(([command]) => command).sort()).toEqual([...shown.keys()].sort());
    for (const [command, keys] of rows) {
      const menuKey = shown.get(command)!;
      if (menuKey === '') expect(keys, command).toBe('');
      else expect(keys.split(' / '), command).toContain(menuKey);
    }
    const deleteRow = help.locator('[data-command="edit.delete"]');
    await expect(deleteRow.locator('dt')).toHaveText('Delete / Backspace');
    await expect(deleteRow.locator('dd')).toHaveText(
      'Delete the selection; a layer with one input and one output is bridged — its neighbours are wired together when the shapes allow (one undo step)',
    );
    await page.keyboard.press('Escape');
    await expect(help).toHaveCount(0);

    // Opened again after scrolling it down, it starts at the top again.
    await page.getByRole('button', { name: 'Keyboard Shortcuts' }).click();
    await help.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await help.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Keyboard Shortcuts' }).click();
    await expect(help.getByRole('button', { name: 'Close' })).toBeFocused();
    expect(await help.evaluate((el) => el.scrollTop)).toBe(0);
  });

  test('File → Export → Charts as PNG after a short run downloads the charts as a PNG', async ({ appPage: page }) => {
    await topMenu(page, 'File').click();
    await openMenuPanel(page, 'File').getByRole('menuitem', { name: 'Export', exact: true }).hover();
    const exportMenu = openMenuPanel(page, 'Export');
    await expect(commandItem(exportMenu, 'file.exportPng')).toHaveAttribute('aria-disabled', 'true');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');

    await newFromTemplate(page, 'spirals');
    await openTrainingTab(page);
    await setEpochs(page, 2);
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect(page.getByLabel('Training progress')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
    // From another tab: the command shows the charts, then saves them.
    await page.getByRole('tab', { name: 'Inspector' }).click();
    await expect(page.getByLabel('Loss chart')).toHaveCount(0);

    await topMenu(page, 'File').click();
    await openMenuPanel(page, 'File').getByRole('menuitem', { name: 'Export', exact: true }).click();
    await expect(commandItem(exportMenu, 'file.exportPng')).not.toHaveAttribute('aria-disabled', 'true');
    const download = page.waitForEvent('download');
    await exportMenu.getByRole('menuitem', { name: 'Charts as PNG…' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/-charts\.png$/);
    const png = readFileSync(await file.path());
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    // IHDR: a picture as wide as a chart and tall enough for two of them (loss and accuracy) with their titles.
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBeGreaterThan(200);
    expect(height).toBeGreaterThan(2 * 190);
    await expect(page.getByLabel('Loss chart')).toBeVisible();

    // The panel's own Export PNG button runs the same command.
    const again = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export PNG' }).click();
    expect((await again).suggestedFilename()).toBe(file.suggestedFilename());
  });
});
