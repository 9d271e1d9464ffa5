/** The modal layer: help overlay, New-from-template, quick-add, repeat ×N — one at a time, Escape closes. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { emptyDocument } from '../../../shared/document/model';
import { useViewStore, viewStore, type Dialog } from '../store/viewStore';
import { documentStore } from '../store/documentStore';
import { listTemplates } from '../templates/templates';
import { usePaletteSections } from '../palette/Palette';
import { insertPaletteEntry } from '../palette/insertPaletteEntry';
import { blockActions } from '../canvas/blockActions';
import { SHORTCUTS } from './shortcutList';

function close() {
  viewStore.getState().openDialog(undefined);
}

function Backdrop({ children, label }: { children: React.ReactNode; label: string }) {
  return (
    <div className="overlay-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={label}>
        {children}
      </div>
    </div>
  );
}

function HelpOverlay() {
  return (
    <Backdrop label="Keyboard shortcuts">
      <h2>Keyboard shortcuts</h2>
      <dl className="shortcut-list">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} style={{ display: 'contents' }}>
            <dt>{keys}</dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <p style={{ marginTop: 14 }}>
        <button type="button" className="btn" onClick={close} autoFocus>
          Close
        </button>
      </p>
    </Backdrop>
  );
}

function TemplatesDialog() {
  const templates = useMemo(() => listTemplates(), []);
  const choose = (id: string) => {
    const t = templates.find((x) => x.id === id);
    if (!t) return;
    const { dirty } = documentStore.getState();
    if (dirty && !window.confirm('Discard unsaved changes to this graph?')) return;
    documentStore.getState().replaceFile(t.file ?? { graph: emptyDocument('Untitled') });
    close();
  };
  return (
    <Backdrop label="New graph">
      <h2>New graph</h2>
      <div className="template-grid">
        {templates.map((t, i) => (
          <button
            key={t.id}
            type="button"
            className="template-card"
            onClick={() => choose(t.id)}
            disabled={t.error !== undefined}
            autoFocus={i === 0}
            data-testid={`template-${t.id}`}
          >
            <strong>{t.title}</strong>
            <span>{t.error ?? (t.description || `${t.file?.graph.nodes.length ?? 0} layers`)}</span>
          </button>
        ))}
      </div>
    </Backdrop>
  );
}

function QuickAdd({ screen }: { screen: { x: number; y: number } }) {
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
    close();
    const cursor = viewStore.getState().cursor;
    insertPaletteEntry(item.entry, { x: cursor.x - 20, y: cursor.y - 30 });
  };
  const left = Math.min(screen.x, window.innerWidth - 320);
  const top = Math.min(screen.y, window.innerHeight - 320);
  return (
    <div className="overlay-backdrop" style={{ background: 'transparent' }} onMouseDown={(e) => e.target === e.currentTarget && close()}>
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
              close();
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

function RepeatDialog({ groupId }: { groupId: string }) {
  const [times, setTimes] = useState(1);
  const submit = () => {
    close();
    blockActions.repeat(groupId, times);
  };
  return (
    <Backdrop label="Repeat block">
      <h2>Repeat block</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        style={{ display: 'flex', gap: 8, alignItems: 'center' }}
      >
        <label htmlFor="repeat-times">Add copies in sequence</label>
        <input
          id="repeat-times"
          type="number"
          min={1}
          max={32}
          value={times}
          autoFocus
          onChange={(e) => setTimes(Math.max(1, Math.min(32, Math.floor(Number(e.target.value)) || 1)))}
          style={{ width: 70 }}
        />
        <button type="submit" className="btn">
          Repeat
        </button>
      </form>
    </Backdrop>
  );
}

export function Dialogs() {
  const dialog = useViewStore((s) => s.dialog);
  useEffect(() => {
    if (!dialog) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialog]);
  return dialog ? <DialogBody dialog={dialog} /> : null;
}

function DialogBody({ dialog }: { dialog: Dialog }) {
  switch (dialog.kind) {
    case 'help':
      return <HelpOverlay />;
    case 'templates':
      return <TemplatesDialog />;
    case 'quickAdd':
      return <QuickAdd screen={dialog.screen} />;
    case 'repeat':
      return <RepeatDialog groupId={dialog.groupId} />;
  }
}
