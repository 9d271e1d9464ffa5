/** Quick add (Space / Ctrl+K): type a layer or block name; Enter inserts it at the cursor. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { viewStore } from '../store/viewStore';
import { usePaletteSections } from '../palette/usePaletteSections';
import { insertPaletteEntry } from '../palette/insertPaletteEntry';
import { closeDialog } from './DialogFrame';

export function QuickAdd({ screen }: { screen: { x: number; y: number } }) {
  const sections = usePaletteSections();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const items = useMemo(() => {
    const q = query.trim().toLowerCase();
    const all = sections.flatMap((s) => s.items.map((i) => ({ ...i, section: s.title })));
    if (!q) return all;
    const scored = all
      .map((i) => {
        const label = i.label.toLowerCase();
        const hint = i.hint.toLowerCase();
        const score = label === q || hint === q ? 0 : label.startsWith(q) || hint.startsWith(q) ? 1 : label.includes(q) || hint.includes(q) ? 2 : 3;
        return { i, score };
      })
      .filter((x) => x.score < 3)
      .sort((a, b) => a.score - b.score);
    return scored.map((x) => x.i);
  }, [sections, query]);
  const choose = (index: number) => {
    const item = items[index];
    if (!item) return;
    closeDialog();
    const cursor = viewStore.getState().cursor;
    insertPaletteEntry(item.entry, { x: cursor.x - 20, y: cursor.y - 30 });
  };
  const left = Math.min(screen.x, window.innerWidth - 320);
  const top = Math.min(screen.y, window.innerHeight - 320);
  return (
    <div className="overlay-backdrop" style={{ background: 'transparent' }} onMouseDown={(e) => e.target === e.currentTarget && closeDialog()}>
      <div className="quick-add" style={{ left, top }} role="dialog" aria-label="Quick add">
        <input
          ref={input}
          value={query}
          placeholder="Type a layer or block…"
          aria-label="Layer or block to add"
          role="combobox"
          aria-expanded="true"
          aria-controls="quick-add-list"
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, items.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              choose(active);
            } else if (e.key === 'Escape') {
              closeDialog();
            }
          }}
        />
        <ul id="quick-add-list" role="listbox">
          {items.slice(0, 40).map((item, i) => (
            <li key={item.key} role="option" aria-selected={i === active} onMouseDown={() => choose(i)} onMouseEnter={() => setActive(i)}>
              <span className="palette-swatch" style={{ background: item.color }} aria-hidden />
              {item.label}
              <small>{item.section}</small>
            </li>
          ))}
          {items.length === 0 ? <li aria-disabled>No layer matches</li> : null}
        </ul>
      </div>
    </div>
  );
}
