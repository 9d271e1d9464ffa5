/**
 * One image file as a model input, the way the image-folder loader makes its training and test samples: decodeInto
 * (sharp, fit 'fill', `channels`, alpha on black) then / 255. Used by "Try it" (the LabApi's encodeImage).
 */
import type { EncodedImage } from '../../../../shared/contracts/tryImage';
import { describeDecodeError, decodeInto } from './decodeImage';

export class ImageEncodeError extends Error {
  override readonly name = 'ImageEncodeError';
}

export async function encodeImageForModel(bytes: Buffer, height: number, width: number, channels: 1 | 3): Promise<EncodedImage> {
  const pixels = new Uint8Array(height * width * channels);
  try {
    await decodeInto(bytes, height, width, channels, 'fill', pixels, 0);
  } catch (error) {
    throw new ImageEncodeError(`The image cannot be read: ${describeDecodeError(bytes, error)}`);
  }
  return { shape: [height, width, channels], values: Array.from(pixels, (p) => p / 255) };
}
