/** What the page knows about where it runs, for drawing commands: which menu bar, which modifier names. */

/**
 * Inside the Electron shell the preload has set `window.neuralBricks` and the window has the native menu bar (built
 * from the same catalog); in a browser tab there is none, and the page draws its own.
 */
export function hasNativeMenu(): boolean {
  return typeof window !== 'undefined' && window.neuralBricks !== undefined;
}

/** Macs show shortcuts as ⌘⇧Z. */
export function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}
