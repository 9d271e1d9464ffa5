/**
 * Asks the model about an input once it has been still for `delayMs`; answers to superseded inputs are dropped.
 * `pending` is true while what is shown is not the answer for the current input (still waiting, or the input changed
 * since): the view marks the shown answer as out of date (aria-busy), and a test waits for it to clear before reading.
 */
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
  // The input the shown prediction (or error) answers: compared by identity, as callers memoise their input.
  const [answered, setAnswered] = useState<ArrayLike<number>>();
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
          setAnswered(values);
        })
        .catch((e: unknown) => {
          if (ticket !== asked.current) return;
          setError(e instanceof Error ? e.message : String(e));
          setAnswered(values);
        });
    }, delayMs);
    return () => clearTimeout(timer);
  }, [source, runId, path, shape, values, delayMs]);
  return { prediction, error, pending: values !== undefined && answered !== values };
}
