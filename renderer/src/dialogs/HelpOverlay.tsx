/** The `?` overlay listing every shortcut. */
import { DialogFrame, closeDialog } from './DialogFrame';
import { SHORTCUTS } from './shortcutList';

export function HelpOverlay() {
  return (
    <DialogFrame label="Keyboard shortcuts">
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
        <button type="button" className="btn" onClick={closeDialog} autoFocus>
          Close
        </button>
      </p>
    </DialogFrame>
  );
}
