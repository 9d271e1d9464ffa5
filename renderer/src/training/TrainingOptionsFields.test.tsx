import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { TrainingOptionsFields } from './TrainingOptionsFields';

const render = (patch: Partial<TrainingConfig>) =>
  renderToStaticMarkup(<TrainingOptionsFields config={{ ...DEFAULT_TRAINING_CONFIG, ...patch }} disabled={false} onChange={() => {}} />);

describe('TrainingOptionsFields', () => {
  it('shows only the parameters of the chosen schedule, clipping and early stopping, each with its range', () => {
    const off = render({});
    expect(off).toContain('aria-label="Learning-rate schedule"');
    expect(off).toContain('data-setting="warmup"');
    expect(off).not.toContain('data-setting="lr-step-every"');
    expect(off).not.toContain('data-setting="agc-lambda"');
    expect(off).not.toContain('data-setting="patience"');
    const on = render({
      lrSchedule: { kind: 'step', everyEpochs: 3, factor: 0.5 },
      clip: { kind: 'agc', lambda: 0.02 },
      earlyStopping: { metric: 'val_loss', patience: 4, restoreBest: false },
    });
    expect(on).toContain('data-setting="lr-step-every"');
    expect(on).toContain('data-setting="lr-step-factor"');
    expect(on).toContain('above 0, at most 1');
    expect(on).toMatch(/data-setting="agc-lambda"[\s\S]*value="0.02"/);
    expect(on).toMatch(/data-setting="patience"[\s\S]*value="4"/);
    expect(on).toMatch(/aria-label="Restore best weights" data-setting="restore-best"(?![^>]*checked)/);
    expect(render({ clip: { kind: 'norm', maxNorm: 2 } })).toContain('data-setting="clip-max-norm"');
    expect(render({ lrSchedule: { kind: 'cosine', minLearningRate: 0.001 } })).toMatch(/data-setting="lr-min"[\s\S]*value="0.001"/);
  });

  it('explains a setting that cannot run', () => {
    expect(render({ validationSplit: 0, earlyStopping: { metric: 'val_accuracy', patience: 3 } })).toContain(
      'Early stopping on val_accuracy needs validation data',
    );
  });
});
