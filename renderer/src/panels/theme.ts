/**
 * The theme the workbench is drawn in: the user's choice (View ▸ Theme, or the switch in the side panel header), with
 * "system" following the OS light / dark setting live. It is written to <html data-theme> (the app's CSS variables key
 * on it) and given to React Flow and canvas-drawn plots, which cannot read CSS by themselves.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { useViewStore, viewStore, type ThemeChoice } from '../store/viewStore';

export type Theme = 'light' | 'dark';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function systemPrefersDark(): boolean {
  return globalThis.matchMedia?.(DARK_QUERY).matches ?? false;
}

function subscribeSystem(onChange: () => void): () => void {
  const query = globalThis.matchMedia?.(DARK_QUERY);
  query?.addEventListener('change', onChange);
  return () => query?.removeEventListener('change', onChange);
}

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** Sets <html data-theme> (and color-scheme, so form controls and scrollbars match). */
export function applyTheme(theme: Theme, choice: ThemeChoice): void {
  const root = globalThis.document?.documentElement;
  if (!root) return;
  root.dataset.theme = theme;
  root.dataset.themeChoice = choice;
  root.style.colorScheme = theme;
}

/** The theme in effect; re-renders when the choice or (under "system") the OS setting changes. */
export function useTheme(): Theme {
  const choice = useViewStore((s) => s.theme);
  const systemDark = useSyncExternalStore(subscribeSystem, systemPrefersDark, () => false);
  return resolveTheme(choice, systemDark);
}

/** Keeps <html data-theme> in step with the choice and the OS. Mount once, at the top of the app. */
export function useThemeAttribute(): Theme {
  const theme = useTheme();
  const choice = useViewStore((s) => s.theme);
  useEffect(() => applyTheme(theme, choice), [theme, choice]);
  return theme;
}

/** The theme as it stands now, for code that draws outside React (canvas plots). */
export function currentTheme(): Theme {
  // From the store, not <html data-theme>: a plot repainting in an effect for a theme change runs before the app's
  // effect that updates the attribute (children's effects run first).
  return resolveTheme(viewStore.getState().theme, systemPrefersDark());
}

// Applied once before the first render, so a dark choice does not flash light while React mounts.
applyTheme(resolveTheme(viewStore.getState().theme, systemPrefersDark()), viewStore.getState().theme);
