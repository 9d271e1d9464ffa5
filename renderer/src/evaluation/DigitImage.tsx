/** A small grey image (a digit) drawn pixel for pixel onto a canvas. */
import { memo, useEffect, useRef } from 'react';
import { paintGreyImage } from './planeCanvas';

export const DigitImage = memo(function DigitImage({ pixels, width, height, size, label }: { pixels: ArrayLike<number>; width: number; height: number; size: number; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) paintGreyImage(canvas.current, pixels, width, height);
  }, [pixels, width, height]);
  return <canvas ref={canvas} width={size} height={size} className="nb-digit" role="img" aria-label={label} />;
});
