/**
 * One screenshot per example (= per template) as a newcomer sees it when opening it from the New dialog at 1280×800,
 * saved to docs/examples/<name>.png for reviewers. Starts its own web host and headless Chromium.
 *
 *   npm run docs:screenshots
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { exampleNames, openTemplate, withAppPage } from './exampleBrowser';
import { repoRoot } from './rendererBuild.mjs';

async function main(): Promise<void> {
  const outDir = path.join(repoRoot, 'docs/examples');
  mkdirSync(outDir, { recursive: true });
  await withAppPage(async (page) => {
    for (const name of exampleNames()) {
      await openTemplate(page, name);
      const zoom = await page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
      const file = path.join(outDir, `${name}.png`);
      await page.screenshot({ path: file });
      console.log(`${path.relative(repoRoot, file)} (zoom ${zoom.toFixed(2)})`);
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
