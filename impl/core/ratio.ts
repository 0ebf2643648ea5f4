/**
 * Probabilities as integer ratios that print exactly (`3/100`), as TigerBeetle's `Ratio`.
 */
import assert from 'node:assert';
import type { Random } from '../ports/random.ts';

export interface Ratio {
  numerator: number;
  denominator: number;
}

export function ratio(numerator: number, denominator: number): Ratio {
  assert(Number.isInteger(numerator) && Number.isInteger(denominator));
  assert(denominator > 0 && numerator >= 0 && numerator <= denominator);
  return { numerator, denominator };
}

export function formatRatio(value: Ratio): string {
  return `${value.numerator}/${value.denominator}`;
}

/** Draws an integer in [0, max] from `random` without modulo bias beyond 2^-32. */
export function intInclusive(random: Random, max: number): number {
  assert(Number.isInteger(max) && max >= 0);
  if (max === 0) return 0;
  return Math.floor((random.uint32() / 0x1_0000_0000) * (max + 1));
}

export function chance(random: Random, probability: Ratio): boolean {
  return intInclusive(random, probability.denominator - 1) < probability.numerator;
}
