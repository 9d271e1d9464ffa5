/** Layering rules: which folder may import which. `npm run lint:layers` fails on a violation. */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'shared/ runs everywhere: it may import only shared/ and its validation library (zod).',
      severity: 'error',
      from: { path: '^shared/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^shared/', '^node_modules/zod/'] },
    },
    {
      name: 'renderer-not-node-side',
      comment: 'The renderer talks to the Node side only through the API contract in shared/.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^electron/' },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      from: { path: '^renderer/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-no-electron',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'node-side-not-renderer',
      severity: 'error',
      from: { path: '^electron/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'services-import-no-electron',
      comment: 'Services are shared by the app, the CLI and the web host: only electron/shell/ may import electron.',
      severity: 'error',
      from: { path: '^electron/', pathNot: '^electron/shell/' },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'services-not-hosts',
      comment:
        'Services are the layer the hosts are built on: they may not import a host (web host, Electron shell, CLI). ' +
        'A type both need (e.g. TrainingService) lives in services and the host re-exports it.',
      severity: 'error',
      from: { path: '^electron/services/' },
      to: { path: '^electron/(host|shell|cli)/' },
    },
    {
      name: 'host-not-shell',
      comment: 'The web host runs without Electron: it may not import the Electron shell.',
      severity: 'error',
      from: { path: '^electron/host/' },
      to: { path: '^electron/shell/' },
    },
    {
      name: 'cli-not-shell',
      comment: 'The CLI runs in plain Node: it may not import the Electron shell.',
      severity: 'error',
      from: { path: '^electron/cli/' },
      to: { path: '^electron/shell/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)(dist|node_modules)/', '^e2e/artifacts/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.tools.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
