import util from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { installNodeUtilShim } from './nodeUtilShim';

const target = util as unknown as Record<string, unknown>;
const saved = target.isNullOrUndefined;

describe('installNodeUtilShim', () => {
  afterEach(() => {
    target.isNullOrUndefined = saved;
  });

  it('restores util.isNullOrUndefined when the running Node removed it (Node >= 23)', () => {
    delete target.isNullOrUndefined;
    expect(installNodeUtilShim()).toContain('isNullOrUndefined');
    const fn = target.isNullOrUndefined as (v: unknown) => boolean;
    expect([fn(null), fn(undefined), fn(0), fn('')]).toEqual([true, true, false, false]);
  });

  it('never replaces helpers that still exist', () => {
    const own = (): boolean => true;
    target.isNullOrUndefined = own;
    expect(installNodeUtilShim()).not.toContain('isNullOrUndefined');
    expect(target.isNullOrUndefined).toBe(own);
  });
});
