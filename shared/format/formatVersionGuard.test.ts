/**
 * Guards the format-version policy (migrations.ts): the schema of a released format version never changes. Adding a
 * field — even an optional one, as `training.workers` once was — makes files that an older build of the same version
 * rejects as "invalid"; bumping the version makes that build say "made by a newer version" instead. So the exact
 * JSON Schema of every version is recorded in `fixtures/schema-v<N>.json`, and this test fails when the current
 * schema drifts from its record.
 *
 * After a deliberate change: bump CURRENT_FORMAT_VERSION, append a migration, keep a fixture `fixtures/v<N-1>.nbrick`
 * of the old shape, then record the new schema with
 *   NB_RECORD_SCHEMA=1 npx vitest run shared/format/formatVersionGuard.test.ts
 * (recording never overwrites an existing version's record).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CURRENT_FORMAT_VERSION, graphFileSchema } from './graphFileSchema';

const recordUrl = (version: number) => new URL(`./fixtures/schema-v${version}.json`, import.meta.url);
const currentSchema = () => `${JSON.stringify(z.toJSONSchema(graphFileSchema, { unrepresentable: 'any' }), null, 2)}\n`;

describe('format version policy', () => {
  it(`the schema of format version ${CURRENT_FORMAT_VERSION} is the one recorded for it`, () => {
    const url = recordUrl(CURRENT_FORMAT_VERSION);
    const schema = currentSchema();
    if (!existsSync(url)) {
      if (process.env['NB_RECORD_SCHEMA'] === '1') writeFileSync(url, schema);
      else expect.fail(`no record of format version ${CURRENT_FORMAT_VERSION}'s schema: run with NB_RECORD_SCHEMA=1 once`);
    }
    const recorded = readFileSync(url, 'utf8');
    if (recorded !== schema) {
      expect.fail(
        `graphFileSchema changed but CURRENT_FORMAT_VERSION is still ${CURRENT_FORMAT_VERSION}: files written now would be ` +
          `"invalid" to builds that read version ${CURRENT_FORMAT_VERSION}. Bump the version, append a migration and a ` +
          `fixture v${CURRENT_FORMAT_VERSION}.nbrick (see migrations.ts), then record the new schema (see this file's comment).`,
      );
    }
  });

  it('a file of a newer version is refused as newer, never as invalid', async () => {
    const { loadGraphFile } = await import('./loadGraphFile');
    const v = CURRENT_FORMAT_VERSION;
    const fixture = JSON.parse(readFileSync(new URL(`./fixtures/v${v}.nbrick`, import.meta.url), 'utf8'));
    // A newer build added a field somewhere: this build must still say "newer", not "unknown field".
    const newer = { ...fixture, formatVersion: v + 1, graph: { ...fixture.graph, somethingNew: [1, 2, 3] } };
    const result = loadGraphFile(JSON.stringify(newer));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('too-new');
      expect(result.error.message).toMatch(/update Neural Bricks/);
    }
  });
});
