/** The modal layer: help overlay, New-from-template, New-from-data, Export, Import, quick-add, repeat ×N — one at a time, Escape closes. */
import { useEffect } from 'react';
import { DataDialog } from '../data/DataDialog';
import { ExportDialog } from '../interop/ExportDialog';
import { ImportDialog } from '../interop/ImportDialog';
import { useViewStore, type Dialog } from '../store/viewStore';
import { closeDialog } from './DialogFrame';
import { HelpOverlay } from './HelpOverlay';
import { QuickAdd } from './QuickAdd';
import { RepeatDialog } from './RepeatDialog';
import { TemplatesDialog } from './TemplatesDialog';

export function Dialogs() {
  const dialog = useViewStore((s) => s.dialog);
  useEffect(() => {
    if (!dialog) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeDialog();
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
    case 'data':
      return <DataDialog />;
    case 'export':
      return <ExportDialog {...(dialog.runId ? { runId: dialog.runId } : {})} {...(dialog.format ? { format: dialog.format } : {})} />;
    case 'import':
      return <ImportDialog />;
    case 'quickAdd':
      return <QuickAdd screen={dialog.screen} />;
    case 'repeat':
      return <RepeatDialog groupId={dialog.groupId} />;
  }
}
