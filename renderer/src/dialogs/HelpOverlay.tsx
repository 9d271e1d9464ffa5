/**
 * The `?` overlay: every command by menu with its shortcuts, from the command catalog, then the mouse gestures. It
 * opens at the top with the focus on its Close button (the first thing in it), so the list reads from the start.
 */
import { useLayoutEffect, useRef } from 'react';
import { DialogFrame, closeDialog } from './DialogFrame';
import { GESTURES, helpSections } from './shortcutList';
import { isMac } from '../commands/host';
import '../commands/commands.css';

export function HelpOverlay() {
  const close = useRef<HTMLButtonElement>(null);
  const sections = helpSections(isMac());
  useLayoutEffect(() => {
    const button = close.current;
    button?.focus({ preventScroll: true });
    const dialog = button?.closest('.dialog');
    if (dialog) dialog.scrollTop = 0;
  }, []);
  return (
    <DialogFrame label="Keyboard shortcuts">
      <div className="nb-help-head">
        <h2 id="nb-help-title">Keyboard shortcuts</h2>
        <button ref={close} type="button" className="btn nb-help-close" onClick={closeDialog} aria-label="Close" title="Close (Escape)">
          ×
        </button>
      </div>
      {sections.map((section) => (
        <section key={section.title} className="nb-help-section" aria-label={`${section.title} commands`}>
          <h3>{section.title}</h3>
          <dl className="shortcut-list">
            {section.rows.map((row) => (
              <div key={row.command} style={{ display: 'contents' }} data-command={row.command}>
                <dt data-keys={row.keys.join(' / ')}>
                  {row.keys.map((key, i) => (
                    <span key={key}>
                      {i > 0 ? ' / ' : null}
                      <kbd>{key}</kbd>
                    </span>
                  ))}
                </dt>
                <dd>{row.text}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <section className="nb-help-section" aria-label="Mouse gestures">
        <h3>Mouse</h3>
        <dl className="shortcut-list">
          {GESTURES.map(([gesture, what]) => (
            <div key={gesture} style={{ display: 'contents' }}>
              <dt>{gesture}</dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </section>
    </DialogFrame>
  );
}
