/** A classifier's answer for one input: a bar per class, the winner marked; `pending` marks it out of date (aria-busy). */
import { readClassOutputs, classProbability, predictClasses } from '../../../shared/evaluation';
import type { Prediction } from './evaluationApi';

export function ProbabilityBars({ prediction, classNames, pending = false }: { prediction?: Prediction; classNames: readonly string[]; pending?: boolean }) {
  const outputs = prediction ? readClassOutputs(prediction.outputs.slice(0, prediction.outputWidth), 1, prediction.outputWidth) : undefined;
  const winner = outputs ? predictClasses(outputs).predicted[0] : undefined;
  const classCount = outputs?.classCount ?? classNames.length;
  return (
    <ol className="nb-probabilities" aria-label="Probabilities" aria-busy={pending} data-winner={winner ?? ''}>
      {Array.from({ length: classCount }, (_, c) => {
        const p = outputs ? classProbability(outputs, 0, c) : 0;
        return (
          <li key={c} className={c === winner ? 'is-winner' : undefined} data-class={c} data-probability={outputs ? p.toFixed(4) : ''}>
            <span className="nb-probability-label">{classNames[c] ?? c}</span>
            <span className="nb-probability-track">
              <span className="nb-probability-fill" style={{ width: `${(p * 100).toFixed(1)}%` }} />
            </span>
            <span className="nb-probability-value">{outputs ? `${(p * 100).toFixed(1)}%` : '—'}</span>
          </li>
        );
      })}
    </ol>
  );
}
