/**
 * The menu bar of the browser host (Electron draws its native one from the same catalog): File, Edit, View, Train,
 * Help as shared/commands/commandCatalog.ts lays them out, without the native-only entries. Every item runs its
 * command through the registry, shows its shortcut, is greyed with the reason as tooltip while disabled, and shows a
 * check mark for toggles. Keyboard as the WAI-ARIA menubar pattern: ←/→ between menus, ↓/Enter/Space opens, ↑/↓ in
 * a menu, → / ← into and out of a submenu, Enter runs, Escape closes; Alt + the underlined letter opens a menu.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { COMMANDS, menuAccessKey, menuTitle, pageMenus, type CommandId, type MenuEntry } from '../../../shared/commands/commandCatalog';
import { COMMAND_HANDLERS, commandShortcut, runCommand, type CommandState } from './commandRegistry';
import { viewStore } from '../store/viewStore';
import './commands.css';

/** Which item a menu focuses when it opens: the first, the last, or none (the menu itself, after a mouse hover). */
type FocusOnOpen = 'first' | 'last' | 'none';

type ItemEntry = Exclude<MenuEntry, { readonly separator: true } | { readonly native: unknown }>;

function isItem(entry: MenuEntry): entry is ItemEntry {
  return 'command' in entry || 'submenu' in entry;
}

/** "File" with its access key underlined. */
function titleWithAccessKey(label: string): ReactNode {
  const at = label.indexOf('&');
  if (at < 0 || at === label.length - 1) return label;
  return (
    <>
      {label.slice(0, at)}
      <span className="nb-menubar-key">{label[at + 1]}</span>
      {label.slice(at + 2)}
    </>
  );
}

interface MenuProps {
  readonly items: readonly MenuEntry[];
  readonly label: string;
  readonly state: CommandState;
  /** The element the menu hangs from: below it (top-level menu) or beside it (submenu). */
  readonly anchor: HTMLElement | null;
  readonly placement: 'below' | 'beside';
  readonly focusOnOpen: FocusOnOpen;
  /** Run a command: the menu bar closes first, then runs it. */
  onRun(command: CommandId): void;
  /** Escape or ← in a submenu: close this menu and give the focus back to whatever opened it. */
  onBack(): void;
  /** ← / → outside a submenu: the menu bar moves to the neighbouring menu. */
  onNeighbour(step: -1 | 1): void;
  /** Tab: close everything and let the focus move on. */
  onCloseAll(): void;
}

/** One open menu (exported for the tests that draw it). */
export function Menu({ items, label, state, anchor, placement, focusOnOpen, onRun, onBack, onNeighbour, onCloseAll }: MenuProps) {
  const menuRef = useRef<HTMLDivElement>(null);
  const itemRefs = useRef<(HTMLDivElement | null)[]>([]);
  const focusable = useMemo(() => items.filter(isItem), [items]);
  const [submenu, setSubmenu] = useState<{ index: number; focus: FocusOnOpen }>();

  // The toolbar scrolls sideways and clips what overflows it: the menu is fixed, placed from its anchor's box before
  // it is painted (set on the element, so it is visible, and focusable, from its first frame).
  useLayoutEffect(() => {
    const menu = menuRef.current;
    if (!anchor || !menu) return;
    const box = anchor.getBoundingClientRect();
    const { width, height } = menu.getBoundingClientRect();
    let left = placement === 'below' ? box.left : box.right - 2;
    let top = placement === 'below' ? box.bottom + 2 : box.top - 5;
    // Keep it on screen: a submenu flips to the left of its parent, a tall menu moves up.
    if (left + width > window.innerWidth - 4) left = placement === 'beside' ? Math.max(4, box.left - width + 2) : Math.max(4, window.innerWidth - width - 4);
    if (top + height > window.innerHeight - 4) top = Math.max(4, window.innerHeight - height - 4);
    menu.style.left = `${Math.round(left)}px`;
    menu.style.top = `${Math.round(top)}px`;
  }, [anchor, placement]);

  useEffect(() => {
    if (focusOnOpen === 'none') menuRef.current?.focus({ preventScroll: true });
    else itemRefs.current[focusOnOpen === 'first' ? 0 : focusable.length - 1]?.focus({ preventScroll: true });
    // Only when the menu opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const focusAt = (index: number) => {
    const count = focusable.length;
    itemRefs.current[((index % count) + count) % count]?.focus({ preventScroll: true });
  };
  const focusedIndex = () => itemRefs.current.findIndex((el) => el !== null && el === document.activeElement);

  const activate = (index: number, focus: FocusOnOpen) => {
    const entry = focusable[index];
    if (!entry) return;
    if ('submenu' in entry) setSubmenu({ index, focus });
    else onRun(entry.command);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys pressed in a menu are the menu's: none reaches the canvas shortcuts.
    e.stopPropagation();
    if (e.key === 'Tab') {
      onCloseAll();
      return;
    }
    const current = focusedIndex();
    const entry = current >= 0 ? focusable[current] : undefined;
    const handled = (() => {
      switch (e.key) {
        case 'ArrowDown':
          focusAt(current + 1);
          return true;
        case 'ArrowUp':
          focusAt(current < 0 ? -1 : current - 1);
          return true;
        case 'Home':
          focusAt(0);
          return true;
        case 'End':
          focusAt(-1);
          return true;
        case 'Enter':
        case ' ':
          if (current >= 0) activate(current, 'first');
          return true;
        case 'ArrowRight':
          if (entry && 'submenu' in entry) activate(current, 'first');
          else onNeighbour(1);
          return true;
        case 'ArrowLeft':
          if (placement === 'beside') onBack();
          else onNeighbour(-1);
          return true;
        case 'Escape':
          onBack();
          return true;
        default: {
          // Typing a letter jumps to the next item whose label starts with it.
          if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) return false;
          const letter = e.key.toLowerCase();
          for (let step = 1; step <= focusable.length; step++) {
            const index = (current + step) % focusable.length;
            const item = focusable[index]!;
            const text = 'command' in item ? COMMANDS[item.command].label : item.submenu;
            if (text.toLowerCase().startsWith(letter)) {
              focusAt(index);
              break;
            }
          }
          return true;
        }
      }
    })();
    if (handled) e.preventDefault();
  };

  let index = -1;
  return (
    <div
      ref={menuRef}
      role="menu"
      aria-label={label}
      tabIndex={-1}
      className="nb-menu"
      onKeyDown={onKeyDown}
    >
      {items.map((entry, i) => {
        if ('separator' in entry) return <div key={`sep-${i}`} role="separator" className="nb-menu-separator" />;
        if (!isItem(entry)) return null;
        const at = ++index;
        const ref = (el: HTMLDivElement | null) => {
          itemRefs.current[at] = el;
        };
        if ('submenu' in entry) {
          const open = submenu?.index === at;
          return (
            <div key={`sub-${entry.submenu}`} role="none" className="nb-menu-slot">
              <div
                ref={ref}
                role="menuitem"
                tabIndex={-1}
                aria-haspopup="menu"
                aria-expanded={open}
                className="nb-menuitem"
                data-submenu={entry.submenu}
                onMouseEnter={() => {
                  itemRefs.current[at]?.focus({ preventScroll: true });
                  if (!open) setSubmenu({ index: at, focus: 'none' });
                }}
                onClick={() => setSubmenu({ index: at, focus: 'first' })}
              >
                <span className="nb-menuitem-check" aria-hidden />
                <span className="nb-menuitem-label">{entry.submenu}</span>
                <span className="nb-menuitem-key" aria-hidden />
                <span className="nb-menuitem-arrow" aria-hidden>
                  ▸
                </span>
              </div>
              {open ? (
                <Menu
                  items={entry.items}
                  label={entry.submenu}
                  state={state}
                  anchor={itemRefs.current[at] ?? null}
                  placement="beside"
                  focusOnOpen={submenu.focus}
                  onRun={onRun}
                  onBack={() => {
                    setSubmenu(undefined);
                    itemRefs.current[at]?.focus({ preventScroll: true });
                  }}
                  onNeighbour={onNeighbour}
                  onCloseAll={onCloseAll}
                />
              ) : null}
            </div>
          );
        }
        const { command } = entry;
        const handler = COMMAND_HANDLERS[command];
        const enabled = handler.enabledWhen?.(state) ?? true;
        const checked = handler.checked?.(state);
        const shortcut = commandShortcut(command);
        return (
          <div
            key={command}
            ref={ref}
            role={checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
            aria-checked={checked}
            aria-disabled={enabled === true ? undefined : true}
            aria-keyshortcuts={shortcut}
            tabIndex={-1}
            className="nb-menuitem"
            data-command={command}
            title={enabled === true ? undefined : enabled}
            onMouseEnter={() => {
              itemRefs.current[at]?.focus({ preventScroll: true });
              setSubmenu(undefined);
            }}
            onClick={() => onRun(command)}
          >
            <span className="nb-menuitem-check" aria-hidden>
              {checked ? '✓' : ''}
            </span>
            <span className="nb-menuitem-label">{COMMANDS[command].label}</span>
            {/* Named by aria-keyshortcuts, so the item's name is its label alone. */}
            <span className="nb-menuitem-key" aria-hidden>
              {shortcut ?? ''}
            </span>
            <span className="nb-menuitem-arrow" aria-hidden />
          </div>
        );
      })}
    </div>
  );
}

export function MenuBar({ state }: { readonly state: CommandState }) {
  const menus = useMemo(() => pageMenus(), []);
  const barRef = useRef<HTMLDivElement>(null);
  const topRefs = useRef<(HTMLButtonElement | null)[]>([]);
  /** The menu shown, and where its focus starts. */
  const [open, setOpen] = useState<{ index: number; focus: FocusOnOpen }>();
  /** The top item in the tab order (roving tabindex). */
  const [active, setActive] = useState(0);
  /** Where the focus was before the menu bar took it: a command run from a menu gives it back there. */
  const returnFocus = useRef<HTMLElement | null>(null);

  const openMenu = useCallback((index: number, focus: FocusOnOpen) => {
    const count = menus.length;
    const wrapped = ((index % count) + count) % count;
    const focused = document.activeElement;
    if (focused instanceof HTMLElement && !barRef.current?.contains(focused)) returnFocus.current = focused;
    setActive(wrapped);
    setOpen({ index: wrapped, focus });
  }, [menus.length]);

  const close = useCallback((focusTop: boolean) => {
    setOpen(undefined);
    if (focusTop) topRefs.current[active]?.focus({ preventScroll: true });
  }, [active]);

  const run = (command: CommandId) => {
    setOpen(undefined);
    const back = returnFocus.current;
    returnFocus.current = null;
    if (back?.isConnected) back.focus({ preventScroll: true });
    else if (barRef.current?.contains(document.activeElement)) (document.activeElement as HTMLElement).blur();
    runCommand(command, { source: 'menubar' });
  };

  // A press outside closes the menu (the press then does what it does there).
  useEffect(() => {
    if (!open) return;
    const onPointerDown = (e: PointerEvent) => {
      if (barRef.current?.contains(e.target as Node)) return;
      returnFocus.current = null;
      setOpen(undefined);
    };
    const onBlur = () => setOpen(undefined);
    document.addEventListener('pointerdown', onPointerDown, true);
    window.addEventListener('blur', onBlur);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      window.removeEventListener('blur', onBlur);
    };
  }, [open]);

  // Alt + a menu's underlined letter opens it, wherever the focus is.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || viewStore.getState().dialog) return;
      const index = menus.findIndex((menu) => menuAccessKey(menu.label) === e.key.toLowerCase());
      if (index < 0) return;
      e.preventDefault();
      openMenu(index, 'first');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menus, openMenu]);

  const onTopKeyDown = (e: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const step = (to: number) => {
      const next = ((to % menus.length) + menus.length) % menus.length;
      setActive(next);
      topRefs.current[next]?.focus({ preventScroll: true });
    };
    switch (e.key) {
      case 'ArrowRight':
        step(index + 1);
        break;
      case 'ArrowLeft':
        step(index - 1);
        break;
      case 'Home':
        step(0);
        break;
      case 'End':
        step(-1);
        break;
      case 'ArrowDown':
      case 'Enter':
      case ' ':
        openMenu(index, 'first');
        break;
      case 'ArrowUp':
        openMenu(index, 'last');
        break;
      case 'Escape':
        if (!open) return;
        close(true);
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div ref={barRef} role="menubar" aria-label="Menu bar" className="nb-menubar">
      {menus.map((menu, index) => {
        const title = menuTitle(menu.label);
        const isOpen = open?.index === index;
        return (
          <div key={menu.label} role="none" className="nb-menu-slot">
            <button
              ref={(el) => {
                topRefs.current[index] = el;
              }}
              type="button"
              role="menuitem"
              aria-haspopup="menu"
              aria-expanded={isOpen}
              tabIndex={index === active ? 0 : -1}
              className="nb-menubar-item"
              data-menu={title}
              onKeyDown={(e) => onTopKeyDown(e, index)}
              onClick={() => (isOpen ? close(false) : openMenu(index, 'first'))}
              onMouseEnter={() => {
                if (open && !isOpen) openMenu(index, 'none');
              }}
            >
              {titleWithAccessKey(menu.label)}
            </button>
            {isOpen ? (
              <Menu
                items={menu.items}
                label={title}
                state={state}
                anchor={topRefs.current[index] ?? null}
                placement="below"
                focusOnOpen={open.focus}
                onRun={run}
                onBack={() => close(true)}
                onNeighbour={(step) => {
                  openMenu(index + step, 'first');
                  topRefs.current[((index + step) % menus.length + menus.length) % menus.length]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
                }}
                onCloseAll={() => close(false)}
              />
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
