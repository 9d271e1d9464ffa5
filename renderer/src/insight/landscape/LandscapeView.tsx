/**
 * A slice of the loss landscape around a trained run's weights (Li et al. 2018): pick a run with a kept model (the
 * newest by default), Start, watch the progress with its ETA (Cancel stops it between two points), then read the loss
 * along one filter-normalised random direction (a line) and over two (a heatmap with contour lines and a colour
 * legend). The computation runs in the trainer; the same seed gives the same slice.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LabApi } from '../../../../shared/contracts/api';
import type { InsightProgress, LossLandscape } from '../../../../shared/contracts/insight';
import { useDocumentStore } from '../../store/documentStore';
import { runPickerLabel } from '../../training/runDescriptions';
import {
  contourLevels,
  contourSegments,
  formatEta,
  formatLoss,
  linearScale,
  lossExtent,
  normalizedLoss,
  rampColor,
  type LossExtent,
} from './landscapePlot';
import './landscapeView.css';

type LandscapeState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly jobId: string; readonly runId: string; readonly progress?: InsightProgress }
  | { readonly status: 'done'; readonly result: LossLandscape }
  | { readonly status: 'cancelled' }
  | { readonly status: 'error'; readonly message: string };

let jobCounter = 0;
const newJobId = () => `landscape-${Date.now().toString(36)}-${(jobCounter++).toString(36)}`;

export function LandscapeView({ api }: { api: LabApi }) {
  const runs = useDocumentStore((s) => s.runs);
  const filePath = useDocumentStore((s) => s.filePath);
  const kept = useMemo(() => runs.filter((r) => r.checkpoint === true), [runs]);
  const [picked, setPicked] = useState<string | undefined>();
  const runId = picked !== undefined && kept.some((r) => r.id === picked) ? picked : kept.at(-1)?.id;
  const pickedRun = kept.find((r) => r.id === runId);
  const [state, setState] = useState<LandscapeState>({ status: 'idle' });
  const job = useRef<string | undefined>(undefined);

  useEffect(
    () =>
      api.onInsightProgress((progress) => {
        if (progress.jobId !== job.current) return;
        setState((s) => (s.status === 'running' && s.jobId === progress.jobId ? { ...s, progress } : s));
      }),
    [api],
  );
  // A view closed mid-slice cancels it: nobody would see the result.
  useEffect(
    () => () => {
      if (job.current) void api.cancelInsight({ jobId: job.current }).catch(() => undefined);
    },
    [api],
  );

  const start = async () => {
    if (!runId) return;
    const jobId = newJobId();
    job.current = jobId;
    setState({ status: 'running', jobId, runId });
    try {
      const result = await api.lossLandscape({ runId, path: filePath ?? null, jobId });
      if (job.current === jobId) setState({ status: 'done', result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (job.current === jobId) setState(message === 'cancelled' || /\bcancelled$/.test(message) ? { status: 'cancelled' } : { status: 'error', message });
    } finally {
      if (job.current === jobId) job.current = undefined;
    }
  };

  const cancel = () => {
    if (state.status === 'running') void api.cancelInsight({ jobId: state.jobId }).catch(() => undefined);
  };

  const running = state.status === 'running';
  // The sliced run's number in the history ("Run 2"), as the picker names it; its id only when it has left the history.
  const runLabelOf = (id: string) => {
    const index = runs.findIndex((r) => r.id === id);
    return index >= 0 ? `Run ${index + 1}` : undefined;
  };
  return (
    <section className="nb-landscape" aria-label="Loss landscape">
      <header className="nb-landscape-header">
        <label>
          Run{' '}
          <select
            value={runId ?? ''}
            title={pickedRun ? runPickerLabel(pickedRun, runs) : undefined}
            onChange={(e) => setPicked(e.target.value)}
            disabled={running || kept.length === 0}
            aria-label="Run to slice"
          >
            {kept.length === 0 ? <option value="">no run with a kept model</option> : null}
            {[...kept].reverse().map((r) => (
              <option key={r.id} value={r.id}>
                {runPickerLabel(r, runs)}
              </option>
            ))}
          </select>
        </label>
        {running ? (
          <button type="button" className="nb-small" onClick={cancel}>
            Cancel
          </button>
        ) : (
          <button type="button" className="nb-small" onClick={() => void start()} disabled={!runId}>
            Start
          </button>
        )}
      </header>
      {kept.length === 0 ? <p className="nb-muted">Train the graph first: the landscape is sliced around a finished run's weights.</p> : null}
      {running ? <Progress progress={state.progress} /> : null}
      {state.status === 'cancelled' ? <p role="status">Cancelled.</p> : null}
      {state.status === 'error' ? (
        <p className="nb-error" role="alert">
          {state.message}
        </p>
      ) : null}
      {state.status === 'done' ? <LandscapeResult result={state.result} runLabel={runLabelOf(state.result.runId)} /> : null}
    </section>
  );
}

function Progress({ progress }: { progress: InsightProgress | undefined }) {
  const done = progress?.done ?? 0;
  const total = progress?.total ?? 1;
  return (
    <div className="nb-landscape-progress" role="status" aria-live="polite">
      <progress value={done} max={total} aria-label="Loss landscape progress" />
      <span>
        {progress ? `${done} of ${total} points · ${formatEta(progress.etaMs)}` : 'starting…'}
      </span>
    </div>
  );
}

/** `runLabel`: the run's name in the history ("Run 2"); without it the result names the run by its id. */
export function LandscapeResult({ result, runLabel }: { result: LossLandscape; runLabel?: string | undefined }) {
  return (
    <div className="nb-landscape-result">
      <p className="nb-muted">
        {runLabel ?? `run ${result.runId}`} · {result.samples} {result.datasetId} training samples · seed {result.seed} · loss at the trained weights{' '}
        <strong data-testid="landscape-center">{formatLoss(result.centerLoss)}</strong> · {(result.elapsedMs / 1000).toFixed(1)} s on {result.backend}
      </p>
      <div className="nb-landscape-plots">
        <LinePlot result={result} />
        {result.grid.losses.length > 0 ? <GridPlot result={result} /> : null}
      </div>
    </div>
  );
}

const LINE = { width: 320, height: 220, left: 48, right: 10, top: 10, bottom: 34 };

function LinePlot({ result }: { result: LossLandscape }) {
  const [hover, setHover] = useState<number | undefined>();
  const { alphas, losses } = result.line;
  const extent = lossExtent(losses);
  if (!extent) return <p className="nb-muted">Every loss on the line overflowed.</p>;
  const x = linearScale(alphas[0]!, alphas.at(-1)!, LINE.left, LINE.width - LINE.right);
  const bottom = LINE.height - LINE.bottom;
  const t = (loss: number) => normalizedLoss(loss, extent);
  const y = (loss: number) => bottom - t(loss) * (bottom - LINE.top);
  const points = alphas.flatMap((a, i) => (losses[i] === null ? [] : [`${x(a).toFixed(1)},${y(losses[i]!).toFixed(1)}`]));
  const ticks = [extent.min, ...contourLevels(extent, 2), extent.max];
  const hovered = hover === undefined ? undefined : { alpha: alphas[hover]!, loss: losses[hover] ?? null };
  return (
    <figure className="nb-landscape-card">
      <figcaption>Along one direction{extent.log ? ' (log scale)' : ''}</figcaption>
      <svg width={LINE.width} height={LINE.height} viewBox={`0 0 ${LINE.width} ${LINE.height}`} role="img" aria-label="Loss along one filter-normalised direction" onMouseLeave={() => setHover(undefined)}>
        {ticks.map((v) => (
          <g key={v} className="nb-landscape-tick">
            <line x1={LINE.left} x2={LINE.width - LINE.right} y1={y(v)} y2={y(v)} />
            <text x={LINE.left - 4} y={y(v) + 3} textAnchor="end">
              {formatLoss(v)}
            </text>
          </g>
        ))}
        {[alphas[0]!, 0, alphas.at(-1)!].map((a) => (
          <text key={a} className="nb-landscape-axis" x={x(a)} y={LINE.height - 18} textAnchor="middle">
            {a === 0 ? '0 (trained)' : a.toFixed(2)}
          </text>
        ))}
        <text className="nb-landscape-axis" x={(LINE.left + LINE.width) / 2} y={LINE.height - 4} textAnchor="middle">
          α (filter norms along direction 1)
        </text>
        <line className="nb-landscape-zero" x1={x(0)} x2={x(0)} y1={LINE.top} y2={bottom} />
        <polyline className="nb-landscape-line" points={points.join(' ')} />
        {alphas.map((a, i) => (
          <rect key={a} className="nb-landscape-column" x={x(a) - 4} y={LINE.top} width={8} height={bottom - LINE.top} onMouseEnter={() => setHover(i)}>
            <title>{`α ${a.toFixed(3)}: loss ${formatLoss(losses[i] ?? null)}`}</title>
          </rect>
        ))}
        {hovered && hovered.loss !== null ? <circle className="nb-landscape-dot" cx={x(hovered.alpha)} cy={y(hovered.loss)} r={3.5} /> : null}
      </svg>
      <p className="nb-landscape-readout" data-testid="landscape-line-readout">
        {hovered ? `α ${hovered.alpha.toFixed(3)} · loss ${formatLoss(hovered.loss)}` : 'hover the line for its values'}
      </p>
    </figure>
  );
}

const GRID = { size: 260, left: 40, top: 8, bottom: 32 };
const LEVELS = 8;

function GridPlot({ result }: { result: LossLandscape }) {
  const [hover, setHover] = useState<{ i: number; j: number } | undefined>();
  const { alphas, betas, losses } = result.grid;
  const extent = lossExtent(losses);
  if (!extent) return <p className="nb-muted">Every loss on the grid overflowed.</p>;
  const cols = alphas.length;
  const rows = betas.length;
  const cell = GRID.size / Math.max(cols, rows);
  // Cell (i, j) is centred on (alphas[i], betas[j]); β grows upwards.
  const px = (gx: number) => GRID.left + (gx + 0.5) * cell;
  const py = (gy: number) => GRID.top + (rows - 0.5 - gy) * cell;
  const levels = contourLevels(extent, LEVELS);
  const hovered = hover ? { alpha: alphas[hover.i]!, beta: betas[hover.j]!, loss: losses[hover.j * cols + hover.i] ?? null } : undefined;
  return (
    <figure className="nb-landscape-card">
      <figcaption>Over two directions: {cols}×{rows} grid, contours every {extent.log ? 'equal ratio' : 'equal step'} of loss</figcaption>
      <div className="nb-landscape-grid">
        <svg
          width={GRID.left + cols * cell + 8}
          height={GRID.top + rows * cell + GRID.bottom}
          viewBox={`0 0 ${GRID.left + cols * cell + 8} ${GRID.top + rows * cell + GRID.bottom}`}
          role="img"
          aria-label="Loss over two filter-normalised directions"
          onMouseLeave={() => setHover(undefined)}
        >
          {losses.map((loss, k) => {
            const i = k % cols;
            const j = Math.floor(k / cols);
            return (
              <rect
                key={k}
                className={loss === null ? 'nb-landscape-overflow' : undefined}
                x={GRID.left + i * cell}
                y={GRID.top + (rows - 1 - j) * cell}
                width={cell + 0.5}
                height={cell + 0.5}
                fill={loss === null ? undefined : rampColor(normalizedLoss(loss, extent))}
                onMouseEnter={() => setHover({ i, j })}
              >
                <title>{`α ${alphas[i]!.toFixed(2)}, β ${betas[j]!.toFixed(2)}: loss ${formatLoss(loss)}`}</title>
              </rect>
            );
          })}
          {levels.map((level) => (
            <path
              key={level}
              className="nb-landscape-contour"
              d={contourSegments(losses, cols, rows, level)
                .map(([x0, y0, x1, y1]) => `M${px(x0).toFixed(1)},${py(y0).toFixed(1)}L${px(x1).toFixed(1)},${py(y1).toFixed(1)}`)
                .join('')}
            >
              <title>{`loss ${formatLoss(level)}`}</title>
            </path>
          ))}
          <circle className="nb-landscape-centre" cx={px((cols - 1) / 2)} cy={py((rows - 1) / 2)} r={3} />
          <text className="nb-landscape-axis" x={GRID.left + (cols * cell) / 2} y={GRID.top + rows * cell + 14} textAnchor="middle">
            α {alphas[0]!.toFixed(1)} … {alphas.at(-1)!.toFixed(1)}
          </text>
          <text className="nb-landscape-axis" transform={`translate(${GRID.left - 8},${GRID.top + (rows * cell) / 2}) rotate(-90)`} textAnchor="middle">
            β {betas[0]!.toFixed(1)} … {betas.at(-1)!.toFixed(1)}
          </text>
        </svg>
        <ColorLegend extent={extent} height={rows * cell} />
      </div>
      <p className="nb-landscape-readout" data-testid="landscape-grid-readout">
        {hovered ? `α ${hovered.alpha.toFixed(2)}, β ${hovered.beta.toFixed(2)} · loss ${formatLoss(hovered.loss)}` : 'hover the map for its values; the dot is the trained weights'}
      </p>
    </figure>
  );
}

function ColorLegend({ extent, height }: { extent: LossExtent; height: number }) {
  const stops = Array.from({ length: 11 }, (_, k) => k / 10);
  const id = 'nb-landscape-ramp';
  const labels = [extent.min, ...contourLevels(extent, 3), extent.max];
  const y = (loss: number) => GRID.top + (1 - normalizedLoss(loss, extent)) * height;
  return (
    <svg width={86} height={GRID.top + height + GRID.bottom} role="img" aria-label={`Colour legend: loss ${formatLoss(extent.min)} to ${formatLoss(extent.max)}`}>
      <defs>
        <linearGradient id={id} x1="0" y1="1" x2="0" y2="0">
          {stops.map((t) => (
            <stop key={t} offset={t} stopColor={rampColor(t)} />
          ))}
        </linearGradient>
      </defs>
      <rect x={4} y={GRID.top} width={14} height={height} fill={`url(#${id})`} />
      {labels.map((v) => (
        <text key={v} className="nb-landscape-axis" x={22} y={y(v) + 3}>
          {formatLoss(v)}
        </text>
      ))}
      <text className="nb-landscape-axis" x={4} y={GRID.top + height + 16}>
        loss{extent.log ? ' (log)' : ''}
      </text>
    </svg>
  );
}
