// Bundles the Electron side for `npm start` and `npm run dist`: main, preload and the trainer entry to
// dist/electron/*.cjs. npm packages stay external (they ship in node_modules, native tfjs-node and the wasm files
// included); the sandboxed preload gets everything inlined because it cannot load packages.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Our ESM sources use import.meta.url (e.g. createRequire); in a CJS bundle it comes from __filename.
const importMetaShim = {
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

/** Our SIMD kernel modules, loaded by the trainer as ./simd/<name>.wasm (wasmKernels/simdModules.ts). */
function copySimdKernels() {
  const from = path.join(root, 'electron/services/backends/wasmKernels/simd');
  const to = path.join(root, 'dist/electron/simd');
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from).filter((f) => f.endsWith('.wasm'))) cpSync(path.join(from, file), path.join(to, file));
}

/**
 * The native twin of those kernels where this machine built it (npm install: scripts/build-native-kernels.mjs), loaded
 * by the trainer as ./out/nb_kernels.<level>.node (wasmKernels/native/nativeKernels.ts). An app packaged without them
 * runs the WebAssembly kernels.
 */
function copyNativeKernels() {
  const from = path.join(root, 'electron/services/backends/wasmKernels/native/out');
  const to = path.join(root, 'dist/electron/out');
  rmSync(to, { recursive: true, force: true });
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from).filter((f) => f.endsWith('.node'))) cpSync(path.join(from, file), path.join(to, file));
}

export async function bundleElectron() {
  copySimdKernels();
  copyNativeKernels();
  await Promise.all([
    build({
      ...common,
      ...importMetaShim,
      entryPoints: ['electron/shell/main.ts'],
      outfile: 'dist/electron/main.cjs',
      packages: 'external',
    }),
    build({
      ...common,
      entryPoints: ['electron/shell/preload.ts'],
      outfile: 'dist/electron/preload.cjs',
      minify: true,
      external: ['electron'],
    }),
    build({
      ...common,
      ...importMetaShim,
      entryPoints: ['electron/services/training/trainerProcess.ts'],
      outfile: 'dist/electron/trainer.cjs',
      packages: 'external',
    }),
    // Data-parallel replica thread, started by the trainer as ./replicaWorker.cjs (training/parallel/DataParallel.ts).
    build({
      ...common,
      ...importMetaShim,
      entryPoints: ['electron/services/training/parallel/replicaWorker.ts'],
      outfile: 'dist/electron/replicaWorker.cjs',
      packages: 'external',
    }),
  ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleElectron();
  console.log('Bundled dist/electron/{main,preload,trainer,replicaWorker}.cjs, simd/*.wasm and out/*.node (native kernels, where built)');
}
