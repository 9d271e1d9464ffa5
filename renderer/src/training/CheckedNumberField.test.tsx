import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CheckedNumberField } from './CheckedNumberField';
import { TRAINING_FIELD_RULES } from './trainingOptions';

describe('CheckedNumberField', () => {
  it('shows its allowed range under the field, tied to the input for screen readers', () => {
    const html = renderToStaticMarkup(
      <CheckedNumberField label="Epochs" setting="epochs" value={20} rule={TRAINING_FIELD_RULES.epochs} step={1} disabled={false} onChange={() => {}} />,
    );
    const described = /aria-describedby="([^"]+)"/.exec(html)?.[1];
    expect(described).toBeTruthy();
    expect(html).toContain(`<p id="${described}" class="nb-field-range">whole number, 1–100,000</p>`);
    expect(html).toMatch(/<label class="nb-field" title="whole number, 1–100,000"><span>Epochs<\/span><input type="number"[^>]* value="20"/);
    expect(html).not.toContain('aria-invalid');
  });
});
