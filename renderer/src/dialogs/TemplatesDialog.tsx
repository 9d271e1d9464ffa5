/** New graph: Blank or one of the example files (see templates/templates.ts). */
import { useMemo } from 'react';
import { emptyDocument } from '../../../shared/document/model';
import { documentStore } from '../store/documentStore';
import { listTemplates } from '../templates/templates';
import { DialogFrame, closeDialog } from './DialogFrame';

export function TemplatesDialog() {
  const templates = useMemo(() => listTemplates(), []);
  const choose = (id: string) => {
    const t = templates.find((x) => x.id === id);
    if (!t) return;
    const { dirty } = documentStore.getState();
    if (dirty && !window.confirm('Discard unsaved changes to this graph?')) return;
    documentStore.getState().replaceFile(t.file ?? { graph: emptyDocument('Untitled') });
    closeDialog();
  };
  return (
    <DialogFrame label="New graph">
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
    </DialogFrame>
  );
}
