import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, trainingConfigSchema } from './trainingConfig';

describe('trainingConfigSchema', () => {
  it('accepts the default config', () => {
    expect(trainingConfigSchema.parse(DEFAULT_TRAINING_CONFIG)).toEqual(DEFAULT_TRAINING_CONFIG);
  });

  it('rejects out-of-range and mistyped values with the field path', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ validationSplit: 0.6 }, 'validationSplit'],
      [{ batchSize: 0 }, 'batchSize'],
      [{ batchSize: 3.5 }, 'batchSize'],
      [{ epochs: -1 }, 'epochs'],
      [{ optimizer: 'lbfgs' }, 'optimizer'],
      [{ learningRate: 0 }, 'learningRate'],
      [{ backend: 'cuda' }, 'backend'],
      [{ workers: 3 }, 'workers'],
      [{ workers: '2' }, 'workers'],
      [{ shuffle: 'yes' }, 'shuffle'],
      [{ extra: 1 }, ''],
    ];
    for (const [patch, path] of cases) {
      const r = trainingConfigSchema.safeParse({ ...DEFAULT_TRAINING_CONFIG, ...patch });
      expect(r.success, JSON.stringify(patch)).toBe(false);
      if (!r.success) expect(r.error.issues[0]?.path.join('.')).toBe(path);
    }
  });

  it('backend is optional', () => {
    const { backend: _omit, ...rest } = DEFAULT_TRAINING_CONFIG;
    expect(trainingConfigSchema.safeParse(rest).success).toBe(true);
  });

  it('workers is optional and accepts 1, 2 and auto', () => {
    for (const workers of [1, 2, 'auto'] as const) {
      expect(trainingConfigSchema.safeParse({ ...DEFAULT_TRAINING_CONFIG, workers }).success).toBe(true);
    }
  });
});

