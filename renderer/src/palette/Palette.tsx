/**
 * The layer palette: every catalog layer by category, the Lego blocks, blocks already in this graph and blocks saved
 * to the palette. Drag an entry onto the canvas, or focus it (Tab) and press Enter to insert it in view.
 */
import { useEffect, useState, type DragEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { savedBlocksStore } from '../blocks/savedBlocks';
import { usePaletteSections, type PaletteItem } from './usePaletteSections';
import { PALETTE_MIME, serializePaletteDrag, type PaletteEntry } from './paletteDrag';
import { insertPaletteEntry } from './insertPaletteEntry';
import { loadDatasetCatalog } from './datasetInput';
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';

function matches(item: PaletteItem, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return item.label.toLowerCase().includes(q) || item.hint.toLowerCase().includes(q) || item.description.toLowerCase().includes(q);
}

export function Palette() {
  const [query, setQuery] = useState('');
  const sections = usePaletteSections();
  const flow = useReactFlow();
  // A new Input takes the chosen dataset's shape; fetch the catalog before the first one is added.
  useEffect(() => void loadDatasetCatalog(), []);

  const insertInView = (entry: PaletteEntry) => {
    const canvas = document.querySelector('.canvas-region')?.getBoundingClientRect();
    const center = canvas
      ? flow.screenToFlowPosition({ x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 })
      : { x: 0, y: 0 };
    insertPaletteEntry(entry, undefined, { fallback: { x: center.x - 90, y: center.y - 30 } });
    revealSelection();
  };

  // A click chains the new layer after the selection, which may be at the edge of the view: pan (same zoom) so the
  // layer the next click attaches to stays on screen.
  const revealSelection = () => {
    const [id] = documentStore.getState().selection;
    const canvas = document.querySelector('.canvas-region')?.getBoundingClientRect();
    const node = id ? documentStore.getState().document.nodes.find((n) => n.id === id) : undefined;
    if (!node || !canvas) return;
    const size = viewStore.getState().measured.get(node.id) ?? { width: 190, height: 76 };
    const topLeft = flow.flowToScreenPosition(node.position);
    const bottomRight = flow.flowToScreenPosition({ x: node.position.x + size.width, y: node.position.y + size.height });
    const inside = topLeft.x >= canvas.left && topLeft.y >= canvas.top && bottomRight.x <= canvas.right && bottomRight.y <= canvas.bottom;
    if (!inside) void flow.setCenter(node.position.x + size.width / 2, node.position.y + size.height / 2, { zoom: flow.getZoom(), duration: 200 });
  };

  const onDragStart = (event: DragEvent, entry: PaletteEntry) => {
    event.dataTransfer.setData(PALETTE_MIME, serializePaletteDrag(entry));
    event.dataTransfer.effectAllowed = 'copy';
  };

  const visible = sections.map((s) => ({ ...s, items: s.items.filter((i) => matches(i, query.trim())) })).filter((s) => s.items.length > 0);

  return (
    <>
      <input
        className="palette-search"
        type="search"
        placeholder="Search layers and blocks…"
        aria-label="Search layers and blocks"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          const first = visible[0]?.items[0];
          if (e.key === 'Enter' && first) insertInView(first.entry);
        }}
      />
      <div className="palette-list" role="list" aria-label="Layers and blocks">
        {visible.length === 0 ? <p className="palette-empty">Nothing matches “{query}”.</p> : null}
        {visible.map((section) => (
          <section key={section.title} aria-label={section.title}>
            <h3 className="palette-category">{section.title}</h3>
            {section.items.map((item) => (
              <div key={item.key} role="listitem" style={{ display: 'flex' }}>
                <button
                  type="button"
                  className="palette-item"
                  draggable
                  onDragStart={(e) => onDragStart(e, item.entry)}
                  onClick={() => insertInView(item.entry)}
                  title={item.description}
                  aria-label={`Add ${item.label}`}
                  data-testid={`palette-${item.key}`}
                >
                  <span className="palette-swatch" style={{ background: item.color }} aria-hidden />
                  {item.label}
                  <small>{item.hint !== item.label ? item.hint : ''}</small>
                </button>
                {item.removable ? (
                  <button
                    type="button"
                    className="palette-item"
                    style={{ width: 'auto', cursor: 'pointer' }}
                    aria-label={`Remove saved block ${item.label}`}
                    title="Remove from palette"
                    onClick={() => savedBlocksStore.getState().remove(item.removable!)}
                  >
                    ✕
                  </button>
                ) : null}
              </div>
            ))}
          </section>
        ))}
      </div>
    </>
  );
}
