import { describe, expect, it } from 'vitest';
import { defaultTargetColumn, MIN_ROWS_PER_CLASS, smallClasses, smallClassWarning, type TargetColumnFacts } from './targetClasses';

const counts = (entries: Record<string, number>) => Object.entries(entries).map(([value, count]) => ({ value, count }));
function categorical(name: string, classes: Record<string, number>): TargetColumnFacts {
  const valueCounts = counts(classes).sort((a, b) => b.count - a.count);
  return { name, type: 'categorical', distinct: valueCounts.length, distinctCapped: false, topValues: valueCounts.slice(0, 10), valueCounts, targetTasks: valueCounts.length >= 2 ? ['classification'] : [] };
}
const numeric = (name: string): TargetColumnFacts => ({ name, type: 'numeric', distinct: 90, distinctCapped: false, topValues: counts({ '1': 3 }), targetTasks: ['regression'] });
const text = (name: string): TargetColumnFacts => ({ name, type: 'text', distinct: 300, distinctCapped: true, topValues: [], targetTasks: [] });

// Shaped like examples/data/penguins.csv: Species first, Sex last with one '.' row.
const species = categorical('Species', { Adelie: 152, Gentoo: 124, Chinstrap: 68 });
const island = categorical('Island', { Biscoe: 168, Dream: 124, Torgersen: 52 });
const sex = categorical('Sex', { MALE: 168, FEMALE: 165, '.': 1 });
const penguins = [species, island, numeric('Bill Length (mm)'), numeric('Body Mass (g)'), sex];

describe('defaultTargetColumn', () => {
  it('keeps the last column when its classes can all be split', () => {
    expect(defaultTargetColumn([species, numeric('x'), categorical('y', { a: 5, b: MIN_ROWS_PER_CLASS })])?.name).toBe('y');
    // Two rows can be learnt from and checked on: kept as the default (the dialog still warns about it).
    expect(defaultTargetColumn([species, categorical('y', { a: 5, b: 2 })])?.name).toBe('y');
    expect(defaultTargetColumn([species, numeric('Body Mass (g)')])?.name).toBe('Body Mass (g)');
  });
  it('skips a last column with a one-row class for the first splittable categorical column (penguins: Species, not Sex)', () => {
    expect(defaultTargetColumn(penguins)?.name).toBe('Species');
  });
  it('falls back to the last splittable column of any kind, then to the last possible target', () => {
    const tiny = categorical('tiny', { a: 1, b: 9 });
    expect(defaultTargetColumn([tiny, numeric('price'), text('notes'), categorical('z', { a: 1, b: 9 })])?.name).toBe('price');
    expect(defaultTargetColumn([tiny, categorical('z', { a: 1, b: 9 })])?.name).toBe('z');
    expect(defaultTargetColumn([text('notes')])).toBeUndefined();
  });
  it('reads a small-integer column from its top values when they are all of them', () => {
    const stars: TargetColumnFacts = { name: 'stars', type: 'numeric', distinct: 3, distinctCapped: false, topValues: counts({ '5': 40, '4': 30, '1': 1 }), targetTasks: ['classification', 'regression'] };
    expect(smallClasses(stars)).toEqual([{ value: '1', count: 1 }]);
    expect(defaultTargetColumn([species, stars])?.name).toBe('Species');
  });
});

describe('smallClassWarning', () => {
  it('names the class, its rows and the column', () => {
    const warning = smallClassWarning(sex);
    expect(warning).toContain("Class '.' (1 row) of 'Sex' has fewer than 3 rows");
    expect(warning).toContain('Training still works');
    expect(smallClassWarning(species)).toBeUndefined();
  });
  it('lists several, fewest first', () => {
    expect(smallClassWarning(categorical('c', { big: 50, two: 2, one: 1 }))).toContain("Classes 'one' (1 row), 'two' (2 rows) of 'c' have fewer than 3 rows");
  });
});
