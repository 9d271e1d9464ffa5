/**
 * The samples of the chosen confusion-matrix cell, or every mistake: images for image data, features for vector
 * data (2-D points are also ringed on the plot beside it), each with its true and predicted class and top classes.
 */
import { useEffect, useState } from 'react';
import type { MistakeOrder } from '../../../shared/evaluation';
import type { ClassificationResult, EvaluationSource, SampleView } from './evaluationApi';
import { DigitImage } from './DigitImage';
import { className, type CellSelection, type SampleEntry } from './sampleList';

/** Samples drawn at once; the rest are counted. */
export const GALLERY_LIMIT = 48;

const ORDERS: { value: MistakeOrder; label: string }[] = [
  { value: 'most-confident-first', label: 'most confident first' },
  { value: 'least-confident-first', label: 'least confident first' },
  { value: 'by-index', label: 'by sample index' },
];

const pct = (p: number) => `${(p * 100).toFixed(p >= 0.995 || p < 0.1 ? 1 : 0)}%`;

function useSamples(source: EvaluationSource, result: ClassificationResult, path: string | null, indices: readonly number[]) {
  const [samples, setSamples] = useState<ReadonlyMap<number, SampleView>>(new Map());
  const key = indices.join(',');
  useEffect(() => {
    if (indices.length === 0 || result.points) return;
    let live = true;
    source
      .samples(result.runId, path, indices)
      .then((views) => live && setSamples(new Map(views.map((v) => [v.index, v]))))
      .catch(() => live && setSamples(new Map()));
    return () => {
      live = false;
    };
    // The key stands for the indices.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, result, path, key]);
  return samples;
}

function SampleCard({ result, entry, sample }: { result: ClassificationResult; entry: SampleEntry; sample?: SampleView }) {
  const right = entry.trueClass === entry.predictedClass;
  const point = result.points?.[entry.index];
  const features = sample?.features ?? (point ? [point.x, point.y] : undefined);
  return (
    <li className={`nb-sample${right ? ' is-right' : ''}`} data-index={entry.index}>
      {sample?.pixels && sample.width && sample.height ? (
        <DigitImage pixels={sample.pixels} width={sample.width} height={sample.height} channels={sample.channels ?? 1} ink={sample.ink ?? true} size={56} label={`sample ${entry.index}`} />
      ) : features ? (
        <code className="nb-sample-features">{features.map((f) => f.toFixed(2)).join(', ')}</code>
      ) : (
        <span className="nb-sample-missing">#{entry.index}</span>
      )}
      <div className="nb-sample-text">
        <span>
          true <strong>{className(result, entry.trueClass)}</strong>
        </span>
        <span className={right ? 'nb-right' : 'nb-wrong'}>
          pred <strong>{className(result, entry.predictedClass)}</strong>
        </span>
        {entry.top ? (
          <ol className="nb-top" aria-label="Top classes">
            {entry.top.map((t) => (
              <li key={t.classIndex}>
                {className(result, t.classIndex)} {pct(t.probability)}
              </li>
            ))}
          </ol>
        ) : null}
      </div>
    </li>
  );
}

export function MistakesGallery(props: {
  result: ClassificationResult;
  source: EvaluationSource;
  path: string | null;
  entries: readonly SampleEntry[];
  selection?: CellSelection;
  order: MistakeOrder;
  onOrder: (order: MistakeOrder) => void;
  onShowMistakes: () => void;
}) {
  const { result, entries, selection } = props;
  // Pages of GALLERY_LIMIT cards: a long list is drawn in steps (each card fetches its sample), back to one page
  // whenever the list itself changes (another cell, another order).
  const [pages, setPages] = useState(1);
  useEffect(() => setPages(1), [entries]);
  const shown = entries.slice(0, GALLERY_LIMIT * pages);
  const samples = useSamples(props.source, result, props.path, shown.map((e) => e.index));
  const mistakeCount = result.mistakeCount;
  const title = selection
    ? `True ${className(result, selection.trueClass)} → predicted ${className(result, selection.predictedClass)}`
    : `Mistakes`;
  const total = selection ? entries.length : mistakeCount;
  return (
    <section className="nb-gallery" aria-label="Samples">
      <header>
        <h4>
          {title} <span className="nb-muted">({total})</span>
        </h4>
        <label className="nb-inline">
          sort
          <select aria-label="Sort samples" value={props.order} onChange={(e) => props.onOrder(e.target.value as MistakeOrder)}>
            {ORDERS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {selection ? (
          <button type="button" className="nb-small" onClick={props.onShowMistakes}>
            All mistakes
          </button>
        ) : null}
      </header>
      {entries.length === 0 ? <p className="nb-muted">{selection ? 'No samples here.' : 'No mistakes on the test set.'}</p> : null}
      <ol className={`nb-samples nb-samples-${result.inputKind}`}>
        {shown.map((entry) => (
          <SampleCard key={entry.index} result={result} entry={entry} sample={samples.get(entry.index)} />
        ))}
      </ol>
      {total > shown.length ? (
        <p className="nb-muted">
          {shown.length} of {total} shown{!selection && result.mistakes.length < mistakeCount ? ' (the most confident mistakes were sent)' : ''}.{' '}
          {entries.length > shown.length ? (
            <button type="button" className="nb-small" onClick={() => setPages((p) => p + 1)}>
              Show {Math.min(GALLERY_LIMIT, entries.length - shown.length)} more
            </button>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}
