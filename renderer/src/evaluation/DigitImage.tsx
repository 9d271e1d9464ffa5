/**
 * A small image drawn pixel for pixel onto a canvas: a digit as ink on paper (the default), or a photo from the user's
 * image folder as it is (`ink` false), grey or RGB (`channels`).
 */
import { memo, useEffect, useRef } from 'react';
import { paintImage } from './planeCanvas';

export interface DigitImageProps {
  readonly pixels: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly label: string;
  readonly channels?: number;
  readonly ink?: boolean;
}

export const DigitImage = memo(function DigitImage({ pixels, width, height, size, label, channels = 1, ink = true }: DigitImageProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) paintImage(canvas.current, pixels, width, height, channels, ink);
  }, [pixels, width, height, channels, ink]);
  return <canvas ref={canvas} width={size} height={size} className="nb-digit" role="img" aria-label={label} />;
});
