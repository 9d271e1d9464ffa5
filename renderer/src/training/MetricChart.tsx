/**
 * One live chart (uPlot): several (x, y) series on a shared x axis, an optional log scale, a hover read-out
 * (uPlot's live legend) and PNG export. The plot is created once per series layout and fed with setData after
 * that, so a chart updating several times a second stays cheap.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { alignSeries, formatAxisTicks, legendSeries } from './trainingMath';
import { downloadBlob } from './download';
import { registerChartExporter } from '../commands/trainingExports';

export interface ChartSeries {
  readonly label: string;
  readonly points: readonly (readonly [number, number | undefined])[];
  readonly color: string;
  readonly width?: number;
  readonly dash?: number[];
  /** Draw point markers (epoch-level series with few points). */
  readonly markers?: boolean;
}

interface MetricChartProps {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly allowLog?: boolean;
  readonly yRange?: [number, number];
  readonly fileStem: string;
  /** Plot height in CSS pixels (default 190; the learning-rate curve is a small chart). */
  readonly height?: number;
  /** Start on a log y axis (when allowLog). */
  readonly initialLog?: boolean;
  /** Said in place of the legend while there is nothing to draw. */
  readonly emptyText?: string;
}

const HEIGHT = 190;

/** Saves what a plot shows as `<fileStem>.png`, on white (the plot's own canvas is transparent). */
function exportPlotPng(plot: uPlot | null, fileStem: string): void {
  const source = plot?.ctx.canvas;
  if (!source) return;
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(source, 0, 0);
  canvas.toBlob((blob) => blob && downloadBlob(blob, `${fileStem}.png`), 'image/png');
}

export function MetricChart({ title, series: given, allowLog = false, yRange, fileStem, height = HEIGHT, initialLog = false, emptyText }: MetricChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [log, setLog] = useState(allowLog && initialLog);
  // Only series with something to draw, each labelled: the legend never lists an empty curve or a bare swatch. A series
  // joins (one rebuild of the plot) when its first value arrives, e.g. validation at the end of epoch 1.
  const series = useMemo(() => legendSeries(given), [given]);
  const layout = series.map((s) => `${s.label}|${s.color}|${s.dash?.join(',') ?? ''}`).join(';') + `|${log}|${height}`;
  const data = useMemo(() => alignSeries(series.map((s) => s.points)), [series]);

  useEffect(() => {
    const host = container.current;
    if (!host) return;
    // Canvas text cannot use currentColor: read the theme's text colour (light or dark scheme) once per build.
    const ink = getComputedStyle(host).color || '#333';
    const options: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height,
      scales: {
        x: { time: false },
        y: log ? { distr: 3 } : yRange ? { range: yRange } : {},
      },
      axes: [
        { label: 'epoch', size: 36, labelSize: 16, stroke: ink, grid: { stroke: 'rgba(128,128,128,0.2)' } },
        {
          // Compact ticks (120k, 1.5M, 5e-4): a regression loss in the target's units is large, and uPlot's own
          // "100,000" was cut off at the left edge. The axis widens to its longest label.
          values: (_u, splits) => formatAxisTicks(splits, log),
          // Tick (10 px) + gap (5 px) + the label at about 8 px a character (12 px digits) + a margin.
          size: (_u, values) => Math.max(48, 24 + 8 * Math.max(0, ...(values ?? []).map((v) => String(v).length))),
          stroke: ink,
          grid: { stroke: 'rgba(128,128,128,0.2)' },
        },
      ],
      series: [
        // The legend names the series; numbers appear only under the cursor (no "epoch: —" placeholders).
        { label: 'epoch', value: (_u, v) => (v == null ? '' : v.toFixed(2)) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.5,
          ...(s.dash ? { dash: s.dash } : {}),
          spanGaps: true,
          points: { show: s.markers ?? false, size: 5 },
          value: (_u: uPlot, v: number | null) => (v == null ? '' : v.toPrecision(4)),
        })),
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    const instance = new uPlot(options, data as uPlot.AlignedData, host);
    plot.current = instance;
    const resize = new ResizeObserver(() => instance.setSize({ width: Math.max(200, host.clientWidth), height }));
    resize.observe(host);
    return () => {
      resize.disconnect();
      instance.destroy();
      plot.current = null;
    };
    // The plot is rebuilt only when the series layout changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layout]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  const hasData = data[0].length > 0;
  const exportPng = () => exportPlotPng(plot.current, fileStem);

  // While mounted, the chart is one of those File → Export → Charts as PNG saves (drawn into one picture).
  const current = useRef({ hasData });
  useEffect(() => {
    current.current = { hasData };
  });
  useEffect(
    () =>
      registerChartExporter({
        title,
        hasData: () => current.current.hasData,
        canvas: () => plot.current?.ctx.canvas,
      }),
    [title],
  );
  return (
    <section className="nb-chart" aria-label={`${title} chart`}>
      <header className="nb-chart-header">
        <h4>{title}</h4>
        {allowLog ? (
          <label className="nb-inline">
            <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale
          </label>
        ) : null}
        <button type="button" className="nb-small" data-export="png" onClick={exportPng} disabled={!hasData} title={`Save the ${title.toLowerCase()} chart as PNG`}>
          PNG
        </button>
      </header>
      <div ref={container} className="nb-chart-plot" data-points={data[0].length} data-empty={hasData ? undefined : 'true'} />
      {hasData ? null : <p className="nb-chart-empty nb-muted">{emptyText ?? 'Nothing to draw yet: start training.'}</p>}
    </section>
  );
}
