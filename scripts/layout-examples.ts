/**
 * Re-lays out every example file (examples/*.nbrick, which are also the New dialog's templates) with the canvas's
 * auto layout, top to bottom, using the sizes the layers really have on the canvas (measured in Chromium at
 * 1280×800). Only node positions change; everything else in the file stays byte-for-byte as it was.
 *
 *   node --import tsx scripts/layout-examples.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadGraphFile } from '../shared/format/loadGraphFile';
import { layoutPositions, type LayoutSize } from '../renderer/src/layout/autoLayout';
import { exampleNames, openTemplate, withAppPage } from './exampleBrowser';
import { repoRoot } from './rendererBuild.mjs';

async function main(): Promise<void> {
  const names = exampleNames();
  const sizes = await withAppPage(async (page) => {
    const out = new Map<string, Map<string, LayoutSize>>();
    for (const name of names) {
      await openTemplate(page, name);
      const measured = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((el) => [el.dataset.id ?? '', { width: el.offsetWidth, height: el.offsetHeight }] as const),
      );
      out.set(name, new Map(measured));
    }
    return out;
  });
  for (const name of names) {
    const file = path.join(repoRoot, 'examples', `${name}.nbrick`);
    const text = readFileSync(file, 'utf8');
    const loaded = loadGraphFile(text);
    if (!loaded.ok) throw new Error(`${file}: ${loaded.error.message}`);
    const own = sizes.get(name)!;
    const missing = loaded.file.graph.nodes.filter((n) => !own.has(n.id)).map((n) => n.id);
    if (missing.length > 0) throw new Error(`${name}: the canvas did not draw ${missing.join(', ')}`);
    const positions = await layoutPositions(loaded.file.graph, (id) => own.get(id), { x: 0, y: 0 }, 'DOWN');
    const raw = JSON.parse(text) as { graph: { nodes: { id: string; position: { x: number; y: number } }[] } };
    for (const node of raw.graph.nodes) node.position = positions.get(node.id) ?? node.position;
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    console.log(`${name}: ${loaded.file.graph.nodes.length} layers laid out`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
