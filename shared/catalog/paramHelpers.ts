/** Builders for ParamSpecs and typed readers for resolved params, so each layer spec stays short. */
import type {
  BoolParamSpec,
  EnumParamSpec,
  FloatParamSpec,
  IntParamSpec,
  IntsParamSpec,
  ResolvedParams,
} from './spec';

type Common = { label: string; help: string; visibleWhen?: { param: string; values: readonly string[] } };

export function intParam(o: Common & { default: number; min: number; max: number }): IntParamSpec {
  return { kind: 'int', ...o };
}
export function floatParam(o: Common & { default: number; min: number; max: number }): FloatParamSpec {
  return { kind: 'float', ...o };
}
export function enumParam(o: Common & { default: string; options: readonly string[] }): EnumParamSpec {
  return { kind: 'enum', ...o };
}
export function boolParam(o: Common & { default: boolean }): BoolParamSpec {
  return { kind: 'bool', ...o };
}
export function intsParam(
  o: Common & { default: readonly number[]; length?: number; min: number; max: number },
): IntsParamSpec {
  return { kind: 'ints', ...o };
}

// Readers: resolveParams guarantees every declared param is present with the right type, so a wrong type here
// is a programming error in a spec (a param read that the spec never declared) — fail loudly.
export function num(p: ResolvedParams, name: string): number {
  const v = p[name];
  if (typeof v !== 'number') throw new Error(`param '${name}' is not a number`);
  return v;
}
export function str(p: ResolvedParams, name: string): string {
  const v = p[name];
  if (typeof v !== 'string') throw new Error(`param '${name}' is not a string`);
  return v;
}
export function bool(p: ResolvedParams, name: string): boolean {
  const v = p[name];
  if (typeof v !== 'boolean') throw new Error(`param '${name}' is not a boolean`);
  return v;
}
export function ints(p: ResolvedParams, name: string): readonly number[] {
  const v = p[name];
  if (!Array.isArray(v)) throw new Error(`param '${name}' is not a list of integers`);
  return v as readonly number[];
}
export function int2(p: ResolvedParams, name: string): readonly [number, number] {
  const v = ints(p, name);
  return [v[0] ?? 1, v[1] ?? 1];
}
