import { describe, expect, it } from 'vitest';
import { describeSchemaError } from './trainer';
import { MAX_PREDICT_VALUES, predictRequestSchema } from './evaluation';
import { findJsonTextOverrun, findPayloadOverrun, MAX_ARRAY_ITEMS, MAX_OBJECT_KEYS } from './payloadBudget';

const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);

describe('findPayloadOverrun', () => {
  it('accepts what legitimate requests contain', () => {
    expect(findPayloadOverrun({ graph: { nodes: [{ params: { units: 8, kernel: [3, 3], act: 'relu', bias: true } }] } })).toBeUndefined();
    expect(findPayloadOverrun({ list: Array(MAX_ARRAY_ITEMS).fill(0), object: keys(MAX_OBJECT_KEYS), deep: nested(32) })).toBeUndefined();
    expect(findPayloadOverrun(undefined)).toBeUndefined();
  });

  it('names the first place over a limit, in the schema issues’ path form', () => {
    expect(findPayloadOverrun({ a: { b: keys(MAX_OBJECT_KEYS + 1) } })).toBe(`a.b: ${MAX_OBJECT_KEYS + 1} keys; the limit for an object is ${MAX_OBJECT_KEYS}`);
    expect(findPayloadOverrun({ a: [0, Array(MAX_ARRAY_ITEMS + 1).fill(0)] })).toMatch(/^a\.1: 100001 items; /);
    expect(findPayloadOverrun({ deep: nested(40) })).toMatch(/^deep(\.0)+: nested more than 32 levels deep$/);
    expect(findPayloadOverrun({ file: { graph: { nodes: [{ params: { t: [1, 'x'] } }] } } })).toMatch(/^file\.graph\.nodes\.0\.params\.t: expected a finite number/);
    expect(findPayloadOverrun({ graph: { edges: Array(20_001).fill({}) } })).toMatch(/^graph\.edges: 20001 items; a graph has at most 20000 edges$/);
  });
});

describe('findJsonTextOverrun', () => {
  it('agrees with the parsed walk on the same limits, ignoring structure inside strings', () => {
    expect(findJsonTextOverrun(JSON.stringify({ s: '{{{[[[:::,,,'.repeat(10_000), o: keys(MAX_OBJECT_KEYS) }))).toBeUndefined();
    expect(findJsonTextOverrun(JSON.stringify({ s: 'a\\"{', l: Array(MAX_ARRAY_ITEMS).fill(0) }))).toBeUndefined();
    expect(findJsonTextOverrun(JSON.stringify({ o: keys(MAX_OBJECT_KEYS + 1) }))).toMatch(/^an object with more than 256 keys \(at character \d+\)/);
    expect(findJsonTextOverrun(JSON.stringify([Array(MAX_ARRAY_ITEMS + 1).fill(0)]))).toMatch(/^a list of more than 100000 items/);
    expect(findJsonTextOverrun(JSON.stringify(nested(33)))).toBeUndefined();
    expect(findJsonTextOverrun(JSON.stringify(nested(34)))).toMatch(/^nested more than 32 levels deep/);
    expect(findJsonTextOverrun(JSON.stringify({ payload: nested(33) }), 1)).toBeUndefined();
    expect(findJsonTextOverrun(JSON.stringify({ payload: nested(34) }), 1)).toMatch(/nested/);
  });
});

describe('the predict request and the payload budget', () => {
  const request = (count: number) => ({ runId: 'run-1', path: null, shape: [1], values: Array<number>(count).fill(0.5) });

  it('agree: the largest predict request the schema accepts passes the budget, in text and parsed', () => {
    const largest = request(MAX_PREDICT_VALUES);
    expect(predictRequestSchema.safeParse(largest).success).toBe(true);
    expect(findPayloadOverrun(largest)).toBeUndefined();
    expect(findJsonTextOverrun(JSON.stringify({ type: 'request', id: 1, method: 'predict', payload: largest }), 1)).toBeUndefined();
  });

  it('refuse one value more, each naming the limit', () => {
    const over = request(MAX_PREDICT_VALUES + 1);
    const parsed = predictRequestSchema.safeParse(over);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeSchemaError(parsed.error)).toBe(`values: at most ${MAX_PREDICT_VALUES} values per request; predict a larger batch in parts`);
    expect(findPayloadOverrun(over)).toBe(`values: ${MAX_PREDICT_VALUES + 1} items; the limit for a list is ${MAX_PREDICT_VALUES}`);
    expect(findJsonTextOverrun(JSON.stringify(over))).toMatch(new RegExp(`the limit for a list is ${MAX_PREDICT_VALUES}$`));
  });
});
