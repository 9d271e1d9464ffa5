import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../../shared/lessons';
import { runCli } from '../testing/runCli';

const bricks = runCli;

describe('bricks lesson list', () => {
  it('prints {id, title, minutes} for every lesson as JSON, and a table without --json', async () => {
    const json = await bricks('lesson', 'list', '--json');
    expect(json.code, json.err).toBe(0);
    const rows = JSON.parse(json.out) as { id: string; title: string; minutes: number }[];
    expect(rows.map((r) => r.id)).toEqual(['depth-without-skips', 'batchnorm-learning-rate', 'dead-relus', 'normalizer-free']);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['id', 'minutes', 'title']);
      expect(row.minutes).toBeGreaterThan(0);
    }
    const text = await bricks('lesson', 'list');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/id\s+title\s+minutes/);
    expect(text.out).toMatch(/dead-relus\s+Dead ReLUs\s+8/);
  });

  it('exits 2 for an unknown lesson id, naming the known ones', async () => {
    const { code, err } = await bricks('lesson', 'run', 'no-such-lesson', '--json');
    expect(code).toBe(2);
    expect(err).toContain("unknown lesson 'no-such-lesson'");
    expect(err).toContain('depth-without-skips');
  });
});

/** Every lesson's experiment, trained for real: the effect must be measured with its fixed seeds. */
describe('bricks lesson run', () => {
  for (const lesson of LESSONS) {
    it(
      `${lesson.id}: measures the expected effect and ends with the lessonResult line`,
      async () => {
        const started = Date.now();
        const { code, out, err } = await bricks('lesson', 'run', lesson.id, '--json');
        const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        const result = lines.at(-1)!;
        expect(Object.keys(result)).toEqual(['type', 'id', 'passed', 'variants', 'conclusion']);
        expect(result.type).toBe('lessonResult');
        expect(result.id).toBe(lesson.id);
        expect(result.passed, `${String(result.conclusion)}\n${err.slice(-2000)}`).toBe(true);
        expect(code).toBe(0);
        const variants = result.variants as { name: string; finalLoss: number | null; finalAccuracy: number | null }[];
        expect(variants.map((v) => v.name)).toEqual(lesson.variants().map((v) => v.name));
        for (const v of variants) {
          expect(Object.keys(v)).toEqual(['name', 'finalLoss', 'finalAccuracy']);
          if (v.finalAccuracy !== null) expect(v.finalAccuracy).toBeGreaterThanOrEqual(0);
        }
        // One JSON line per variant before the result, each with the same numbers the result line repeats.
        const variantLines = lines.filter((l) => l.type === 'variant');
        expect(variantLines).toHaveLength(variants.length);
        variantLines.forEach((line, i) => expect(line).toMatchObject(variants[i]!));
        // The conclusion quotes the measured accuracies.
        const quoted = variants.filter((v) => v.finalAccuracy !== null).map((v) => `${Math.round(v.finalAccuracy! * 100)} %`);
        for (const q of quoted) expect(String(result.conclusion)).toContain(q);
        expect(err).toContain(`Lesson: ${lesson.title}`);
        console.log(`${lesson.id}: ${((Date.now() - started) / 1000).toFixed(1)} s — ${String(result.conclusion)}`);
      },
      180_000,
    );
  }
});
