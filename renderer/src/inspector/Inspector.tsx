/**
 * The inspector: typed controls for the selected node's params with help text and validation, its label and notes,
 * and what the analysis knows about it (shapes, params, FLOPs, issues). With several nodes of one type selected,
 * it edits their common params together.
 */
import { useId } from 'react';
import { getLayerSpec } from '../../../shared/catalog/registry';
import type { ParamSpec, ParamValue } from '../../../shared/catalog/spec';
import type { GraphNode } from '../../../shared/document/model';
import { useDocumentStore } from '../store/documentStore';
import { useAnalysis } from '../store/analysis';
import { useBatchSize } from '../summary/useBatchSize';
import { canvasCommands } from '../canvas/canvasCommands';
import { formatShape } from '../canvas/flowMapping';
import { formatBytes, formatCount } from '../summary/formatNumbers';
import { ParamField } from './ParamField';

function sameValue(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

function isVisible(spec: ParamSpec, values: (name: string) => ParamValue | undefined): boolean {
  if (!spec.visibleWhen) return true;
  const v = values(spec.visibleWhen.param);
  return typeof v === 'string' && spec.visibleWhen.values.includes(v);
}

export function Inspector() {
  const selection = useDocumentStore((s) => s.selection);
  const nodes = useDocumentStore((s) => s.document.nodes);
  const selected = nodes.filter((n) => selection.includes(n.id));
  if (selected.length === 0) {
    return (
      <div className="inspector">
        <p className="empty">
          Select a layer to edit its settings.
          <br />
          Shift-drag on the canvas selects several; layers of one type can be edited together.
        </p>
      </div>
    );
  }
  const type = selected[0]!.type;
  if (selected.some((n) => n.type !== type)) {
    return (
      <div className="inspector">
        <h2>{selected.length} layers selected</h2>
        <p className="empty">They are of different types. Select layers of one type to edit their common settings.</p>
      </div>
    );
  }
  return <NodeInspector nodes={selected} />;
}

function NodeInspector({ nodes }: { nodes: GraphNode[] }) {
  const analysis = useAnalysis();
  const batchSize = useBatchSize();
  const labelId = useId();
  const notesId = useId();
  const first = nodes[0]!;
  const spec = getLayerSpec(first.type);
  const ids = nodes.map((n) => n.id);
  const single = nodes.length === 1;
  const info = single ? analysis.nodes.get(first.id) : undefined;

  if (!spec) {
    return (
      <div className="inspector">
        <h2>{first.type}</h2>
        <p className="issue">Unknown layer type “{first.type}”. It cannot be edited or trained.</p>
      </div>
    );
  }

  const valueOf = (name: string): { value: ParamValue | undefined; mixed: boolean } => {
    const values = nodes.map((n) => n.params[name] ?? spec.params[name]?.default);
    const v0 = values[0];
    const mixed = values.some((v) => !sameValue(v, v0));
    return { value: mixed ? undefined : v0, mixed };
  };
  const paramIssue = (name: string): string | undefined => {
    for (const n of nodes) {
      const issue = analysis.nodes.get(n.id)?.issues.find((i) => i.param === name && i.severity === 'error');
      if (issue) return issue.message;
    }
    return undefined;
  };
  const nodeIssues = single ? (info?.issues ?? []).filter((i) => i.param === undefined) : [];

  return (
    <div className="inspector" aria-label="Inspector" data-testid="inspector">
      <h2>
        <span className={`palette-swatch`} style={{ background: `var(--c-${spec.category.toLowerCase()})` }} aria-hidden />
        {single ? (first.label?.trim() || spec.label) : `${nodes.length} × ${spec.label}`}
        <small style={{ color: 'var(--muted)', fontWeight: 400 }}>{single ? first.id : ''}</small>
      </h2>
      <p className="desc">{spec.description}</p>
      {nodeIssues.length > 0 ? (
        <div role="alert">
          {nodeIssues.map((i, k) => (
            <p key={k} className={`issue${i.severity === 'warning' ? ' warning' : ''}`} style={{ margin: '2px 0' }}>
              {i.port !== undefined && spec.inputs.ordered ? `Input ${i.port + 1}: ` : ''}
              {i.message}
            </p>
          ))}
        </div>
      ) : null}
      {single ? (
        <div className="field">
          <label htmlFor={labelId}>Label</label>
          <input
            id={labelId}
            type="text"
            value={first.label ?? ''}
            placeholder={spec.label}
            onChange={(e) => canvasCommands.setLabel(first.id, e.target.value)}
            onBlur={canvasCommands.endDrag}
          />
        </div>
      ) : null}
      {Object.entries(spec.params)
        .filter(([, p]) => isVisible(p, (name) => valueOf(name).value))
        .map(([name, p]) => {
          const { value, mixed } = valueOf(name);
          const issue = paramIssue(name);
          return (
            <ParamField
              key={`${ids.join(',')}:${name}`}
              name={name}
              spec={p}
              value={value}
              mixed={mixed}
              {...(issue ? { issue } : {})}
              onChange={(v) => canvasCommands.setParam(ids, name, v)}
              onCommit={canvasCommands.endDrag}
            />
          );
        })}
      {single && info ? (
        <>
          <hr />
          <dl className="facts" aria-label="Layer facts">
            <dt>Input</dt>
            <dd>{info.inputShapes.length ? info.inputShapes.map((s) => formatShape(s)).join(', ') : '—'}</dd>
            <dt>Output</dt>
            <dd data-testid="inspector-output-shape">{info.output ? formatShape(info.output) : '—'}</dd>
            <dt>Parameters</dt>
            <dd>{info.params.toLocaleString()}</dd>
            <dt>FLOPs</dt>
            <dd>{formatCount(info.flops)}</dd>
            <dt>Activations</dt>
            <dd>
              {formatBytes(info.activationBytes * batchSize)} <span style={{ color: 'var(--muted)' }}>(batch {batchSize})</span>
            </dd>
          </dl>
        </>
      ) : null}
      {single ? (
        <div className="field">
          <label htmlFor={notesId}>Notes</label>
          <textarea
            id={notesId}
            rows={3}
            value={first.notes ?? ''}
            onChange={(e) => canvasCommands.setNotes(first.id, e.target.value)}
            onBlur={canvasCommands.endDrag}
          />
        </div>
      ) : null}
    </div>
  );
}
