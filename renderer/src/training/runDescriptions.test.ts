import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/format/runSummary';
import { liveMetricsText, runName, runOutcomeText, runPickerLabel } from './runDescriptions';

describe('run descriptions', () => {
  it('shows the latest batch loss while no epoch has finished, instead of "loss —"', () => {
    expect(liveMetricsText([], [])).toBe('no metrics yet: the first batch is on its way');
    expect(liveMetricsText([], [{ x: 0.1, loss: 0.9 }, { x: 0.2, loss: 0.69314, accuracy: 0.5 }])).toBe('batch loss 0.6931 · batch acc 50.0% · validation after epoch 1');
    expect(liveMetricsText([], [{ x: 0.1, loss: 0.0001 }])).toBe('batch loss 1.00e-4 · validation after epoch 1');
    expect(liveMetricsText([{ epoch: 1, loss: 0.5, accuracy: 0.75, valLoss: 0.6 }], [{ x: 1, loss: 0.4 }])).toBe('loss 0.5000 · acc 75.0% · val loss 0.6000 · val acc');
  });

  it('says a run stopped inside its first epoch, not "0 ep · val acc" of a batch accuracy', () => {
    expect(runOutcomeText({ status: 'stopped', epochs: [], final: { loss: 0.6, accuracy: 0.658 } })).toBe('stopped in epoch 1 (no epoch completed) · last batch acc 65.8%');
    expect(runOutcomeText({ status: 'failed', epochs: [], final: { loss: 0 } })).toBe('failed in epoch 1 (no epoch completed)');
    expect(runOutcomeText({ status: 'completed', epochs: [], final: { loss: 0 }, imported: { from: 'model.json', format: 'tfjs-layers' } })).toBe('imported weights (model.json)');
    const epochs = [
      { epoch: 1, loss: 1 },
      { epoch: 2, loss: 0.5 },
    ];
    expect(runOutcomeText({ status: 'completed', epochs, final: { loss: 0.5, accuracy: 0.8, valAccuracy: 0.912 } })).toBe('2 ep · val acc 91.2%');
    expect(runOutcomeText({ status: 'completed', epochs, final: { loss: 0.5, accuracy: 0.88 } })).toBe('2 ep · train acc 88.0%');
    expect(runOutcomeText({ status: 'completed', epochs, final: { loss: 0.5 } })).toBe('2 ep · loss 0.5000');
  });

  it('names a run in legends by its variant, else its number and start time, never by an id fragment', () => {
    const startedAt = new Date(2026, 11, 6, 14, 5).toISOString();
    const history = [{ id: 'run-2029-7a' }, { id: 'run-2029-7b' }];
    expect(runName({ id: 'run-2029-7b', startedAt }, history)).toBe('run 2 · 14:05');
    expect(runName({ id: 'run-2029-7a', startedAt, variant: { name: 'no skip edges · lr 0.01' } } as Pick<RunSummary, 'id' | 'startedAt' | 'variant'>, history)).toBe(
      'no skip edges · lr 0.01',
    );
    expect(runName({ id: 'elsewhere', startedAt }, history)).toBe('run 3 · 14:05');
  });

  it('labels a run in a picker by number, start time, variant and outcome as the history words it, never by its id', () => {
    const startedAt = new Date(2026, 11, 6, 14, 5).toISOString();
    const epochs = [
      { epoch: 1, loss: 1 },
      { epoch: 2, loss: 0.5 },
      { epoch: 3, loss: 0.25 },
    ];
    const history = [{ id: 'mh3k2a9x-0c1f5e7d-run-a' }, { id: 'mh3k2a9x-0c1f5e7d-run-b' }];
    const run = { id: 'mh3k2a9x-0c1f5e7d-run-b', startedAt, status: 'completed' as const, epochs, final: { loss: 0.25, valAccuracy: 0.912 } };
    expect(runPickerLabel(run, history)).toBe('Run 2 · 14:05 · 3 ep · val acc 91.2%');
    expect(runPickerLabel({ ...run, final: { ...run.final, testAccuracy: 0.875 } }, history)).toBe('Run 2 · 14:05 · 3 ep · val acc 91.2% · test acc 87.5%');
    const variant = { experimentId: 'e1', name: 'no skip edges', changes: ['removed 2 skip edges'] };
    expect(runPickerLabel({ ...run, id: history[0]!.id, variant }, history)).toBe('Run 1 · 14:05 · “no skip edges” · 3 ep · val acc 91.2%');
    expect(runPickerLabel({ ...run, status: 'stopped', epochs: [], final: { loss: 0.6 } }, history)).toBe('Run 2 · 14:05 · stopped in epoch 1 (no epoch completed)');
    for (const r of history) expect(runPickerLabel({ ...run, id: r.id }, history)).not.toContain(r.id);
  });
});
