import { describe, expect, it } from 'vitest';
import { benchTableLoading } from '../../../../bench/data/tableBench';

describe('benchTableLoading', () => {
  it('generates, loads and measures a small table', async () => {
    const r = await benchTableLoading({ rows: 2000, columns: 6 });
    expect(r).toMatchObject({ bench: 'data-table', rows: 2000, columns: 6, featureCount: 4 + 8, trainRows: 1600 });
    expect(r.loadMs).toBeGreaterThan(0);
    expect(r.peakRssMB).toBeGreaterThanOrEqual(r.baseRssMB);
    expect(r.meetsGoal).toBe(true);
  });
});
