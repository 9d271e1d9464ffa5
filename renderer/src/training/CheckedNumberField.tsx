/**
 * A number setting that explains itself: the allowed range under the field, an entry out of range kept as typed and
 * marked invalid with the reason, and the config holding its last valid value until the entry is fixed. The field
 * reports its error upwards (`onValidity`) so Start can wait and say why.
 */
import { useEffect, useId, useState } from 'react';
import { rangeText, typedInto, valueAfterCommit, type NumberFieldState, type NumberRule } from './trainingOptions';

export function CheckedNumberField(props: {
  label: string;
  /** `data-setting` of the field: what e2e tests and the error report name it by. */
  setting: string;
  value: number;
  rule: NumberRule;
  step: number;
  disabled: boolean;
  /** What the setting does, shown on hover. */
  help?: string;
  onChange: (value: number) => void;
  /** Called with the field's error while its entry is refused, and with undefined once it is fixed or gone. */
  onValidity?: (setting: string, error: string | undefined) => void;
  /** Who keeps the last valid value while an entry is refused (default "Training"): "Training keeps 10 until…". */
  keeper?: string;
}) {
  const { label, setting, value, rule, onChange, onValidity } = props;
  const [state, setState] = useState<NumberFieldState>({ text: String(value) });
  const hintId = useId();
  // A change from elsewhere (undo, another file, another kind picked) replaces whatever was typed.
  useEffect(() => setState({ text: String(value) }), [value]);
  useEffect(() => {
    onValidity?.(setting, state.error);
    return () => onValidity?.(setting, undefined);
  }, [onValidity, setting, state.error]);
  const type = (text: string) => setState(typedInto(text, rule, label));
  const commit = (text: string) => {
    const next = valueAfterCommit(text, rule, value);
    if (next !== value) onChange(next);
  };
  return (
    <div className="nb-option-field" data-setting={setting}>
      <label className="nb-field" title={help(props.help, rule)}>
        <span>{label}</span>
        <input
          type="number"
          value={state.text}
          step={props.step}
          min={rule.min}
          max={rule.max}
          disabled={props.disabled}
          aria-invalid={state.error ? true : undefined}
          aria-describedby={hintId}
          onChange={(e) => type(e.target.value)}
          onBlur={(e) => commit(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && commit((e.target as HTMLInputElement).value)}
        />
      </label>
      {state.error ? (
        <p id={hintId} className="nb-field-error" role="alert" data-invalid={setting}>
          {state.error}. {props.keeper ?? 'Training'} keeps {value} until this is fixed.
        </p>
      ) : (
        <p id={hintId} className="nb-field-range">
          {rangeText(rule)}
        </p>
      )}
    </div>
  );
}

function help(text: string | undefined, rule: NumberRule): string {
  return text ? `${text} (${rangeText(rule)})` : rangeText(rule);
}
