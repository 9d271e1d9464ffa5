// `npm run dist [-- --linux|--win|--mac …]`: builds the renderer and the Electron bundles, then packages with
// electron-builder (electron-builder.yml). Without a platform flag it packages for the current OS.
// Needs the network once (Electron binaries, packaging tools); see build/README.md.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleElectron } from './bundle-electron.mjs';
import { buildRenderer } from './rendererBuild.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const run = (script, args) => execFileSync(node, [path.join(root, script), ...args], { cwd: root, stdio: 'inherit' });

console.log('1/4 icon');
run('build/make-icon.mjs', []);
console.log('2/4 renderer');
buildRenderer();
console.log('3/4 electron bundles');
await bundleElectron();
console.log('4/4 installers');
const args = process.argv.slice(2);
const platform = { linux: '--linux', win32: '--win', darwin: '--mac' }[process.platform];
const platformGiven = args.some((a) => ['--linux', '--win', '--mac', '-l', '-w', '-m'].includes(a));
try {
  run('node_modules/electron-builder/cli.js', ['--config', 'electron-builder.yml', ...(platformGiven || !platform ? [] : [platform]), ...args]);
} catch {
  console.error(
    '\nelectron-builder failed. The first run downloads Electron and packaging tools: check the network, or copy a ' +
      'populated electron-builder cache (~/.cache/electron, ~/.cache/electron-builder) from a connected machine.',
  );
  process.exit(1);
}
console.log('Installers are in release/.');
