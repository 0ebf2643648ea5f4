import { describe, expect, test } from 'vitest';
import type { Random } from '../../../impl/ports/random.ts';
import { chance, formatRatio, intInclusive, ratio } from '../../../impl/core/ratio.ts';

/** A Random that hands out the given uint32 values in turn. */
function drawing(...values: number[]): Random {
  return {
    uint32: () => values.shift() ?? 0,
    fill: (target) => target,
  };
}

describe('ratio: integer probabilities', () => {
  test('a ratio prints exactly as numerator/denominator', () => {
    expect(formatRatio(ratio(3, 100))).toBe('3/100');
    expect(ratio(0, 1)).toEqual({ numerator: 0, denominator: 1 });
    expect(ratio(1, 1)).toEqual({ numerator: 1, denominator: 1 });
  });

  test('a ratio refuses fractions, a zero denominator and values outside [0, 1]', () => {
    expect(() => ratio(0.5, 2)).toThrow();
    expect(() => ratio(1, 2.5)).toThrow();
    expect(() => ratio(0, 0)).toThrow();
    expect(() => ratio(-1, 2)).toThrow();
    expect(() => ratio(3, 2)).toThrow();
  });

  test('intInclusive maps the whole uint32 range onto 0..max, both ends included', () => {
    expect(intInclusive(drawing(0), 9)).toBe(0);
    expect(intInclusive(drawing(0xffff_ffff), 9)).toBe(9);
    expect(intInclusive(drawing(0x8000_0000), 9)).toBe(5);
    expect(intInclusive(drawing(0xffff_ffff), 0)).toBe(0);
  });

  test('intInclusive with max 0 draws nothing from the stream', () => {
    const random = drawing(0xffff_ffff, 0);
    expect(intInclusive(random, 0)).toBe(0);
    expect(random.uint32()).toBe(0xffff_ffff);
  });

  test('intInclusive refuses a negative or fractional max', () => {
    expect(() => intInclusive(drawing(0), -1)).toThrow();
    expect(() => intInclusive(drawing(0), 1.5)).toThrow();
  });

  test('chance 1/4 is true for the lowest quarter of draws and false above it', () => {
    const quarter = ratio(1, 4);
    expect(chance(drawing(0), quarter)).toBe(true);
    expect(chance(drawing(0x3fff_ffff), quarter)).toBe(true);
    expect(chance(drawing(0x4000_0000), quarter)).toBe(false);
    expect(chance(drawing(0xffff_ffff), quarter)).toBe(false);
  });

  test('chance 0 is never true and chance 1 is always true', () => {
    expect(chance(drawing(0), ratio(0, 5))).toBe(false);
    expect(chance(drawing(0xffff_ffff), ratio(5, 5))).toBe(true);
  });
});
