/** What every exporter reports when a graph has nodes it cannot write. */
import type { NodeId } from '../../../shared/document/model';

export interface ExportProblem {
  readonly nodeId: NodeId;
  readonly type: string;
  readonly reason: string;
}

/** The graph has nodes the exporter cannot write: each named, with its type and why. */
export class ExportError extends Error {
  constructor(
    readonly format: string,
    readonly problems: readonly ExportProblem[],
  ) {
    super(
      `cannot export to ${format}: ${problems.length} node${problems.length === 1 ? '' : 's'} not supported — ` +
        problems.map((p) => `'${p.nodeId}' (${p.type}): ${p.reason}`).join('; '),
    );
    this.name = new.target.name;
  }
}
