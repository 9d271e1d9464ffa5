/**
 * The command state (what `enabledWhen` and `checked` read) as a React hook for the toolbar, the web menu bar and the
 * help overlay. It re-renders only when a value the commands look at changes, not on every store update (the
 * pointer moving over the canvas, a training batch arriving).
 */
import { useSyncExternalStore } from 'react';
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { trainingRunStore } from '../training/trainingRunStore';
import { readCommandState, type CommandState } from './commandRegistry';

function sameState(a: CommandState, b: CommandState): boolean {
  const keys = Object.keys(a) as (keyof CommandState)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

let snapshot: CommandState | undefined;

/** The current state, the same object as last time while nothing the commands read has changed. */
export function commandStateSnapshot(): CommandState {
  const next = readCommandState();
  if (!snapshot || !sameState(snapshot, next)) snapshot = next;
  return snapshot;
}

function subscribe(onChange: () => void): () => void {
  const stops = [documentStore.subscribe(onChange), viewStore.subscribe(onChange), trainingRunStore.subscribe(onChange)];
  return () => {
    for (const stop of stops) stop();
  };
}

export function useCommandState(): CommandState {
  return useSyncExternalStore(subscribe, commandStateSnapshot, commandStateSnapshot);
}
