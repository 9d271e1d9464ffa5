/**
 * Save As in the browser: Unicode names stay apart, and a name that lands on an existing file asks before
 * replacing it (declining keeps the dialog open and the file untouched).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function saveAs(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Save As' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save graph as' });
  await dialog.getByLabel('File name').fill(name);
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
}

test('Save As keeps Unicode names apart and asks before replacing a file', async ({ appPage: page, webHost }) => {
  await saveAs(page, 'Привет');
  await expect(page.getByTestId('file-name')).toHaveText('Привет.nbrick');
  await saveAs(page, '日本語');
  await expect(page.getByTestId('file-name')).toHaveText('日本語.nbrick');
  await saveAs(page, 'my model?');
  await expect(page.getByTestId('file-name')).toHaveText('my model.nbrick');
  const target = path.join(webHost.workspace, 'my model.nbrick');
  const before = { text: readFileSync(target, 'utf8'), mtime: statSync(target).mtimeMs };

  // `my model*` becomes the same file name: the page asks; declining leaves the dialog open and the file as it was.
  const questions: string[] = [];
  page.once('dialog', (question) => {
    questions.push(question.message());
    void question.dismiss();
  });
  await saveAs(page, 'my model*');
  const dialog = page.getByRole('dialog', { name: 'Save graph as' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('status')).toHaveText('my model.nbrick exists: saving will ask before replacing it.');
  expect(questions).toEqual(['"workspace/my model.nbrick" already exists. Replace it with this graph?']);
  expect(statSync(target).mtimeMs).toBe(before.mtime);

  page.once('dialog', (question) => void question.accept());
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect.poll(() => statSync(target).mtimeMs).toBeGreaterThan(before.mtime);
  expect(readFileSync(target, 'utf8')).toBe(before.text);
  expect(readdirSync(webHost.workspace).filter((name) => name.endsWith('.nbrick')).sort()).toEqual(
    ['my model.nbrick', 'Привет.nbrick', '日本語.nbrick'].sort(),
  );
});
