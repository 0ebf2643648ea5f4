/**
 * The value forms a scenario file may use where a number is expected: durations written as
 * `250ms`, `5s`, `10m`, `24h` (or plain milliseconds), and probabilities written as `1/100` or
 * `0.01`. They are converted once, here, to milliseconds and to `Ratio`, so the rest of the runner
 * only sees unit-named numbers. Sweep values and expectation bounds use the same forms.
 */
import { z } from 'zod';
import type { Ratio } from '../../impl/core/ratio.ts';

const durationPattern = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;
const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5s` -> 5000; a plain number is milliseconds; undefined when the text is not a duration. */
export function parseDurationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const match = durationPattern.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * unitMs[match[2]!]!);
}

/** A non-negative duration in milliseconds, written as a number or `5s`, `250ms`, `10m`, `24h`, `1d`. */
export const durationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseDurationMs(value);
  if (parsed === undefined || parsed < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like 5s, 250ms, 10m, 24h or a number of milliseconds >= 0, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return parsed;
});

/** The denominator a decimal probability is converted with (0.0001 -> 1/10000). */
const decimalDenominator = 1_000_000;

/** `1/100` or `0.01` -> a number in [0, 1]; undefined when the text is not a probability. */
export function parseRatioNumber(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 && value <= 1 ? value : undefined;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!match) return undefined;
  const numerator = Number(match[1]);
  const denominator = Number(match[2]);
  if (denominator === 0 || numerator > denominator) return undefined;
  return numerator / denominator;
}

/** Converts a probability to the integer `Ratio` the simulator draws with. */
export function toRatio(value: number): Ratio {
  return { numerator: Math.round(value * decimalDenominator), denominator: decimalDenominator };
}

/** A probability in [0, 1], written as `1/100` or `0.01`; kept as a number until the engine. */
export const probability = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseRatioNumber(value);
  if (parsed === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a probability like 1/100 or 0.01 (between 0 and 1), got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return parsed;
});

/** A positive ratio such as heartbeat/TTL, written as `1/2` or `0.5` (may exceed 1). */
export const positiveRatio = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const match =
    typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value) : null;
  const parsed = typeof value === 'number' ? value : match ? Number(match[1]) / Number(match[2]) : Number.NaN;
  if (!Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a positive ratio like 1/2 or 0.5, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return parsed;
});
