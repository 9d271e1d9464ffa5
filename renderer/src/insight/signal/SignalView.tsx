/**
 * Signal propagation at initialisation (Brock, De & Smith 2021) for the open document: one click sends a batch of
 * real training data through the freshly initialised network (in the trainer) and plots, per node along the depth,
 * the average channel squared mean and the average channel variance on a log scale. Hover a node for its numbers.
 */
import { useState } from 'react';
import type { LabApi } from '../../../../shared/contracts/api';
import type { SignalPropagation } from '../../../../shared/contracts/insight';
import { DEFAULT_TRAINING_CONFIG } from '../../../../shared/format/trainingConfig';
import { useDocumentStore } from '../../store/documentStore';
import { formatSignalValue, logScale, polylinePoints, signalLines } from './signalPlot';
import './signalView.css';

type SignalState =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly result: SignalPropagation; readonly revision: number }
  | { readonly status: 'error'; readonly message: string };

export function SignalView({ api }: { api: LabApi }) {
  const graph = useDocumentStore((s) => s.document);
  const training = useDocumentStore((s) => s.training);
  const revision = useDocumentStore((s) => s.revision);
  const filePath = useDocumentStore((s) => s.filePath);
  const [state, setState] = useState<SignalState>({ status: 'idle' });

  const run = async () => {
    setState({ status: 'running' });
    const startedAt = revision;
    try {
      const config = training ?? DEFAULT_TRAINING_CONFIG;
      // On the user's own data the host resolves its relative path beside the open file (issue 14).
      const path = filePath ?? null;
      const result = await api.signalPropagation({ graph, config, ...(config.data ? { path } : {}) });
      setState({ status: 'done', result, revision: startedAt });
    } catch (error) {
      setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <section className="nb-signal" aria-label="Signal propagation at initialisation">
      <header className="nb-signal-header">
        <button type="button" className="nb-small" onClick={() => void run()} disabled={state.status === 'running'}>
          Signal propagation at init
        </button>
        {state.status === 'running' ? <span role="status">Running one batch through the fresh network…</span> : null}
        {state.status === 'done' ? (
          <span className="nb-muted">
            {state.result.samples} {state.result.datasetId} samples · seed {state.result.seed} · {state.result.backend} · {Math.round(state.result.elapsedMs)} ms
          </span>
        ) : null}
      </header>
      {state.status === 'error' ? (
        <p className="nb-error" role="alert">
          {state.message}
        </p>
      ) : null}
      {state.status === 'done' && state.revision !== revision ? (
        <p className="nb-signal-note">The graph or its training settings changed since this plot: run it again to see the current network.</p>
      ) : null}
      {state.status === 'done' ? <SignalPlot result={state.result} /> : null}
      {state.status === 'idle' ? (
        <p className="nb-muted">
          Sends one batch of training data through the network as training would start it and shows, node by node, how the average channel squared
          mean and variance of the signal change with depth. In a healthy deep network both stay roughly level.
        </p>
      ) : null}
    </section>
  );
}

const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 12, bottom: 84 };
const STEP = 34;

export function SignalPlot({ result }: { result: SignalPropagation }) {
  const [hover, setHover] = useState<number | undefined>();
  const { nodes } = result;
  const lines = signalLines(result);
  const scale = logScale([...lines.squaredMean, ...lines.variance].map((p) => p.value), PAD.top, HEIGHT - PAD.bottom);
  const width = PAD.left + PAD.right + Math.max(1, nodes.length) * STEP;
  const x = (i: number) => PAD.left + STEP / 2 + i * STEP;
  const hovered = hover === undefined ? undefined : nodes[hover];
  return (
    <figure className="nb-signal-plot">
      <div className="nb-signal-scroll">
        <svg width={width} height={HEIGHT} role="img" aria-label={`Average channel squared mean and variance for ${nodes.length} nodes, log scale`} onMouseLeave={() => setHover(undefined)}>
          {scale.ticks.map((t) => (
            <g key={t} className="nb-signal-tick">
              <line x1={PAD.left} x2={width - PAD.right} y1={scale.y(t)} y2={scale.y(t)} />
              <text x={PAD.left - 6} y={scale.y(t) + 4} textAnchor="end">
                {t >= 0.01 && t <= 1000 ? String(t) : `1e${Math.round(Math.log10(t))}`}
              </text>
            </g>
          ))}
          {hover !== undefined ? <rect className="nb-signal-hover" x={x(hover) - STEP / 2} y={PAD.top} width={STEP} height={HEIGHT - PAD.top - PAD.bottom} /> : null}
          <polyline className="nb-signal-line nb-signal-variance" points={polylinePoints(lines.variance, x, scale)} />
          <polyline className="nb-signal-line nb-signal-mean" points={polylinePoints(lines.squaredMean, x, scale)} />
          {lines.variance.map((p) => (
            <circle key={`v${p.index}`} className="nb-signal-variance" cx={x(p.index)} cy={scale.y(p.value)} r={3} />
          ))}
          {lines.squaredMean.map((p) => (
            <rect key={`m${p.index}`} className="nb-signal-mean" x={x(p.index) - 3} y={scale.y(p.value) - 3} width={6} height={6} />
          ))}
          {nodes.map((node, i) => (
            <g key={node.nodeId}>
              <text className="nb-signal-label" transform={`translate(${x(i) + 4},${HEIGHT - PAD.bottom + 8}) rotate(45)`}>
                {node.nodeId.length > 14 ? `${node.nodeId.slice(0, 13)}…` : node.nodeId}
              </text>
              <rect
                className="nb-signal-column"
                data-node={node.nodeId}
                x={x(i) - STEP / 2}
                y={PAD.top}
                width={STEP}
                height={HEIGHT - PAD.top}
                onMouseEnter={() => setHover(i)}
              >
                <title>{`${node.nodeId} (${node.type}): squared mean ${formatSignalValue(node.avgSquaredMean)}, variance ${formatSignalValue(node.avgVariance)}`}</title>
              </rect>
            </g>
          ))}
        </svg>
      </div>
      <figcaption>
        <span className="nb-signal-key nb-signal-mean">■ avg channel squared mean</span>
        <span className="nb-signal-key nb-signal-variance">● avg channel variance</span>
        <span data-testid="signal-readout" className="nb-signal-readout">
          {hovered
            ? `${hovered.nodeId} · ${hovered.type} · ${hovered.shape.join('×')}: squared mean ${formatSignalValue(hovered.avgSquaredMean)}, variance ${formatSignalValue(hovered.avgVariance)}`
            : 'hover a node for its numbers'}
        </span>
        {lines.undrawable.length > 0 ? (
          <span className="nb-muted">
            {' '}
            · not on the log scale (zero or overflow): {lines.undrawable.map((i) => nodes[i]?.nodeId).join(', ')}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
