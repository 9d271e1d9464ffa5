import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, MigrationError, migrateToCurrent, type JsonObject } from './migrations';
import { CURRENT_FORMAT_VERSION } from './graphFileSchema';
import { deepFreeze } from '../document/deepFreeze';

const v0 = (): JsonObject => JSON.parse(readFileSync(new URL('./fixtures/v0.nbrick', import.meta.url), 'utf8'));

describe('migrations registry', () => {
  it('is a contiguous chain from 0 to the current version with unique names', () => {
    MIGRATIONS.forEach((m, i) => {
      expect(m.from).toBe(i);
      expect(m.to).toBe(i + 1);
      expect(m.id).toMatch(new RegExp(`^v${m.to}/[A-Z]\\w+$`));
    });
    expect(MIGRATIONS.at(-1)?.to).toBe(CURRENT_FORMAT_VERSION);
    expect(new Set(MIGRATIONS.map((m) => m.id)).size).toBe(MIGRATIONS.length);
  });

  it('has a fixture for every version it can read', () => {
    for (let v = 0; v <= CURRENT_FORMAT_VERSION; v++) {
      const text = readFileSync(new URL(`./fixtures/v${v}.nbrick`, import.meta.url), 'utf8');
      expect(JSON.parse(text).formatVersion).toBe(v);
    }
  });

  it('does not mutate its input and sets formatVersion', () => {
    const input = deepFreeze(v0());
    const out = migrateToCurrent(input, 0);
    expect(out['formatVersion']).toBe(CURRENT_FORMAT_VERSION);
    expect(input['formatVersion']).toBe(0);
    expect((input['graph'] as JsonObject)['layers']).toBeDefined();
  });

  it('reports shapes it cannot read with a path', () => {
    const broken = { ...v0(), graph: { name: 'x', layers: 'nope' } };
    try {
      migrateToCurrent(broken, 0);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MigrationError);
      expect((e as MigrationError).path).toEqual(['graph', 'layers']);
    }
  });

  it('v0 edges without a handle go to port 0; "in-N" to port N', () => {
    const out = migrateToCurrent(v0(), 0);
    const edges = (out['graph'] as JsonObject)['edges'] as JsonObject[];
    expect(edges.map((e) => e['targetPort'])).toEqual([0, 0, 0, 1, 0]);
    expect(edges.every((e) => !('targetHandle' in e))).toBe(true);
  });
});
