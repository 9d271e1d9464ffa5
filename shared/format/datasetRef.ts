/**
 * Which data a run trained on: a dataset id and the options that shape it (size, noise, seed, split). Recorded in a
 * run record and a checkpoint so the run's own test split can be rebuilt later without repeating the options.
 */
import { z } from 'zod';

/** Knobs for a dataset. Synthetic sets use all of them; MNIST and Iris only `limit`/`seed` where noted. */
export const datasetOptionsSchema = z.strictObject({
  /** Synthetic: total number of points (train + test). */
  samples: z.number().int().min(8).max(1_000_000).optional(),
  /** Synthetic: standard deviation of the Gaussian jitter added to each point. */
  noise: z.number().min(0).max(5).optional(),
  /** Synthetic: generator seed. MNIST/Iris splits are fixed and ignore it. */
  seed: z.number().int().min(0).optional(),
  /** Synthetic: share of the points held out as the test set. */
  testFraction: z.number().min(0.05).max(0.5).optional(),
  /** MNIST: use only the first N train and N·(test/train) test samples (quick runs, tests). */
  limit: z.number().int().min(1).optional(),
});
export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;

export const datasetRefSchema = z.strictObject({
  id: z.string().min(1),
  options: datasetOptionsSchema.optional(),
});
export type DatasetRef = z.infer<typeof datasetRefSchema>;

/** `{ id }`, with `options` only when there are any (records stay small and compare equal). */
export function datasetRefOf(id: string, options: DatasetOptions | undefined): DatasetRef {
  return options !== undefined && Object.keys(options).length > 0 ? { id, options: { ...options } } : { id };
}
