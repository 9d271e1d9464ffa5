import { describe, expect, it } from 'vitest';
import { decisionBoundaryImage, parseHexColor } from './decisionBoundaryImage';

const RED = '#ff0000';
const BLUE = '#0000ff';

describe('decisionBoundaryImage', () => {
  it('paints sure cells in their class colour and coin tosses in the background', () => {
    const pixels = decisionBoundaryImage([1, 0, 0.5, 0.5, 0, 1], { columns: 3, rows: 1 }, [RED, BLUE], { strength: 1 });
    expect(pixels).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(pixels)).toEqual([255, 0, 0, 255, 255, 255, 255, 255, 0, 0, 255, 255]);
  });

  it('fades towards the background by the default strength and with uncertainty', () => {
    const [sure, unsure] = [0, 4];
    const pixels = decisionBoundaryImage([1, 0, 0.75, 0.25], { columns: 2, rows: 1 }, [RED, BLUE]);
    // Sure red at strength 0.6: green and blue go 60 % of the way from 255 to 0.
    expect(Array.from(pixels.subarray(sure, sure + 4))).toEqual([255, 102, 102, 255]);
    // p = 0.75: mix (191.25, 0, 63.75), certainty 0.5, so 30 % of the way from white.
    const expected = [255 + (191.25 - 255) * 0.3, 255 * 0.7, 255 + (63.75 - 255) * 0.3];
    expected.forEach((value, i) => expect(Math.abs(pixels[unsure + i]! - value)).toBeLessThanOrEqual(0.5));
  });

  it('reads a sigmoid output as two classes and fades to a dark background', () => {
    const pixels = decisionBoundaryImage(Float32Array.from([0, 1, 0.5]), { columns: 1, rows: 3 }, [RED, BLUE], {
      strength: 1,
      background: '#000',
    });
    expect(Array.from(pixels)).toEqual([255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 0, 255]);
  });

  it('repeats the palette for more classes and shows non-finite outputs as background', () => {
    const pixels = decisionBoundaryImage([0, 0, 1, NaN, NaN, NaN], { columns: 2, rows: 1 }, [RED, BLUE], { strength: 1 });
    expect(Array.from(pixels)).toEqual([255, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('refuses outputs that do not match the grid and an empty palette', () => {
    expect(() => decisionBoundaryImage([1, 0], { columns: 2, rows: 2 }, [RED, BLUE])).toThrow(RangeError);
    expect(() => decisionBoundaryImage([1, 0], { columns: 1, rows: 1 }, [])).toThrow(RangeError);
  });
});

describe('parseHexColor', () => {
  it('reads #rgb and #rrggbb', () => {
    expect(parseHexColor('#0f8')).toEqual([0, 255, 136]);
    expect(parseHexColor('#2E86DE')).toEqual([46, 134, 222]);
    expect(() => parseHexColor('red')).toThrow(RangeError);
  });
});
