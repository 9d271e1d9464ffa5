/** Matching keyboard events against the catalog's key bindings (shared/commands/commandCatalog.ts). */
import { parseKey, type ParsedKey } from '../../../shared/commands/commandCatalog';

/** The subset of a KeyboardEvent the match reads (so tests can pass plain objects). */
export interface KeyPress {
  readonly key: string;
  readonly code?: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

/** Keys typed with Shift on most layouts: the binding names the character, so Shift is not compared. */
const SHIFTED_CHARACTERS = new Set(['?', '!', '+', '_', ':', '"', '<', '>', '{', '}', '|', '~']);

export function keyMatches(binding: ParsedKey | string, press: KeyPress): boolean {
  const want = typeof binding === 'string' ? parseKey(binding) : binding;
  if (want.mod !== (press.ctrlKey || press.metaKey)) return false;
  if (want.alt !== press.altKey) return false;
  if (!SHIFTED_CHARACTERS.has(want.key) && want.shift !== press.shiftKey) return false;
  switch (want.key) {
    case 'Space':
      return press.key === ' ' || press.code === 'Space';
    case 'Delete':
    case 'Backspace':
    case 'Escape':
    case 'Enter':
    case 'F1':
      return press.key === want.key;
    default:
      if (press.key.toLowerCase() === want.key.toLowerCase()) return true;
      // Shift+1 gives '!' (or another character on other layouts): digits match by physical key.
      return /^\d$/.test(want.key) && press.code === `Digit${want.key}`;
  }
}
