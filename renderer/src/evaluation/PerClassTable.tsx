/** Precision, recall, F1 and support per class, with the macro and weighted averages under them. */
import type { ClassScores } from '../../../shared/evaluation';
import type { ClassificationResult } from './evaluationApi';
import { className } from './sampleList';

const score = (value: number) => value.toFixed(3);

function AverageRow({ label, scores, support }: { label: string; scores: ClassScores; support: number }) {
  return (
    <tr className="nb-average">
      <th scope="row">{label}</th>
      <td>{score(scores.precision)}</td>
      <td>{score(scores.recall)}</td>
      <td>{score(scores.f1)}</td>
      <td>{support}</td>
    </tr>
  );
}

export function PerClassTable({ result }: { result: ClassificationResult }) {
  const { perClass, macroAverage, weightedAverage, sampleCount } = result.metrics;
  return (
    <table className="nb-per-class" aria-label="Per-class scores">
      <thead>
        <tr>
          <th scope="col">class</th>
          <th scope="col">precision</th>
          <th scope="col">recall</th>
          <th scope="col">F1</th>
          <th scope="col">support</th>
        </tr>
      </thead>
      <tbody>
        {perClass.map((scores, c) => (
          <tr key={c}>
            <th scope="row">{className(result, c)}</th>
            <td>{score(scores.precision)}</td>
            <td>{score(scores.recall)}</td>
            <td>{score(scores.f1)}</td>
            <td>{scores.support}</td>
          </tr>
        ))}
        <AverageRow label="macro avg" scores={macroAverage} support={sampleCount} />
        <AverageRow label="weighted avg" scores={weightedAverage} support={sampleCount} />
      </tbody>
    </table>
  );
}
