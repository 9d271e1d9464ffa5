import { describe, expect, it } from 'vitest';
import { colorAt, decadeLabel, linearScale, logScale, viridis } from './colorScale';

describe('logScale', () => {
  it('covers the positive values in whole decades and places values by their log', () => {
    const scale = logScale([3e-5, 0.02, 0.7, null]);
    expect(scale.lo).toBe(-5);
    expect(scale.hi).toBe(0);
    expect(scale.position(1e-5)).toBeCloseTo(0);
    expect(scale.position(1e-3)).toBeCloseTo(0.4);
    expect(scale.position(1)).toBeCloseTo(1);
    expect(scale.ticks.map((t) => t.label)).toEqual(['10⁻⁵', '10⁻⁴', '10⁻³', '10⁻²', '10⁻¹', '1']);
  });

  it('puts zero at the low end, gives null and NaN no colour, and does not let zeros widen the domain', () => {
    const scale = logScale([0, 0, 0.01, 0.5]);
    expect(scale.lo).toBe(-2);
    expect(scale.position(0)).toBe(0);
    expect(scale.position(null)).toBeUndefined();
    expect(scale.position(Number.NaN)).toBeUndefined();
    expect(scale.position(Infinity)).toBe(1);
  });

  it('survives no positive values and one value, and caps the width at 12 decades', () => {
    expect(logScale([0, null]).position(0)).toBe(0);
    const one = logScale([0.05]);
    expect([one.lo, one.hi]).toEqual([-2, -1]);
    const exact = logScale([1000]);
    expect([exact.lo, exact.hi]).toEqual([2, 3]);
    const wide = logScale([1e-30, 10]);
    expect([wide.lo, wide.hi]).toEqual([-11, 1]);
    expect(wide.position(1e-30)).toBe(0);
    expect(wide.ticks.length).toBeLessThanOrEqual(7);
  });
});

describe('linearScale and colours', () => {
  it('maps fractions onto [0, 1], clamping outside', () => {
    const scale = linearScale(0, 1, (v) => `${v * 100}%`);
    expect(scale.position(0.25)).toBe(0.25);
    expect(scale.position(2)).toBe(1);
    expect(scale.position(null)).toBeUndefined();
    expect(scale.ticks.map((t) => t.label)).toEqual(['0%', '50%', '100%']);
  });

  it('runs viridis from dark purple to yellow with rising lightness', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    const luma = (t: number) => {
      const [r, g, b] = viridis(t);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let t = 0.05; t <= 1; t += 0.05) expect(luma(t)).toBeGreaterThan(luma(t - 0.05));
    expect(colorAt(-1)).toBe('rgb(68,1,84)');
    expect(decadeLabel(-12)).toBe('10⁻¹²');
  });
});
