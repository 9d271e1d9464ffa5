/** The shared modal frame: a backdrop that closes on outside click, and `closeDialog`. */
import type { ReactNode } from 'react';
import { viewStore } from '../store/viewStore';

export function closeDialog(): void {
  viewStore.getState().openDialog(undefined);
}

export function DialogFrame({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="overlay-backdrop" onMouseDown={(e) => e.target === e.currentTarget && closeDialog()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={label}>
        {children}
      </div>
    </div>
  );
}
