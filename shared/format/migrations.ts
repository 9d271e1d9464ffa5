/**
 * Append-only registry of format migrations, applied in order to files older than {@link CURRENT_FORMAT_VERSION}.
 *
 * Policy: a released step is never edited or removed — files in the wild depend on it. To change the format,
 * bump CURRENT_FORMAT_VERSION, append one step `from: N, to: N + 1`, keep a fixture `fixtures/vN.nbrick` of the old
 * shape and update the schema. Steps work on untyped JSON (the old format has no schema here any more), must not
 * mutate their input, and report shapes they cannot understand by throwing {@link MigrationError} with a path.
 */
import { CURRENT_FORMAT_VERSION } from './graphFileSchema';

export type JsonObject = { readonly [key: string]: unknown };

export class MigrationError extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'MigrationError';
  }
}

export interface Migration {
  /** Stable name, never reused: `v<to>/<WhatChanged>`. */
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly description: string;
  /** Takes the whole file at version `from` and returns it at version `to` (the runner sets formatVersion). */
  readonly up: (file: JsonObject) => JsonObject;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function expectObject(value: unknown, path: readonly (string | number)[]): JsonObject {
  if (!isObject(value)) throw new MigrationError(path, 'expected an object');
  return value;
}

function expectArray(value: unknown, path: readonly (string | number)[]): readonly unknown[] {
  if (!Array.isArray(value)) throw new MigrationError(path, 'expected an array');
  return value;
}

/**
 * v0 (pre-release, 2026 workshop prototype): the graph kept its name at `graph.name`, layers in `graph.layers`,
 * had no groups, and edges named the input port with a React Flow handle id string `targetHandle: "in-<n>"`
 * (absent for single-input layers).
 */
const v1LayersToNodes: Migration = {
  id: 'v1/LayersToNodes',
  from: 0,
  to: 1,
  description: 'graph.layers → graph.nodes, graph.name/description → graph.metadata, edge targetHandle "in-N" → targetPort N, add groups',
  up(file) {
    const graph = expectObject(file['graph'], ['graph']);
    const { name, description, layers, edges, ...rest } = graph;
    const nodes = expectArray(layers, ['graph', 'layers']);
    const newEdges = expectArray(edges ?? [], ['graph', 'edges']).map((edge, i) => {
      const e = expectObject(edge, ['graph', 'edges', i]);
      const { targetHandle, ...edgeRest } = e;
      let targetPort = 0;
      if (targetHandle !== undefined && targetHandle !== null) {
        const match = typeof targetHandle === 'string' ? /^in-(\d{1,4})$/.exec(targetHandle) : null;
        if (!match) {
          throw new MigrationError(['graph', 'edges', i, 'targetHandle'], `expected a handle id like "in-0", got ${JSON.stringify(targetHandle)}`);
        }
        targetPort = Number(match[1]);
      }
      return { ...edgeRest, targetPort };
    });
    const metadata = {
      name: name === undefined ? 'Untitled' : name,
      ...(description === undefined ? {} : { description }),
    };
    return { ...file, graph: { ...rest, metadata, nodes, edges: newEdges, groups: [] } };
  },
};

/**
 * v1 had no checkpoints: run records gained optional `graphHash` and `checkpoint`, the training config an optional
 * `keepCheckpoints`. A v1 file has none of them, so its data is already valid v2: the step only marks the version.
 */
const v2RunCheckpoints: Migration = {
  id: 'v2/RunCheckpoints',
  from: 1,
  to: 2,
  description: 'runs[].graphHash, runs[].checkpoint and training.keepCheckpoints added (all optional): no data changes',
  up(file) {
    expectObject(file['graph'], ['graph']);
    return { ...file };
  },
};

/**
 * v2 had no telemetry and no experiments: run records gained optional `telemetry` (per-node signals, downsampled),
 * `variant` and `earlyStopped`; the training config optional `telemetryEvery`, `lrSchedule`, `clip` and
 * `earlyStopping`. A v2 file has none of them, so its data is already valid v3: the step marks the version.
 */
const v3RunTelemetry: Migration = {
  id: 'v3/RunTelemetry',
  from: 2,
  to: 3,
  description: 'runs[].telemetry/variant/earlyStopped and training.telemetryEvery/lrSchedule/clip/earlyStopping added (all optional): no data changes',
  up(file) {
    expectObject(file['graph'], ['graph']);
    return { ...file };
  },
};

/**
 * v3 trained only on bundled datasets: the training config gained optional `data` (the user's own table or image
 * folder: path, content hash, preprocessing, split) and run records optional `data` (kind + hash) and `imported` (weights
 * brought in by `bricks import`). A v3 file has none of them, so its data is already valid v4: the step marks the version.
 */
const v4UserData: Migration = {
  id: 'v4/UserData',
  from: 3,
  to: 4,
  description: 'training.data, runs[].data and runs[].imported added (all optional): no data changes',
  up(file) {
    expectObject(file['graph'], ['graph']);
    return { ...file };
  },
};

export const MIGRATIONS: readonly Migration[] = [v1LayersToNodes, v2RunCheckpoints, v3RunTelemetry, v4UserData];

/** Applies every step from `fromVersion` up to the current version. Throws MigrationError on shapes it cannot read. */
export function migrateToCurrent(file: JsonObject, fromVersion: number): JsonObject {
  let current = file;
  for (let version = fromVersion; version < CURRENT_FORMAT_VERSION; version++) {
    const step = MIGRATIONS.find((m) => m.from === version);
    if (!step) throw new MigrationError(['formatVersion'], `no migration from format version ${version}`);
    current = { ...step.up(current), formatVersion: step.to };
  }
  return current;
}
