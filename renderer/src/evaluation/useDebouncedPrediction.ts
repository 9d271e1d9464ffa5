/** Asks the model about an input once it has been still for `delayMs`; answers to superseded inputs are dropped. */
import { useEffect, useRef, useState } from 'react';
import type { EvaluationSource, Prediction } from './evaluationApi';

export const PREDICT_DEBOUNCE_MS = 100;

export function useDebouncedPrediction(
  source: EvaluationSource,
  runId: string,
  path: string | null,
  shape: readonly number[],
  values: ArrayLike<number> | undefined,
  delayMs = PREDICT_DEBOUNCE_MS,
) {
  const [prediction, setPrediction] = useState<Prediction>();
  const [error, setError] = useState<string>();
  const asked = useRef(0);
  useEffect(() => {
    const ticket = ++asked.current;
    if (!values) {
      setPrediction(undefined);
      return;
    }
    const timer = setTimeout(() => {
      source
        .predict(runId, path, shape, values)
        .then((answer) => {
          if (ticket !== asked.current) return;
          setPrediction(answer);
          setError(undefined);
        })
        .catch((e: unknown) => ticket === asked.current && setError(e instanceof Error ? e.message : String(e)));
    }, delayMs);
    return () => clearTimeout(timer);
  }, [source, runId, path, shape, values, delayMs]);
  return { prediction, error };
}
