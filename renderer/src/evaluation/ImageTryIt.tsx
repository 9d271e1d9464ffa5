/**
 * "Try it" for a run on the user's image folder: choose (or drop) any image file; the host decodes and resizes it
 * exactly as the folder's loader did for training (encodeImage), the small picture shows what the model is given, and
 * the bars its answer.
 */
import { useEffect, useState } from 'react';
import { MAX_TRY_IMAGE_BYTES } from '../../../shared/contracts/tryImage';
import { DigitImage } from './DigitImage';
import type { ClassificationResult, EvaluationSource } from './evaluationApi';
import { ProbabilityBars } from './ProbabilityBars';
import { useDebouncedPrediction } from './useDebouncedPrediction';

interface Chosen {
  readonly name: string;
  readonly url: string;
  readonly values: readonly number[];
}

export function ImageTryIt({ result, source, path }: { result: ClassificationResult; source: EvaluationSource; path: string | null }) {
  const [height, width, channels] = result.inputShape as [number, number, number];
  const [chosen, setChosen] = useState<Chosen>();
  const [reading, setReading] = useState(false);
  const [error, setError] = useState<string>();
  const { prediction, error: predictError, pending } = useDebouncedPrediction(source, result.runId, path, result.inputShape, chosen?.values, 0);
  // The preview's object URL lives as long as its choice.
  useEffect(() => () => (chosen ? URL.revokeObjectURL(chosen.url) : undefined), [chosen]);

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    if (file.size > MAX_TRY_IMAGE_BYTES) {
      setError(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; Try it takes images up to ${MAX_TRY_IMAGE_BYTES / 1024 / 1024} MB.`);
      return;
    }
    setReading(true);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const encoded = await source.encodeImage(bytes, [height, width, channels === 3 ? 3 : 1]);
      setChosen({ name: file.name, url: URL.createObjectURL(file), values: encoded.values });
    } catch (e) {
      setError(`${file.name}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setReading(false);
    }
  };

  return (
    <div className="nb-try-image">
      <label
        className="nb-try-image-drop"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          void choose(e.dataTransfer.files[0]);
        }}
      >
        <span>Choose an image (PNG, JPEG, WebP, BMP) or drop one here</span>
        <input type="file" accept="image/png,image/jpeg,image/webp,image/bmp,.png,.jpg,.jpeg,.webp,.bmp" aria-label="Image to try" onChange={(e) => void choose(e.target.files?.[0])} />
      </label>
      {reading ? <p className="nb-muted" role="status">Reading the image…</p> : null}
      {chosen ? (
        <div className="nb-try-image-row">
          <figure>
            <img src={chosen.url} alt={chosen.name} className="nb-try-image-original" />
            <figcaption className="nb-muted">{chosen.name}</figcaption>
          </figure>
          <figure>
            <DigitImage pixels={chosen.values} width={width} height={height} channels={channels} ink={false} size={112} label={`What the model is given: ${width}×${height}`} />
            <figcaption className="nb-muted">
              as the model sees it: {width}×{height} {channels === 3 ? 'RGB' : 'grey'}
            </figcaption>
          </figure>
        </div>
      ) : null}
      <ProbabilityBars prediction={chosen ? prediction : undefined} classNames={result.classNames} pending={pending} />
      {error || predictError ? (
        <p className="nb-error" role="alert">
          {error ?? predictError}
        </p>
      ) : null}
    </div>
  );
}
