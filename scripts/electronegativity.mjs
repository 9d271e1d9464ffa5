// Runs Doyensec's Electronegativity over the Electron shell sources and prints the findings.
// (Its CLI breaks with the commander version hoisted in this repo, so the runner is called directly.)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity/dist/runner.js');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const input = path.resolve(root, process.argv[2] ?? 'electron/shell');

const result = await run(
  {
    input,
    output: undefined,
    isSarif: false,
    customScan: [],
    excludeFromScan: [],
    severitySet: undefined,
    confidenceSet: undefined,
    isRelative: true,
    isVerbose: true,
    electronUpgrade: undefined,
    electronVersionOverride: '45.5.0',
    parserPlugins: [],
  },
  false,
);
const issues = result?.issues ?? [];
for (const issue of issues) {
  const where = issue.file ? `${path.relative(root, path.resolve(input, issue.file))}:${issue.location?.line ?? '?'}` : '(global)';
  console.log(`${issue.severity?.name ?? issue.severity} ${issue.confidence?.name ?? issue.confidence} ${issue.id} ${where} — ${issue.description ?? ''}`);
}
console.log(`${issues.length} finding(s) in ${path.relative(root, input)}`);
