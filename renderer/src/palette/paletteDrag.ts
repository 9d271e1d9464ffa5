/** What the palette puts in a drag (HTML5 DnD) and how the canvas reads it back. */
export const PALETTE_MIME = 'application/x-neural-bricks-palette';

export type PaletteEntry =
  | { readonly kind: 'layer'; readonly type: string }
  | { readonly kind: 'block'; readonly id: string }
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'saved'; readonly id: string };

export function serializePaletteDrag(entry: PaletteEntry): string {
  return JSON.stringify(entry);
}

export function parsePaletteDrag(text: string): PaletteEntry | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Record<string, unknown>>;
    switch (value.kind) {
      case 'layer':
        return typeof value.type === 'string' ? { kind: 'layer', type: value.type } : undefined;
      case 'block':
        return typeof value.id === 'string' ? { kind: 'block', id: value.id } : undefined;
      case 'group':
        return typeof value.groupId === 'string' ? { kind: 'group', groupId: value.groupId } : undefined;
      case 'saved':
        return typeof value.id === 'string' ? { kind: 'saved', id: value.id } : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
