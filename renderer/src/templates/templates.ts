/**
 * Starting points for New: a blank graph plus the example files themselves (examples/*.nbrick, bundled as text and
 * parsed with the same loader as any file), so a template and its example can never drift apart.
 */
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import type { GraphFile } from '../../../shared/format/graphFileSchema';

const sources = import.meta.glob<string>('../../../examples/*.nbrick', { query: '?raw', import: 'default', eager: true });

export interface Template {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** undefined = blank graph. */
  readonly file?: GraphFile;
  readonly error?: string;
}

/** Preferred order and titles for the known examples; unknown files follow, titled from their metadata. */
const KNOWN: readonly { id: string; title: string }[] = [
  { id: 'xor', title: 'XOR MLP' },
  { id: 'spirals', title: 'Spirals MLP' },
  { id: 'mnist-mlp', title: 'MNIST MLP' },
  { id: 'lenet', title: 'LeNet' },
  { id: 'resnet-mini', title: 'ResNet-mini' },
  { id: 'nf-resnet-mini', title: 'NF-ResNet-mini' },
  { id: 'autoencoder', title: 'Autoencoder' },
  { id: 'inception-branches', title: 'Inception branches' },
];

function idOf(path: string): string {
  return path.split('/').pop()!.replace(/\.nbrick$/, '');
}

export function listTemplates(): Template[] {
  const fromFiles = Object.entries(sources).map(([path, text]): Template => {
    const id = idOf(path);
    const result = loadGraphFile(text);
    const known = KNOWN.find((k) => k.id === id);
    if (!result.ok) return { id, title: known?.title ?? id, description: '', error: result.error.message };
    const meta = result.file.graph.metadata;
    return { id, title: known?.title ?? meta.name, description: meta.description ?? '', file: result.file };
  });
  const rank = (t: Template) => {
    const i = KNOWN.findIndex((k) => k.id === t.id);
    return i < 0 ? KNOWN.length : i;
  };
  fromFiles.sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  return [{ id: 'blank', title: 'Blank', description: 'An empty canvas.' }, ...fromFiles];
}
