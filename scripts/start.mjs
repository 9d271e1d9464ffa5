// `npm start`: the desktop app when an Electron binary is installed, otherwise the same app in a browser through
// the local web host (electron/host). Builds what is missing or stale first. Extra arguments go to the web host,
// e.g. `npm start -- --port 8080 --workspace ~/nets --no-open`. Ctrl+C stops everything cleanly.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildRenderer, rendererBuildIsStale, repoRoot as root } from './rendererBuild.mjs';

/** Where `electron` would run from, without requiring the package (that would try to download the binary). */
export function findElectronBinary() {
  const pkg = path.join(root, 'node_modules/electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pkg)) return { reason: 'the electron package is not installed' };
  if (!existsSync(pathFile)) return { reason: 'the Electron binary was not downloaded (node_modules/electron/path.txt is missing)' };
  const relative = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist');
  const binary = path.join(distDir, relative);
  return existsSync(binary) ? { binary } : { reason: `the Electron binary ${binary} does not exist` };
}

function buildRendererIfNeeded() {
  const reason = rendererBuildIsStale();
  if (!reason) return;
  console.log(`Building the renderer (${reason})…`);
  buildRenderer();
}

/** Runs a child in the foreground; Ctrl+C reaches it through the terminal, and we exit with its code. */
function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  // A terminal's Ctrl+C reaches the child too; forwarding covers `kill -INT <this pid>`. The child stops once.
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGHUP'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 0 : 1)));
}

async function main() {
  const args = process.argv.slice(2);
  const electron = findElectronBinary();
  buildRendererIfNeeded();
  if (electron.binary && !args.includes('--web')) {
    const { bundleElectron } = await import('./bundle-electron.mjs');
    await bundleElectron();
    console.log('Starting Neural Bricks (Electron)…');
    run(electron.binary, [root, ...args.filter((a) => a.endsWith('.nbrick'))]);
    return;
  }
  console.log(
    electron.binary
      ? 'Starting the web version (--web).'
      : `No Electron here (${electron.reason}): starting the web version instead.`,
  );
  run(process.execPath, ['--import', 'tsx', path.join(root, 'electron/host/main.ts'), ...args.filter((a) => a !== '--web')]);
}

await main();
