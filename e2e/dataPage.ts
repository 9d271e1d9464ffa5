/** Steps the "your own data" specs share: File → New from Data…, and failing a test on any console error. */
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';

export async function openNewFromData(page: Page): Promise<Locator> {
  const menuBar = page.getByRole('menubar', { name: 'Menu bar' });
  await menuBar.getByRole('menuitem', { name: 'File', exact: true }).click();
  await page.getByRole('menu', { name: 'File', exact: true }).locator('[data-command="file.newFromData"]').click();
  const dialog = page.getByRole('dialog', { name: 'New from data' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Every test of the calling spec fails when the page logs an error (a React warning is a console error too). */
export function failOnConsoleErrors(): void {
  let consoleErrors: string[] = [];
  test.beforeEach(({ page }) => {
    consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  test.afterEach(() => {
    expect(consoleErrors).toEqual([]);
  });
}
