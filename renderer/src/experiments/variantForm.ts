/** The "Compare variants" form as plain data, and the toggles it stands for (pure, tested without a DOM). */
import type { ActivationName } from '../../../shared/catalog/activations';
import type { GroupId } from '../../../shared/document/model';
import type { VariantToggle } from '../../../shared/experiments/variants';

export interface VariantForm {
  readonly noSkips: boolean;
  readonly noNorms: boolean;
  readonly activation: { readonly enabled: boolean; readonly from: ActivationName; readonly to: ActivationName };
  readonly depth: { readonly enabled: boolean; readonly groupId: GroupId | ''; readonly repeats: number };
  /** Comma lists as typed, e.g. "0.1, 0.01". */
  readonly learningRates: string;
  readonly seeds: string;
}

export const EMPTY_FORM: VariantForm = {
  noSkips: false,
  noNorms: false,
  activation: { enabled: false, from: 'relu', to: 'leakyRelu' },
  depth: { enabled: false, groupId: '', repeats: 2 },
  learningRates: '',
  seeds: '',
};

/** A comma list of numbers; `error` names the first entry that is not one. */
export function parseNumberList(text: string, integer: boolean): { values: number[]; error?: string } {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const values: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return { values, error: `'${part}' is not ${integer ? 'a whole number' : 'a number'}` };
    values.push(n);
  }
  return { values };
}

export interface FormToggles {
  readonly toggles: VariantToggle[];
  /** Entries the form cannot turn into toggles (a bad number in a list), by field. */
  readonly errors: { readonly field: 'learningRates' | 'seeds' | 'depth'; readonly message: string }[];
}

export function togglesFromForm(form: VariantForm): FormToggles {
  const toggles: VariantToggle[] = [];
  const errors: FormToggles['errors'] = [];
  if (form.noSkips) toggles.push({ kind: 'no-skips' });
  if (form.noNorms) toggles.push({ kind: 'no-norms' });
  if (form.depth.enabled) {
    if (form.depth.groupId === '') errors.push({ field: 'depth', message: 'choose a block to repeat' });
    else toggles.push({ kind: 'depth', groupId: form.depth.groupId, repeats: form.depth.repeats });
  }
  if (form.activation.enabled) toggles.push({ kind: 'activation', from: form.activation.from, to: form.activation.to });
  const lr = parseNumberList(form.learningRates, false);
  if (lr.error) errors.push({ field: 'learningRates', message: `learning rates: ${lr.error}` });
  else if (lr.values.length > 0) toggles.push({ kind: 'learningRate', values: lr.values });
  const seeds = parseNumberList(form.seeds, true);
  if (seeds.error) errors.push({ field: 'seeds', message: `seeds: ${seeds.error}` });
  else if (seeds.values.length > 0) toggles.push({ kind: 'seed', values: seeds.values });
  return { toggles, errors };
}

/** A colour per variant, distinct on white and dark backgrounds (Tableau 10). */
export const VARIANT_COLORS = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

export function variantColor(index: number): string {
  return VARIANT_COLORS[index % VARIANT_COLORS.length]!;
}
