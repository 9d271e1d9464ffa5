/**
 * The confusion matrix: rows are true classes, columns predicted ones. Each cell prints its count and row share;
 * the fill follows the row share. Cells are buttons: choosing one lists its samples.
 */
import type { ClassificationResult } from './evaluationApi';
import { confusionCellStyle, shareLabel } from './confusionCellStyle';
import { className, type CellSelection } from './sampleList';

export function ConfusionMatrix({
  result,
  selection,
  onSelect,
}: {
  result: ClassificationResult;
  selection?: CellSelection;
  onSelect: (selection: CellSelection) => void;
}) {
  const { confusionMatrix, normalizedConfusionMatrix } = result.metrics;
  return (
    <div className="nb-confusion" role="group" aria-label="Confusion matrix">
      <div className="nb-confusion-axis nb-confusion-axis-x">predicted</div>
      <div className="nb-confusion-axis nb-confusion-axis-y">true</div>
      <table>
        <thead>
          <tr>
            <th scope="col" aria-label="true class" />
            {confusionMatrix.map((_, p) => (
              <th key={p} scope="col" title={className(result, p)}>
                {className(result, p)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {confusionMatrix.map((row, t) => (
            <tr key={t}>
              <th scope="row" title={className(result, t)}>
                {className(result, t)}
              </th>
              {row.map((count, p) => {
                const share = normalizedConfusionMatrix[t]?.[p] ?? 0;
                const selected = selection?.trueClass === t && selection.predictedClass === p;
                const style = confusionCellStyle(share, t === p);
                return (
                  <td key={p}>
                    <button
                      type="button"
                      className={`nb-confusion-cell${t === p ? ' is-right' : ''}`}
                      style={{ background: style.background, color: style.color }}
                      aria-pressed={selected}
                      aria-label={`true ${className(result, t)}, predicted ${className(result, p)}: ${count} (${shareLabel(share)} of the row)`}
                      data-count={count}
                      disabled={count === 0}
                      onClick={() => onSelect({ trueClass: t, predictedClass: p })}
                    >
                      <span className="nb-confusion-count">{count}</span>
                      {count > 0 ? <span className="nb-confusion-share">{shareLabel(share)}</span> : null}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
