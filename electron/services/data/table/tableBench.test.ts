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

  it('with trainEpochs, trains on the table through runTraining and reports the run’s peak RSS', { timeout: 120_000 }, async () => {
    const r = await benchTableLoading({ rows: 3000, columns: 6, trainEpochs: 2, backend: 'cpu' });
    expect(r.train).toMatchObject({ epochs: 2, backend: 'cpu', meetsGoal: true });
    expect(r.train!.testAccuracy).toBeGreaterThan(0.5);
    expect(r.train!.peakRssMB).toBeGreaterThan(0);
  });
});
