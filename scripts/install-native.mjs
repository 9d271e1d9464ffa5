#!/usr/bin/env node
// Builds our native kernels (scripts/build-native-kernels.mjs; no download), then attempts the two downloads that
// happen outside the npm registry: the Electron binary and tfjs-node's libtensorflow + addon. All three are optional
// for Neural Bricks (the web host and the wasm backend work without them), so a failure prints one line of
// explanation and never fails `npm install`.
// package.json's `allowScripts` denies these packages' own install scripts so that we run them here,
// under a timeout, instead of letting a failed download abort the whole install.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const TIMEOUT_MS = Number(process.env.NB_NATIVE_TIMEOUT_MS ?? 240_000);

function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

function run(cwd, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      output += `\n(timed out after ${TIMEOUT_MS / 1000}s)`;
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output });
    });
  });
}

function lastMeaningfulLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const pick =
    lines.find((l) => /^\w*Error: /.test(l)) ??
    lines.find((l) => /ENOTFOUND|ECONN|EAI_AGAIN|timed out|fail/i.test(l)) ??
    lines.at(-1) ??
    'no output';
  return pick.slice(0, 160);
}

async function installElectron() {
  const dir = packageDir('electron');
  if (!dir) return;
  if (existsSync(path.join(dir, 'path.txt')) && existsSync(path.join(dir, 'dist'))) {
    console.log('[neural-bricks] Electron binary already present.');
    return;
  }
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    console.log('[neural-bricks] Electron binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD); `npm start` will use the web host.');
    return;
  }
  const result = await run(dir, ['install.js']);
  if (result.ok && existsSync(path.join(dir, 'path.txt'))) console.log('[neural-bricks] Electron binary installed.');
  else
    console.log(
      `[neural-bricks] Electron binary could not be downloaded (${lastMeaningfulLine(result.output)}); ` +
        '`npm start` will serve the lab on 127.0.0.1 instead. Re-run `npm run postinstall` when online.',
    );
}

async function installTfjsNode() {
  const dir = packageDir('@tensorflow/tfjs-node');
  if (!dir) {
    console.log('[neural-bricks] tfjs-node is not installed; training uses the wasm backend.');
    return;
  }
  if (existsSync(path.join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'))) {
    console.log('[neural-bricks] tfjs-node native bindings already present.');
    return;
  }
  const result = await run(dir, ['scripts/install.js']);
  if (result.ok && existsSync(path.join(dir, 'lib'))) console.log('[neural-bricks] tfjs-node native bindings installed.');
  else
    console.log(
      `[neural-bricks] tfjs-node native bindings could not be downloaded (${lastMeaningfulLine(result.output)}); ` +
        'training will use the bundled wasm backend.',
    );
}

// Our own native kernels need no download: compiled here from the sources when a C compiler is present (else the
// WebAssembly kernels run). Never fails the install either.
try {
  const { buildNativeKernels, describeBuild } = await import('./build-native-kernels.mjs');
  console.log(`[neural-bricks] ${describeBuild(await buildNativeKernels({ quiet: true }))}`);
} catch (error) {
  console.log(`[neural-bricks] native kernels not built (${String(error?.message ?? error).split('\n')[0]}); training uses the WebAssembly kernels.`);
}

if (process.env.NB_SKIP_NATIVE_DOWNLOADS) {
  console.log('[neural-bricks] native downloads skipped (NB_SKIP_NATIVE_DOWNLOADS).');
} else {
  await Promise.all([installElectron(), installTfjsNode()]);
}
