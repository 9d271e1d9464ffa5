/**
 * The gradient-flow heatmap: graph nodes top (input) to bottom (output), training steps left to right (each recorded
 * step a column as wide as its share of the run, so irregular samples keep time proportional), colour the chosen
 * signal (log10 for norms). Cells are painted on a canvas from one ImageData (a 50 × 256 grid repaints in a few
 * milliseconds); a transparent layer above it turns the pointer (or the arrow keys) into the cell and its numbers.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { ColorScale } from './colorScale';
import { colorAt } from './colorScale';
import { formatSignal, HEATMAP_SIGNAL_INFO, type HeatmapRow, type HeatmapSignal } from './heatmapModel';
import { paintHeatmap } from './paintHeatmap';
import { columnAt, columnEdges, epochTicks, stepLabel } from './stepAxis';
import { useElementWidth } from './useElementWidth';

interface GradientHeatmapProps {
  readonly rows: readonly HeatmapRow[];
  readonly steps: readonly number[];
  readonly batchesPerEpoch: number;
  readonly signal: HeatmapSignal;
  readonly scale: ColorScale;
}

/** Row height for a row count: tall enough to hover, short enough that a 50-node graph fits in about 360 px. */
export function rowHeightFor(rows: number): number {
  return Math.max(6, Math.min(24, Math.floor(360 / Math.max(1, rows))));
}

/** Every how many rows a label fits at 11 px text. */
export function labelStride(rowHeight: number): number {
  return Math.ceil(11 / rowHeight);
}

interface Cell {
  readonly row: number;
  readonly column: number;
}

export function GradientHeatmap({ rows, steps, batchesPerEpoch, signal, scale }: GradientHeatmapProps) {
  const plot = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useElementWidth(plot, 240);
  const [hover, setHover] = useState<Cell>();
  const rowHeight = rowHeightFor(rows.length);
  const height = rowHeight * rows.length;
  const columns = steps.length;
  const stride = labelStride(rowHeight);
  const ticks = useMemo(() => epochTicks(steps, batchesPerEpoch, Math.max(2, Math.floor(width / 36))), [steps, batchesPerEpoch, width]);

  const edges = useMemo(() => columnEdges(steps, width), [steps, width]);
  const percent = (x: number) => `${(x / (width || 1)) * 100}%`;

  useEffect(() => {
    if (canvas.current) paintHeatmap(canvas.current, rows, columns, scale, width, height, edges);
  }, [rows, columns, scale, width, height, edges]);

  // A shorter run or fewer rows (another run picked) must not leave the read-out on a cell that is gone.
  const cell = hover && hover.row < rows.length && hover.column < columns ? hover : undefined;
  const pick = (event: PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width <= 0 || columns === 0) return;
    const column = columnAt(edges, ((event.clientX - box.left) / box.width) * width);
    const row = Math.floor((event.clientY - box.top) / rowHeight);
    if (row >= 0 && row < rows.length && column >= 0 && column < columns) setHover({ row, column });
  };
  const step = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, -columns], End: [0, columns] };
    const move = moves[event.key];
    if (!move || rows.length === 0 || columns === 0) return;
    event.preventDefault();
    const from = cell ?? { row: 0, column: columns - 1 };
    setHover({ row: clamp(from.row + move[0], rows.length - 1), column: clamp(from.column + move[1], columns - 1) });
  };

  // The read-out centres on the cell but stays inside the heatmap (it may cover the labels, never leave the panel).
  const tip = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const box = tip.current;
    const area = plot.current;
    if (!box || !area || !cell) return;
    const centre = ((edges[cell.column]! + edges[cell.column + 1]!) / 2 / (width || 1)) * area.clientWidth;
    const left = Math.max(-area.offsetLeft, Math.min(area.clientWidth - box.offsetWidth, centre - box.offsetWidth / 2));
    box.style.left = `${left}px`;
  }, [cell, edges, width]);

  const hovered = cell ? rows[cell.row] : undefined;
  const value = cell && hovered ? hovered.values[cell.column] : undefined;
  const info = HEATMAP_SIGNAL_INFO[signal];

  return (
    <div className="nb-heatmap" data-rows={rows.length} data-columns={columns} data-signal={signal}>
      <div className="nb-heatmap-body">
        <ol className="nb-heatmap-labels" aria-label="Layers, input to output" style={{ height }}>
          {rows.map((row, i) => (
            <li
              key={row.nodeId}
              data-node={row.nodeId}
              data-hovered={cell?.row === i ? 'true' : undefined}
              title={`${row.nodeId}${row.type ? ` (${row.type})` : ''}`}
              style={{ height: rowHeight }}
            >
              {i % stride === 0 || cell?.row === i ? (
                <span className="nb-heatmap-label">
                  <span className="nb-heatmap-id">{row.nodeId}</span>
                  {row.type ? <span className="nb-heatmap-type">{row.type}</span> : null}
                </span>
              ) : null}
            </li>
          ))}
        </ol>
        <div className="nb-heatmap-plot" ref={plot} style={{ height }}>
          <canvas ref={canvas} style={{ width: '100%', height }} aria-hidden="true" />
          <div
            className="nb-heatmap-hit"
            role="img"
            tabIndex={0}
            aria-label="Layer heatmap"
            aria-description={`${info.label}: ${rows.length} layers × ${columns} recorded steps; arrow keys read cells`}
            onPointerMove={pick}
            onPointerDown={pick}
            onPointerLeave={() => setHover(undefined)}
            onKeyDown={step}
            onBlur={() => setHover(undefined)}
          />
          {cell ? (
            <div
              className="nb-heatmap-cell"
              aria-hidden="true"
              style={{ left: percent(edges[cell.column]!), width: `max(3px, ${percent(edges[cell.column + 1]! - edges[cell.column]!)})`, top: cell.row * rowHeight, height: rowHeight }}
            />
          ) : null}
          {cell && hovered ? (
            <div
              ref={tip}
              className="nb-heatmap-tip"
              role="status"
              data-node={hovered.nodeId}
              data-step={steps[cell.column]}
              data-value={value ?? ''}
              style={{
                // Below the cell in the upper half, above it in the lower half, so it never hangs far past the grid.
                ...(cell.row * rowHeight < height / 2 ? { top: (cell.row + 1) * rowHeight + 4 } : { bottom: height - cell.row * rowHeight + 4 }),
                left: percent((edges[cell.column]! + edges[cell.column + 1]!) / 2),
              }}
            >
              <strong>{hovered.nodeId}</strong>
              {hovered.type ? <span className="nb-muted"> {hovered.type}</span> : null}
              <br />
              {stepLabel(steps[cell.column]!, batchesPerEpoch)} <span className="nb-muted">(step {steps[cell.column]})</span>
              <br />
              {info.label}: <strong>{formatSignal(signal, value)}</strong>
              {value === null ? <span className="nb-muted"> not measured</span> : null}
            </div>
          ) : null}
        </div>
        <div className="nb-heatmap-xtitle">epoch</div>
        <div className="nb-heatmap-xaxis" aria-hidden="true">
          {ticks.map((t) => (
            <span key={t.column} style={{ left: percent((edges[t.column]! + edges[t.column + 1]!) / 2) }}>
              {t.label}
            </span>
          ))}
        </div>
      </div>
      <ColorLegend scale={scale} title={info.scale === 'log' ? `${info.label} (log scale)` : info.label} />
    </div>
  );
}

function clamp(value: number, max: number): number {
  return Math.max(0, Math.min(max, value));
}

/** The colour bar with its decades (or percentages), and what no colour means. */
export function ColorLegend({ scale, title }: { readonly scale: ColorScale; readonly title: string }) {
  const stops = Array.from({ length: 11 }, (_, i) => `${colorAt(i / 10)} ${i * 10}%`).join(', ');
  const span = scale.hi - scale.lo || 1;
  return (
    <div className="nb-legend" role="group" aria-label="Layer heatmap legend" data-lo={scale.lo} data-hi={scale.hi}>
      <div className="nb-legend-title">{title}</div>
      <div className="nb-legend-bar" style={{ background: `linear-gradient(to right, ${stops})` }} />
      <div className="nb-legend-ticks">
        {scale.ticks.map((t) => (
          <span key={t.at} style={{ left: `${((t.at - scale.lo) / span) * 100}%` }}>
            {t.label}
          </span>
        ))}
      </div>
      <div className="nb-legend-note nb-muted">
        {scale.kind === 'log' ? 'Zero and smaller values take the darkest colour; ' : ''}blank: not measured
      </div>
    </div>
  );
}
