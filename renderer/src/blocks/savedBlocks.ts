/**
 * Blocks the user saved to the palette ("☆ Save to palette" on a group). Kept in localStorage so they survive
 * across files and restarts; each is a plain GraphFragment, pasted with fresh ids when re-inserted.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { GraphFragment } from '../../../shared/document';

export interface SavedBlock {
  readonly id: string;
  readonly name: string;
  readonly fragment: GraphFragment;
}

const KEY = 'neural-bricks.saved-blocks.v1';

function load(): SavedBlock[] {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    const value: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(value)) return [];
    return value.filter(
      (b): b is SavedBlock =>
        typeof b === 'object' && b !== null && typeof b.id === 'string' && typeof b.name === 'string' && Array.isArray(b.fragment?.nodes),
    );
  } catch {
    return [];
  }
}

interface SavedBlocksState {
  readonly blocks: readonly SavedBlock[];
  save(name: string, fragment: GraphFragment): void;
  remove(id: string): void;
}

export const savedBlocksStore = createStore<SavedBlocksState>()((set, get) => ({
  blocks: load(),
  save(name, fragment) {
    const blocks = [...get().blocks, { id: `b${Date.now().toString(36)}`, name, fragment }];
    set({ blocks });
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify(blocks));
    } catch {
      // Storage full or unavailable: the block stays for this session.
    }
  },
  remove(id) {
    const blocks = get().blocks.filter((b) => b.id !== id);
    set({ blocks });
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify(blocks));
    } catch {
      // ignore, as above
    }
  },
}));

export function useSavedBlocks(): readonly SavedBlock[] {
  return useStore(savedBlocksStore, (s) => s.blocks);
}
