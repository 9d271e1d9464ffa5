/**
 * The browser's stand-ins for native open/save dialogs, built on <dialog> so they are modal, keyboard-friendly
 * and need no framework. Open lists the workspace and the templates and offers an upload; Save As asks for a name.
 */
import type { FileEntry } from '../../../shared/contracts/api';

export type OpenChoice =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'upload'; readonly name: string; readonly text: string };

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function showDialog<T>(label: string, build: (finish: (value: T | null) => void) => Node[]): Promise<T | null> {
  return new Promise((resolve) => {
    const dialog = element('dialog', { className: 'nb-file-dialog' });
    dialog.setAttribute('aria-label', label);
    let done = false;
    const finish = (value: T | null) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('cancel', () => finish(null));
    dialog.addEventListener('close', () => finish(null));
    dialog.append(element('h2', { textContent: label }), ...build(finish));
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function pickFileToOpen(entries: readonly FileEntry[]): Promise<OpenChoice | null> {
  return showDialog<OpenChoice>('Open a graph', (finish) => {
    const section = (title: string, items: readonly FileEntry[]) => {
      if (items.length === 0) return [];
      const list = element(
        'ul',
        { className: 'nb-file-list' },
        items.map((entry) =>
          element('li', {}, [
            element('button', {
              type: 'button',
              textContent: entry.name,
              title: entry.path,
              onclick: () => finish({ kind: 'path', path: entry.path }),
            }),
          ]),
        ),
      );
      return [element('h3', { textContent: title }), list];
    };
    const upload = element('input', { type: 'file', accept: '.nbrick,application/json' });
    upload.setAttribute('aria-label', 'Upload a .nbrick file');
    upload.addEventListener('change', () => {
      const file = upload.files?.[0];
      if (!file) return;
      void file.text().then((text) => finish({ kind: 'upload', name: file.name, text }));
    });
    const own = entries.filter((e) => !e.readOnly);
    return [
      ...(own.length === 0 ? [element('p', { textContent: 'No saved graphs in your workspace yet.' })] : []),
      ...section('Your workspace', own),
      ...section('Templates (read-only)', entries.filter((e) => e.readOnly)),
      element('h3', { textContent: 'From this computer' }),
      upload,
      element('div', { className: 'nb-dialog-buttons' }, [
        element('button', { type: 'button', textContent: 'Cancel', onclick: () => finish(null) }),
      ]),
    ];
  });
}

/** A workspace file name, or `download` to save a copy through the browser instead. */
export type SaveChoice = { readonly kind: 'workspace'; readonly name: string } | { readonly kind: 'download'; readonly name: string };

export function pickSaveName(suggested: string, existing: readonly string[]): Promise<SaveChoice | null> {
  return showDialog<SaveChoice>('Save graph as', (finish) => {
    const input = element('input', { type: 'text', value: suggested.replace(/\.nbrick$/i, ''), required: true });
    input.setAttribute('aria-label', 'File name');
    const warning = element('p', { className: 'nb-dialog-warning', role: 'status' } as Partial<HTMLParagraphElement>);
    const fileName = () => `${input.value.trim().replace(/\.nbrick$/i, '')}.nbrick`;
    const update = () => {
      warning.textContent = existing.includes(fileName()) ? `${fileName()} exists and will be replaced.` : '';
    };
    input.addEventListener('input', update);
    update();
    const form = element('form', { method: 'dialog' }, [
      element('label', { textContent: 'Name ' }, [input]),
      warning,
      element('div', { className: 'nb-dialog-buttons' }, [
        element('button', {
          type: 'button',
          textContent: 'Download a copy',
          title: 'Save the file through the browser (e.g. to a USB stick) instead of the workspace',
          onclick: () => finish({ kind: 'download', name: fileName() }),
        }),
        element('button', { type: 'button', textContent: 'Cancel', onclick: () => finish(null) }),
        element('button', { type: 'submit', textContent: 'Save' }),
      ]),
    ]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (input.value.trim() !== '') finish({ kind: 'workspace', name: fileName() });
    });
    queueMicrotask(() => input.select());
    return [form];
  });
}
