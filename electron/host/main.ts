/**
 * `node --import tsx electron/host/main.ts [--port N] [--workspace DIR] [--no-open]`: Neural Bricks in a browser,
 * for machines without the Electron binary. Prints the tokened URL, opens a browser when one is available, and
 * stops cleanly on Ctrl+C (the trainer process included).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CheckpointService } from '../services/checkpoints/CheckpointService';
import { DataJobs } from '../services/data/dataJobs';
import { sweepAbandonedImports } from '../services/data/importData';
import { Autosave } from './autosave';
import { cleanTempFilesAtStartup, createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createTrainingService } from './trainingService';
import { createBundleRoutes } from './bundleRoutes';
import { createDataImportRoutes } from './dataImportRoutes';
import { createWebHandlers } from './webHandlers';
import { startWebHost } from './webHost';
import { ensureWorkspace, workspaceFolder } from './workspaceFolders';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Best effort: a headless machine simply has no opener, and that is fine. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => console.log('(No browser opener found: open the address above yourself.)'));
    child.unref();
  } catch {
    console.log('(No browser opener found: open the address above yourself.)');
  }
}

export async function runWebHost(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '0' },
      workspace: { type: 'string', default: path.join(os.homedir(), 'NeuralBricks') },
      examples: { type: 'string', default: path.join(repoRoot, 'examples') },
      renderer: { type: 'string', default: path.join(repoRoot, 'dist/renderer') },
      'no-open': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${values.port}"`);
  const rendererDir = path.resolve(values.renderer);
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`No built renderer in ${rendererDir}: run \`npm run build:renderer\` first.`);
  }
  const folders = { workspace: path.resolve(values.workspace), examples: path.resolve(values.examples) };
  await ensureWorkspace(folders);
  const stateDir = path.join(folders.workspace, '.neural-bricks');
  // Temp files of saves a crash interrupted (the state folder lies inside the workspace, so one sweep covers both).
  // Not awaited: a large workspace must not delay start-up, and a save in progress has a fresh temp file (kept).
  void cleanTempFilesAtStartup({ deep: [folders.workspace] });
  // Data uploads a closed page or a crash left half-way (workspace/data/.importing-*).
  void sweepAbandonedImports(folders.workspace);

  const autosave = new Autosave(stateDir, { confineTo: { root: folders.workspace, description: 'the workspace' } });
  const training = createTrainingService();
  // Kept models: captured into <state>/checkpoints/ as runs end, carried beside the file on save; all inside the workspace.
  const checkpoints = new CheckpointService({ stateDir, boundary: workspaceFolder(folders), log: (line) => console.error(line) });
  checkpoints.attach(training);
  // Inspecting or proposing from a big table or image folder: progress to the page, cancellable (issue 14).
  const dataJobs = new DataJobs();
  const handlers = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(stateDir),
    datasets: createDatasetService(),
    training,
    autosave,
    checkpoints,
    dataJobs,
    appVersion: appVersion(),
  });
  const bundles = createBundleRoutes({ folders, checkpoints });
  // Data uploaded from the page into workspace/data (New from Data → Upload).
  const dataImports = createDataImportRoutes({ folders });
  const host = await startWebHost({ rendererDir, handlers, bundles, dataImports, port, log: (line) => console.error(line) });
  training.onRunEvent((event) => host.emit('runEvent', event));
  training.onInsightProgress?.((progress) => host.emit('insightProgress', progress));
  dataJobs.onProgress((progress) => host.emit('dataProgress', progress));
  autosave.start();

  console.log(`Neural Bricks is running at ${host.url}`);
  console.log(`Workspace: ${folders.workspace}`);
  console.log('Press Ctrl+C to stop.');
  if (!values['no-open']) openBrowser(host.url);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await training.dispose().catch((error: unknown) => console.error(`trainer: ${String(error)}`));
    await dataImports.close();
    await host.close();
    await autosave.dispose({ keepUnsaved: true }).catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runWebHost(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`Neural Bricks web host: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
