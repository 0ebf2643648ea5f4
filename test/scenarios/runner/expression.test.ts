import { describe, expect, test } from 'vitest';
import { evaluate, ExpressionError, namesIn, parseExpression } from '../../../scenarios/runner/expression.ts';

const values: Record<string, number> = { ttlMs: 5_000, heartbeatMs: 1_000, 'who.wrong': 3, 'who.asked': 100 };
const run = (text: string) => evaluate(parseExpression(text), (name) => values[name]);

describe('scenarios: expression', () => {
  test('durations read as milliseconds and names resolve through the caller', () => {
    expect(run('ttlMs + heartbeatMs + 1s')).toBe(7_000);
    expect(run('250ms + 2m')).toBe(120_250);
  });

  test('* and / bind tighter than + and -, parentheses and unary minus work', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('-ttlMs / 5 + 1')).toBe(-999);
    expect(run('who.wrong / who.asked')).toBe(0.03);
  });

  test('an unknown name fails at evaluation with its name', () => {
    expect(() => run('nope + 1')).toThrowError(/nope is not a number/);
  });

  test.each(['ttlMs +', '(ttlMs', 'ttlMs ttlMs', 'process.exit(1)', 'ttlMs; 1', 'a = 1'])(
    '%s is refused when parsed, never run',
    (text) => {
      expect(() => parseExpression(text)).toThrowError(ExpressionError);
    },
  );

  test('an expression longer than expressionCharsMax is refused', () => {
    expect(() => parseExpression('1+'.repeat(150) + '1')).toThrowError(/expressionCharsMax/);
  });

  test('namesIn lists every name read', () => {
    expect(namesIn(parseExpression('staleWindowMs.max / (ttlMs + heartbeatMs)'))).toEqual([
      'staleWindowMs.max',
      'ttlMs',
      'heartbeatMs',
    ]);
  });
});
