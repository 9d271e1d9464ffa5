/**
 * One typed control per ParamSpec kind: numbers with their range, enums as selects, booleans as checkboxes, tuples
 * as one number box per element. Values go to the document on every keystroke (live re-inference); a whole typing
 * run in one field is one undo step (the store coalesces by field).
 */
import { useEffect, useId, useState } from 'react';
import type { ParamSpec, ParamValue } from '../../../shared/catalog/spec';
import { checkParam } from '../../../shared/catalog/resolveParams';
import { rangeText } from './rangeText';

export interface ParamFieldProps {
  readonly name: string;
  readonly spec: ParamSpec;
  /** undefined = mixed values across a multi-selection. */
  readonly value: ParamValue | undefined;
  readonly mixed: boolean;
  /** Message from the analysis for this param, if any. */
  readonly issue?: string;
  onChange(value: ParamValue | undefined): void;
  onCommit(): void;
}

function NumberBox(props: {
  id?: string;
  value: number | undefined;
  integer: boolean;
  min: number;
  max: number;
  label: string;
  placeholder?: string;
  onChange(v: number | undefined): void;
  onCommit(): void;
}) {
  const [draft, setDraft] = useState(props.value === undefined ? '' : String(props.value));
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    if (!focused) setDraft(props.value === undefined ? '' : String(props.value));
  }, [props.value, focused]);
  return (
    <input
      id={props.id}
      type="number"
      inputMode={props.integer ? 'numeric' : 'decimal'}
      step={props.integer ? 1 : 'any'}
      min={props.min}
      max={props.max}
      aria-label={props.label}
      placeholder={props.placeholder}
      value={draft}
      onFocus={() => setFocused(true)}
      onBlur={() => {
        setFocused(false);
        props.onCommit();
      }}
      onChange={(e) => {
        setDraft(e.target.value);
        const text = e.target.value.trim();
        if (text === '') return;
        const n = Number(text);
        if (Number.isFinite(n)) props.onChange(n);
      }}
    />
  );
}

export function ParamField({ name, spec, value, mixed, issue, onChange, onCommit }: ParamFieldProps) {
  const id = useId();
  const localProblem = value === undefined || mixed ? undefined : checkParam(spec, value);
  const message = issue ?? (localProblem ? `${spec.label} ${localProblem}` : undefined);
  const invalid = message !== undefined;
  const helpId = `${id}-help`;
  switch (spec.kind) {
    case 'bool':
      return (
        <div className={`field checkbox${invalid ? ' invalid' : ''}`} data-param={name}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            ref={(el) => {
              if (el) el.indeterminate = mixed;
            }}
            aria-describedby={helpId}
            onChange={(e) => {
              onChange(e.target.checked);
              onCommit();
            }}
          />
          <label htmlFor={id} title={spec.help}>
            {spec.label}
          </label>
          <span id={helpId} className="help" style={{ marginLeft: 'auto', maxWidth: '60%', textAlign: 'right' }}>
            {spec.help}
          </span>
        </div>
      );
    case 'enum':
      return (
        <div className={`field${invalid ? ' invalid' : ''}`} data-param={name}>
          <label htmlFor={id}>{spec.label}</label>
          <select
            id={id}
            value={mixed ? '' : typeof value === 'string' ? value : spec.default}
            aria-describedby={helpId}
            onChange={(e) => {
              onChange(e.target.value);
              onCommit();
            }}
          >
            {mixed ? <option value="">(mixed)</option> : null}
            {spec.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          <span id={helpId} className="help">
            {spec.help}
          </span>
          {message ? <span className="field-error">{message}</span> : null}
        </div>
      );
    case 'int':
    case 'float':
      return (
        <div className={`field${invalid ? ' invalid' : ''}`} data-param={name}>
          <label htmlFor={id}>
            {spec.label} <span className="range">{rangeText(spec)}</span>
          </label>
          <NumberBox
            id={id}
            label={spec.label}
            value={typeof value === 'number' ? value : undefined}
            integer={spec.kind === 'int'}
            min={spec.min}
            max={spec.max}
            {...(mixed ? { placeholder: '(mixed)' } : {})}
            onChange={onChange}
            onCommit={onCommit}
          />
          <span id={helpId} className="help">
            {spec.help}
          </span>
          {message ? <span className="field-error">{message}</span> : null}
        </div>
      );
    case 'ints': {
      const current = Array.isArray(value) ? (value as readonly number[]) : mixed ? undefined : spec.default;
      const length = spec.length ?? current?.length ?? spec.default.length;
      const cells = Array.from({ length }, (_, i) => current?.[i]);
      return (
        <div className={`field${invalid ? ' invalid' : ''}`} data-param={name}>
          <span className="field-label" id={`${id}-label`}>
            {spec.label} <span className="range">{rangeText(spec)}</span>
          </span>
          <div className="tuple" role="group" aria-labelledby={`${id}-label`}>
            {cells.map((cell, i) => (
              <NumberBox
                key={i}
                label={`${spec.label} ${i + 1}`}
                value={cell}
                integer
                min={spec.min}
                max={spec.max}
                {...(mixed ? { placeholder: '(mixed)' } : {})}
                onChange={(n) => {
                  const base = Array.from({ length }, (_, j) => current?.[j] ?? spec.default[j] ?? spec.default[0] ?? 1);
                  base[i] = n ?? base[i]!;
                  onChange(base);
                }}
                onCommit={onCommit}
              />
            ))}
            {spec.length === undefined ? (
              <>
                <button type="button" className="btn" aria-label={`Add a dimension to ${spec.label}`} onClick={() => onChange([...(current ?? []), 1])}>
                  +
                </button>
                {length > 1 ? (
                  <button
                    type="button"
                    className="btn"
                    aria-label={`Remove the last dimension of ${spec.label}`}
                    onClick={() => onChange((current ?? []).slice(0, -1))}
                  >
                    −
                  </button>
                ) : null}
              </>
            ) : null}
          </div>
          <span id={helpId} className="help">
            {spec.help}
          </span>
          {message ? <span className="field-error">{message}</span> : null}
        </div>
      );
    }
  }
}
