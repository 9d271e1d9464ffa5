/** The palette's contents: catalog layers by category, then Blocks (templates, blocks in this graph, saved blocks). */
import { useMemo } from 'react';
import { LAYER_CATEGORIES } from '../../../shared/catalog/spec';
import { listLayerSpecs } from '../../../shared/catalog/registry';
import { BLOCK_TEMPLATES } from '../blocks/blockTemplates';
import { useSavedBlocks } from '../blocks/savedBlocks';
import { useDocumentStore } from '../store/documentStore';
import { lookOf } from '../canvas/flowMapping';
import type { PaletteEntry } from './paletteDrag';

export interface PaletteItem {
  readonly key: string;
  readonly entry: PaletteEntry;
  readonly label: string;
  readonly hint: string;
  readonly description: string;
  readonly color: string;
  readonly removable?: string;
}

export interface PaletteSection {
  readonly title: string;
  readonly items: PaletteItem[];
}

export function usePaletteSections(): PaletteSection[] {
  const groups = useDocumentStore((s) => s.document.groups);
  const saved = useSavedBlocks();
  return useMemo(() => {
    const specs = listLayerSpecs();
    const sections = LAYER_CATEGORIES.map((category) => ({
      title: category as string,
      items: specs
        .filter((s) => s.category === category)
        .map(
          (s): PaletteItem => ({
            key: `layer:${s.type}`,
            entry: { kind: 'layer', type: s.type },
            label: s.label,
            hint: s.type,
            description: s.description,
            color: `var(--c-${lookOf(s.category)})`,
          }),
        ),
    }));
    const blocks: PaletteItem[] = BLOCK_TEMPLATES.map((b) => ({
      key: `block:${b.id}`,
      entry: { kind: 'block', id: b.id },
      label: b.name,
      hint: 'block',
      description: b.description,
      color: 'var(--c-merge)',
    }));
    for (const g of groups) {
      blocks.push({
        key: `group:${g.id}`,
        entry: { kind: 'group', groupId: g.id },
        label: g.name,
        hint: 'in graph',
        description: `A copy of the block “${g.name}” (${g.nodeIds.length} layers) from this graph.`,
        color: 'var(--c-merge)',
      });
    }
    for (const b of saved) {
      blocks.push({
        key: `saved:${b.id}`,
        entry: { kind: 'saved', id: b.id },
        label: b.name,
        hint: 'saved',
        description: `Saved block: ${b.fragment.nodes.length} layers.`,
        color: 'var(--c-merge)',
        removable: b.id,
      });
    }
    sections.push({ title: 'Blocks', items: blocks });
    return sections;
  }, [groups, saved]);
}
