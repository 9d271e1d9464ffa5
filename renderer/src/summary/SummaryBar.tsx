/**
 * Totals for the whole graph and the error count; clicking the count selects and centres a layer with an error, the
 * next one on each click (see errorTargets.ts).
 */
import { useReactFlow } from '@xyflow/react';
import { useAnalysis } from '../store/analysis';
import { documentStore, useDocumentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { setBatchSize, useBatchSize } from './useBatchSize';
import { formatBytes, formatCount } from './formatNumbers';
import { setGroupCollapsed } from '../../../shared/document/groups';
import { errorTargets, nextErrorNode } from './errorTargets';

export function SummaryBar() {
  const analysis = useAnalysis();
  const nodeCount = useDocumentStore((s) => s.document.nodes.length);
  const batchSize = useBatchSize();
  const flow = useReactFlow();
  const { totals } = analysis;
  const firstError = analysis.issues.find((i) => i.severity === 'error');

  const jumpToError = () => {
    const state = documentStore.getState();
    const targets = errorTargets(state.document, analysis.issues);
    const next = nextErrorNode(targets, state.selection);
    const node = next && state.document.nodes.find((n) => n.id === next.nodeId);
    if (!node) {
      const message = targets.graphMessages[0];
      if (message) viewStore.getState().showToast(message);
      return;
    }
    // A node inside a collapsed block is not on the canvas: expand its block first.
    const group = state.document.groups.find((g) => g.collapsed && g.nodeIds.includes(node.id));
    if (group) state.edit((d) => setGroupCollapsed(d, group.id, false));
    state.select([node.id]);
    const size = viewStore.getState().measured.get(node.id) ?? { width: 190, height: 80 };
    void flow.setCenter(node.position.x + size.width / 2, node.position.y + size.height / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 300 });
  };

  return (
    <footer className="summary-region" aria-label="Graph summary" data-testid="summary">
      <span>
        <strong>{nodeCount}</strong> layers
      </span>
      <span title={`${totals.params.toLocaleString()} parameters`}>
        Params <strong data-testid="summary-params">{totals.params.toLocaleString()}</strong>
      </span>
      <span title="Forward FLOPs per sample">
        FLOPs <strong data-testid="summary-flops">{formatCount(totals.flops)}</strong>
      </span>
      <span title="float32 activation memory for one batch (forward pass)">
        Activations <strong data-testid="summary-memory">{formatBytes(totals.activationBytes * batchSize)}</strong>
      </span>
      <label>
        Batch
        <input
          type="number"
          min={1}
          max={65536}
          value={batchSize}
          aria-label="Batch size (training and memory estimate)"
          onChange={(e) => setBatchSize(Math.floor(Number(e.target.value)))}
        />
      </label>
      {nodeCount === 0 ? (
        <span className="summary-errors ok" style={{ color: 'var(--muted)' }} data-testid="summary-errors">
          Empty graph
        </span>
      ) : totals.errors > 0 ? (
        <button type="button" className="summary-errors" onClick={jumpToError} data-testid="summary-errors" title={firstError?.message}>
          ⚠ {totals.errors} error{totals.errors === 1 ? '' : 's'} — show
        </button>
      ) : (
        <span className="summary-errors ok" data-testid="summary-errors">
          ✓ {totals.warnings > 0 ? `no errors, ${totals.warnings} warning${totals.warnings === 1 ? '' : 's'}` : 'no errors'}
        </span>
      )}
    </footer>
  );
}
