/**
 * The browser's stand-ins for native open/save dialogs, built on <dialog> so they are modal, keyboard-friendly
 * and need no framework. Open lists the workspace and the templates and offers an upload; Save As asks for a name.
 */
import type { FileEntry } from '../../../shared/contracts/api';
import { fileNameKey, fileNameProblem, safeFileName } from '../../../shared/format/fileNames';

export type OpenChoice =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'upload'; readonly name: string; readonly text: string }
  /** A `.zip` bundle: the graph with its trained models, opened by the host. */
  | { readonly kind: 'bundle'; readonly name: string; readonly file: Blob };

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
    const upload = element('input', { type: 'file', accept: '.nbrick,.zip,application/json,application/zip' });
    upload.setAttribute('aria-label', 'Upload a .nbrick file or a .zip with trained models');
    upload.addEventListener('change', () => {
      const file = upload.files?.[0];
      if (!file) return;
      if (/\.zip$/i.test(file.name)) return finish({ kind: 'bundle', name: file.name, file });
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

/**
 * A workspace file name, or `download` to save a copy through the browser instead. `overwrite` is the path of the
 * existing file the user agreed to replace; the host refuses to replace anything without it.
 */
export type SaveChoice =
  | { readonly kind: 'workspace'; readonly name: string; readonly overwrite?: string }
  | { readonly kind: 'download'; readonly name: string; readonly withModels?: boolean };

/** Asks before replacing `existing` (a page path such as `workspace/a.nbrick`). */
export function confirmReplace(existing: string): boolean {
  return window.confirm(`"${existing}" already exists. Replace it with this graph?`);
}

/**
 * `existing`: the user's workspace files, so the dialog knows what a name would replace before anything is sent.
 * `offerModels`: the saved file keeps trained models beside it, so a download may carry them (a .zip).
 */
export function pickSaveName(suggested: string, existing: readonly FileEntry[], offerModels = false): Promise<SaveChoice | null> {
  return showDialog<SaveChoice>('Save graph as', (finish) => {
    const input = element('input', { type: 'text', value: suggested.replace(/\.nbrick$/i, ''), required: true });
    input.setAttribute('aria-label', 'File name');
    const warning = element('p', { className: 'nb-dialog-warning', role: 'status' } as Partial<HTMLParagraphElement>);
    // The exact name the host will use, and the file it would replace (names equal but for case are one file on
    // macOS and Windows).
    const fileName = () => safeFileName(input.value.trim());
    const collision = () => existing.find((entry) => fileNameKey(entry.name) === fileNameKey(fileName()));
    const update = () => {
      const taken = collision();
      const problem = fileNameProblem(fileName());
      warning.textContent = problem
        ? `This name cannot be saved: ${problem}`
        : taken
          ? `${taken.name} exists: saving will ask before replacing it.`
          : fileName() !== `${input.value.trim().replace(/\.nbrick$/i, '')}.nbrick`
            ? `Will be saved as ${fileName()}.`
            : '';
    };
    input.addEventListener('input', update);
    update();
    const form = element('form', { method: 'dialog' }, [
      element('label', { textContent: 'Name ' }, [input]),
      warning,
      element('div', { className: 'nb-dialog-buttons' }, [
        element('button', {
          type: 'button',
          textContent: offerModels ? 'Download a copy: graph only (.nbrick)' : 'Download a copy',
          title: 'Save the file through the browser (e.g. to a USB stick) instead of the workspace',
          onclick: () => finish({ kind: 'download', name: fileName() }),
        }),
        ...(offerModels
          ? [
              element('button', {
                type: 'button',
                textContent: 'Download graph + trained models (.zip)',
                title: 'The saved file with the trained models kept beside it, as one zip: unzip it and open the .nbrick',
                onclick: () => finish({ kind: 'download', name: fileName(), withModels: true }),
              }),
            ]
          : []),
        element('button', { type: 'button', textContent: 'Cancel', onclick: () => finish(null) }),
        element('button', { type: 'submit', textContent: 'Save' }),
      ]),
    ]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (input.value.trim() === '' || fileNameProblem(fileName())) return;
      const taken = collision();
      if (!taken) finish({ kind: 'workspace', name: fileName() });
      // Declining keeps the dialog open to choose another name.
      else if (confirmReplace(taken.path)) finish({ kind: 'workspace', name: fileName(), overwrite: taken.path });
    });
    queueMicrotask(() => input.select());
    return [form];
  });
}
