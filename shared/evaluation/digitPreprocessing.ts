/**
 * Turns a digit drawn by hand into the kind of image an MNIST model was trained on. MNIST was made (LeCun, Cortes
 * & Burges) by scaling each digit's bounding box to fit a 20×20 box, preserving its aspect ratio, with
 * anti-aliasing that leaves grey levels at the stroke edges; then placing it in a 28×28 field so that its centre
 * of mass sits at the centre. A drawing that skips these steps (small, off-centre, or filling the pad) looks
 * nothing like the training data, and even a good model then guesses wrongly.
 */

export const MNIST_SIZE = 28;
/** Side of the box the digit is scaled to fit; the 4-pixel border leaves room for the centring shift. */
export const MNIST_DIGIT_BOX = 20;
/** The pixel (column and row index) a digit's centre of mass is moved to. */
export const MNIST_CENTER = 14;

export interface DigitPreprocessingOptions {
  /**
   * Scale the result so its brightest pixel is 1 (default true). MNIST strokes have full-intensity cores; a thin
   * pen on a large pad averages down to faint grey, which a model reads as a weaker, different digit.
   */
  readonly stretchContrast?: boolean;
}

/**
 * A 28×28 MNIST-style image, row-major with values in [0, 1] (ink = 1), from a `width × height` grayscale drawing,
 * row-major with ink = 1 and background = 0. An empty drawing gives all zeros.
 *
 * 1. Crop to the bounding box of the pixels with any ink.
 * 2. Resample that box to fit 20×20 with its aspect ratio kept (the longer side becomes 20 pixels), by area
 *    averaging: each output pixel is the mean of the drawing over the area it covers, which anti-aliases when
 *    shrinking and keeps edges sharp when enlarging.
 * 3. Optionally stretch the contrast so the brightest pixel is 1.
 * 4. Paste it into a blank 28×28 image, shifted by whole pixels so that its centre of mass, measured in pixel
 *    indices as MNIST did, lies in [13.5, 14.5) on each axis: on pixel (14, 14). A digit whose mass sits far from
 *    its box's centre may lose a sliver at the edge, as in MNIST.
 *
 * MNIST's own digits come through these steps unchanged (apart from the contrast stretch of a faint one).
 */
export function preprocessDigit(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  options: DigitPreprocessingOptions = {},
): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`the drawing must be at least 1×1 whole pixels, got ${width}×${height}`);
  }
  if (pixels.length !== width * height) throw new RangeError(`expected ${width}×${height} = ${width * height} pixels, got ${pixels.length}`);
  const result = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  const box = inkBoundingBox(pixels, width, height);
  if (!box) return result;

  const boxWidth = box.right - box.left;
  const boxHeight = box.bottom - box.top;
  const scale = MNIST_DIGIT_BOX / Math.max(boxWidth, boxHeight);
  const digitWidth = Math.max(1, Math.min(MNIST_DIGIT_BOX, Math.round(boxWidth * scale)));
  const digitHeight = Math.max(1, Math.min(MNIST_DIGIT_BOX, Math.round(boxHeight * scale)));
  const digit = resampleByArea(pixels, width, box, digitWidth, digitHeight);
  if (options.stretchContrast ?? true) stretchToUnitPeak(digit);

  const center = centerOfMass(digit, digitWidth, digitHeight);
  // Rounding the centre (not the shift) lands it in [13.5, 14.5), the half-open interval MNIST's digits occupy.
  const shiftX = MNIST_CENTER - Math.round(center.x);
  const shiftY = MNIST_CENTER - Math.round(center.y);
  for (let y = 0; y < digitHeight; y++) {
    const ty = y + shiftY;
    if (ty < 0 || ty >= MNIST_SIZE) continue;
    for (let x = 0; x < digitWidth; x++) {
      const tx = x + shiftX;
      if (tx >= 0 && tx < MNIST_SIZE) result[ty * MNIST_SIZE + tx] = digit[y * digitWidth + x]!;
    }
  }
  return result;
}

/** Half-open pixel bounds [left, right) × [top, bottom). */
interface PixelBox {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

function inkBoundingBox(pixels: ArrayLike<number>, width: number, height: number): PixelBox | undefined {
  let left = width;
  let top = height;
  let right = 0;
  let bottom = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!(pixels[y * width + x]! > 0)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
    }
  }
  return right > left ? { left, top, right, bottom } : undefined;
}

/**
 * Area-averaging resample of `box` to `outWidth × outHeight`. The filter is separable: along each axis, output
 * pixel i covers source interval [i, i + 1) / scale, and a source pixel contributes in proportion to its overlap.
 */
function resampleByArea(pixels: ArrayLike<number>, width: number, box: PixelBox, outWidth: number, outHeight: number): Float32Array {
  const columnWeights = overlapWeights(box.right - box.left, outWidth);
  const rowWeights = overlapWeights(box.bottom - box.top, outHeight);
  // First along x: rows of the box → rows of outWidth pixels.
  const boxHeight = box.bottom - box.top;
  const narrowed = new Float64Array(boxHeight * outWidth);
  for (let y = 0; y < boxHeight; y++) {
    const source = (box.top + y) * width + box.left;
    for (const { out, source: x, weight } of columnWeights) narrowed[y * outWidth + out]! += weight * pixels[source + x]!;
  }
  // Then along y.
  const result = new Float32Array(outWidth * outHeight);
  for (const { out, source: y, weight } of rowWeights) {
    for (let x = 0; x < outWidth; x++) result[out * outWidth + x]! += weight * narrowed[y * outWidth + x]!;
  }
  for (let i = 0; i < result.length; i++) result[i] = Math.min(1, Math.max(0, result[i]!));
  return result;
}

interface OverlapWeight {
  readonly out: number;
  readonly source: number;
  /** Overlap of the source pixel with the output pixel's preimage, over the preimage's length; sums to 1 per output pixel. */
  readonly weight: number;
}

function overlapWeights(sourceLength: number, outLength: number): OverlapWeight[] {
  const step = sourceLength / outLength;
  const weights: OverlapWeight[] = [];
  for (let out = 0; out < outLength; out++) {
    const start = out * step;
    const end = start + step;
    for (let source = Math.floor(start); source < Math.min(sourceLength, Math.ceil(end)); source++) {
      const overlap = Math.min(end, source + 1) - Math.max(start, source);
      if (overlap > 0) weights.push({ out, source, weight: overlap / step });
    }
  }
  return weights;
}

function stretchToUnitPeak(image: Float32Array): void {
  let peak = 0;
  for (const v of image) peak = Math.max(peak, v);
  if (peak > 0) for (let i = 0; i < image.length; i++) image[i] = image[i]! / peak;
}

/**
 * Intensity-weighted mean position of a row-major image, in pixel indices (pixel (x, y) counts at x, y, as MNIST
 * measured it); the image's middle pixel for a blank image.
 */
export function centerOfMass(image: ArrayLike<number>, width: number, height: number): { x: number; y: number } {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = image[y * width + x]!;
      mass += v;
      sumX += v * x;
      sumY += v * y;
    }
  }
  return mass > 0 ? { x: sumX / mass, y: sumY / mass } : { x: (width - 1) / 2, y: (height - 1) / 2 };
}
