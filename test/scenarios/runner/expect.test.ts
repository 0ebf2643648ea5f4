import { describe, expect, test } from 'vitest';
import { evaluateExpectation } from '../../../scenarios/runner/expect.ts';
import { fakeResult } from './fixtures.ts';

describe('scenarios: expectations over hand-made results', () => {
  const modeC = [fakeResult({ mode: 'c', runId: 'x/c/0' }), fakeResult({ mode: 'c', runId: 'x/c/1' })];
  const modeA = fakeResult({ mode: 'a', runId: 'x/a/0', wrong: 12, staleWindowMsMax: 6_500 });

  test('"mode C never gives a wrong number" holds when every mode C run has 0 wrong, ignoring mode A', () => {
    const evaluated = evaluateExpectation({ metric: 'who.wrong', where: { mode: 'c' }, max: 0 }, [
      ...modeC,
      modeA,
    ]);
    expect(evaluated.outcome.ok).toBe(true);
    expect(evaluated.outcome.expression).toBe('mode=c: who.wrong <= 0');
  });

  test('it fails naming the run when one mode C run gave a wrong number', () => {
    const bad = fakeResult({ mode: 'c', runId: 'x/c/2', wrong: 1 });
    const evaluated = evaluateExpectation({ metric: 'who.wrong', where: { mode: 'c' }, max: 0 }, [
      ...modeC,
      bad,
    ]);
    expect(evaluated.outcome.ok).toBe(false);
    expect(evaluated.outcome.detail).toContain('x/c/2: 1 > 0');
    expect(evaluated.worstRunId).toBe('x/c/2');
  });

  test('a bound reads the run config: stale windows within ttl + heartbeat + 1 s', () => {
    const expectation = {
      metric: 'staleWindowMs.max',
      where: { mode: 'a' },
      max: 'ttlMs + heartbeatMs + 1s',
    };
    expect(evaluateExpectation(expectation, [modeA]).outcome.ok).toBe(true);
    const late = fakeResult({ mode: 'a', runId: 'x/a/1', staleWindowMsMax: 7_001 });
    expect(evaluateExpectation(expectation, [modeA, late]).outcome.detail).toContain('7001 > 7000');
  });

  test('the bound follows each run: a longer ttl allows a longer window', () => {
    const longTtl = fakeResult({ runId: 'x/a/2', ttlMs: 10_000, staleWindowMsMax: 11_000 });
    const expectation = { metric: 'staleWindowMs.max', max: 'ttlMs + heartbeatMs + 1s' };
    expect(evaluateExpectation(expectation, [modeA, longTtl]).outcome.ok).toBe(true);
  });

  test('where matches a swept parameter by its last path segment and by its written form', () => {
    const runs = [
      fakeResult({
        runId: 'r/1',
        params: { mode: 'a', 'cluster.heartbeatPerTtl': 0.2 },
        staleWindowMsMax: 9_000,
      }),
      fakeResult({ runId: 'r/2', params: { mode: 'a', 'cluster.heartbeatPerTtl': 1 }, staleWindowMsMax: 1 }),
    ];
    const evaluated = evaluateExpectation(
      { metric: 'staleWindowMs.max', where: { heartbeatPerTtl: '1/5' }, max: 100 },
      runs,
    );
    expect(evaluated.outcome.ok).toBe(false);
    expect(evaluated.worstRunId).toBe('r/1');
  });

  test('aggregates judge the mean over runs, not each run', () => {
    const runs = [fakeResult({ availability: 0.999 }), fakeResult({ availability: 1 })];
    expect(
      evaluateExpectation({ metric: 'who.availability', over: 'mean', min: 0.9995 }, runs).outcome.ok,
    ).toBe(true);
    expect(evaluateExpectation({ metric: 'who.availability', min: 0.9995 }, runs).outcome.ok).toBe(false);
  });

  test('checks.failed counts failed checks', () => {
    const evaluated = evaluateExpectation({ metric: 'checks.failed', max: 0 }, [
      fakeResult({ failedChecks: 2 }),
    ]);
    expect(evaluated.outcome.detail).toContain('2 > 0');
  });

  test('an expectation that matches no run fails, except in a shard', () => {
    const expectation = { metric: 'who.wrong', where: { mode: 'local' }, max: 0 };
    expect(evaluateExpectation(expectation, [modeA]).outcome.ok).toBe(false);
    expect(evaluateExpectation(expectation, [modeA], { sharded: true }).outcome.ok).toBe(true);
  });

  test('a warn expectation fails as a warning', () => {
    const evaluated = evaluateExpectation({ metric: 'who.wrong', max: 0, severity: 'warn' }, [modeA]);
    expect(evaluated.severity).toBe('warn');
    expect(evaluated.outcome.detail).toMatch(/^warning: /);
  });

  test('a metric missing from the result fails with its name', () => {
    const evaluated = evaluateExpectation({ metric: 'ids.collisions', max: 0 }, [modeA]);
    expect(evaluated.outcome.detail).toContain('ids.collisions is not a number');
  });
});
