/**
 * Renderer build. `base: './'` keeps every asset URL relative so the same bundle loads from file:// inside
 * Electron and from the local web host. Everything (fonts included) is bundled: workshops run offline.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('./renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
  },
  server: { fs: { allow: [fileURLToPath(new URL('.', import.meta.url))] } },
});
