/**
 * "Try it" on a run trained on an image folder (issue 14): the page sends one image file (PNG, JPEG, WebP, BMP, any size)
 * and the host turns it into the model's input exactly as the folder's loader did for training — decoded and resized to
 * height × width with sharp (fit 'fill'), converted to `channels`, alpha flattened onto black, values / 255 — so the
 * answer is the one the model would give that file in its test split. The page then asks `predict` with the values.
 */
import { z } from 'zod';
import { MAX_IMAGE_SIDE } from '../data/dataSpec';
import { MAX_PREDICT_VALUES } from './evaluation';

/** Largest image file "Try it" takes (a phone photo is 2–8 MB). */
export const MAX_TRY_IMAGE_BYTES = 16 * 1024 * 1024;
const MAX_BASE64 = Math.ceil(MAX_TRY_IMAGE_BYTES / 3) * 4;

const side = z.number().int().min(1).max(MAX_IMAGE_SIDE);

export const encodeImageRequestSchema = z
  .strictObject({
    /** The file's bytes, base64. */
    image: z.string().min(1).max(MAX_BASE64, `an image file of at most ${MAX_TRY_IMAGE_BYTES / 1024 / 1024} MB`),
    height: side,
    width: side,
    channels: z.union([z.literal(1), z.literal(3)]),
  })
  .refine((r) => r.height * r.width * r.channels <= MAX_PREDICT_VALUES, {
    message: `height × width × channels must be at most ${MAX_PREDICT_VALUES} (what one predict request carries)`,
  });
export type EncodeImageRequest = z.infer<typeof encodeImageRequestSchema>;

/** The model input for the image: row-major height × width × channels values in [0, 1]. */
export interface EncodedImage {
  readonly shape: readonly [number, number, number];
  readonly values: number[];
}
