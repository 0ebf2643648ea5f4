/**
 * Expectations: assertions over a scenario's run results, written as data in the file.
 *
 *   - metric: staleWindowMs.max          # arithmetic over the result (expression.ts)
 *     where: { mode: a }                 # which runs (mode, a swept parameter, a config field)
 *     max: ttlMs + heartbeatMs + 1s      # bound: arithmetic over the run's config and result
 *     over: each                         # each run, or the mean/median/min/max/sum over runs
 *
 * Names resolve in the run result first (`who.wrong`, `staleWindowMs.max`), then in its config
 * (`ttlMs`), then its sweep parameters (`cluster.heartbeatPerTtl` or just `heartbeatPerTtl`);
 * `checks.failed` counts failed checks. An expectation that matches no run fails: a check that
 * cannot fail is no check (except in a shard, which may hold none of the runs).
 */
import type { ExpectationOutcome, RunResult } from '../../experiment/result.ts';
import { type Expr, evaluate, parseExpression, type Resolve } from './expression.ts';
import type { Expectation } from './schema.ts';
import { parseDurationMs, parseRatioNumber } from './units.ts';

export interface EvaluatedExpectation {
  outcome: ExpectationOutcome;
  severity: 'fail' | 'warn';
  /** The run that shows the failure best (for the counterexample file). */
  worstRunId?: string;
}

export function describeExpectation(expectation: Expectation): string {
  const where = Object.entries(expectation.where ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const over = expectation.over ?? 'each';
  const metric = over === 'each' ? expectation.metric : `${over}(${expectation.metric})`;
  const bounds = [
    expectation.min !== undefined ? `${metric} >= ${expectation.min}` : '',
    expectation.max !== undefined ? `${metric} <= ${expectation.max}` : '',
  ].filter((text) => text !== '');
  return `${where === '' ? 'all runs' : where}: ${bounds.join(' and ')}`;
}

export function resolverFor(result: RunResult): Resolve {
  const params = result.params;
  return (name) => {
    if (name === 'checks.failed') return result.checks.filter((check) => !check.ok).length;
    const inResult = lookup(result, name);
    if (typeof inResult === 'number') return inResult;
    const inConfig = lookup(result.config, name);
    if (typeof inConfig === 'number') return inConfig;
    const param = params[name] ?? paramBySuffix(params, name);
    return typeof param === 'number' ? param : undefined;
  };
}

function lookup(data: unknown, name: string): unknown {
  let node: unknown = data;
  for (const part of name.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function paramBySuffix(params: Record<string, number | string>, name: string): number | string | undefined {
  const key = Object.keys(params).find((k) => k.endsWith(`.${name}`));
  return key === undefined ? undefined : params[key];
}

export function matchesWhere(result: RunResult, where: Expectation['where']): boolean {
  return Object.entries(where ?? {}).every(([key, wanted]) => {
    const actual = result.params[key] ?? paramBySuffix(result.params, key) ?? lookup(result.config, key);
    if (actual === undefined) return false;
    if (typeof actual === 'number' && typeof wanted === 'string') {
      return parseDurationMs(wanted) === actual || parseRatioNumber(wanted) === actual;
    }
    return String(actual) === String(wanted);
  });
}

interface Bounds {
  max?: number;
  min?: number;
}

function boundExpr(value: number | string | undefined): Expr | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? { kind: 'number', value } : parseExpression(value);
}

const aggregates: Record<string, (values: number[]) => number> = {
  mean: (values) => values.reduce((a, b) => a + b, 0) / values.length,
  median: (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  },
  min: (values) => Math.min(...values),
  max: (values) => Math.max(...values),
  sum: (values) => values.reduce((a, b) => a + b, 0),
};

export function evaluateExpectation(
  expectation: Expectation,
  results: readonly RunResult[],
  options: { sharded: boolean } = { sharded: false },
): EvaluatedExpectation {
  const expression = describeExpectation(expectation);
  const severity = expectation.severity ?? 'fail';
  const done = (ok: boolean, detail: string, worstRunId?: string): EvaluatedExpectation => ({
    outcome: { expression, ok, detail: severity === 'warn' && !ok ? `warning: ${detail}` : detail },
    severity,
    ...(worstRunId === undefined ? {} : { worstRunId }),
  });
  const runs = results.filter((result) => matchesWhere(result, expectation.where));
  if (runs.length === 0) {
    return options.sharded
      ? done(true, 'no matching run in this shard')
      : done(false, 'no run matched; check where:');
  }
  const metric = parseExpression(expectation.metric);
  const [maxExpr, minExpr] = [boundExpr(expectation.max), boundExpr(expectation.min)];
  const measured: { runId: string; value: number; bounds: Bounds }[] = [];
  for (const run of runs) {
    const resolve = resolverFor(run);
    try {
      const bounds: Bounds = {};
      if (maxExpr) bounds.max = evaluate(maxExpr, resolve);
      if (minExpr) bounds.min = evaluate(minExpr, resolve);
      measured.push({ runId: run.runId, value: evaluate(metric, resolve), bounds });
    } catch (error) {
      return done(false, `${run.runId}: ${(error as Error).message}`, run.runId);
    }
  }
  const over = expectation.over ?? 'each';
  return over === 'each' ? judgeEach(measured, done) : judgeAggregate(over, measured, done);
}

type Done = (ok: boolean, detail: string, worstRunId?: string) => EvaluatedExpectation;

function violation(value: number, bounds: Bounds): string | undefined {
  if (bounds.max !== undefined && !(value <= bounds.max)) return `${round(value)} > ${round(bounds.max)}`;
  if (bounds.min !== undefined && !(value >= bounds.min)) return `${round(value)} < ${round(bounds.min)}`;
  return undefined;
}

function judgeEach(
  measured: { runId: string; value: number; bounds: Bounds }[],
  done: Done,
): EvaluatedExpectation {
  const failures = measured.flatMap((m) => {
    const why = violation(m.value, m.bounds);
    return why === undefined ? [] : [{ ...m, why, excess: excess(m.value, m.bounds) }];
  });
  if (failures.length === 0) {
    const values = measured.map((m) => m.value);
    return done(
      true,
      `held on ${measured.length} runs (values ${round(Math.min(...values))}..${round(Math.max(...values))})`,
    );
  }
  failures.sort((a, b) => b.excess - a.excess);
  const shown = failures
    .slice(0, 3)
    .map((f) => `${f.runId}: ${f.why}`)
    .join('; ');
  return done(false, `failed on ${failures.length}/${measured.length} runs: ${shown}`, failures[0]!.runId);
}

function judgeAggregate(
  over: string,
  measured: { runId: string; value: number; bounds: Bounds }[],
  done: Done,
): EvaluatedExpectation {
  const value = aggregates[over]!(measured.map((m) => m.value));
  const maxes = measured.flatMap((m) => (m.bounds.max === undefined ? [] : [m.bounds.max]));
  const mins = measured.flatMap((m) => (m.bounds.min === undefined ? [] : [m.bounds.min]));
  const bounds: Bounds = {};
  if (maxes.length > 0) bounds.max = Math.min(...maxes);
  if (mins.length > 0) bounds.min = Math.max(...mins);
  const why = violation(value, bounds);
  if (why === undefined) return done(true, `${over} over ${measured.length} runs is ${round(value)}`);
  const worst = [...measured].sort((a, b) => excess(b.value, bounds) - excess(a.value, bounds))[0]!;
  return done(false, `${over} over ${measured.length} runs: ${why}`, worst.runId);
}

function excess(value: number, bounds: Bounds): number {
  return Math.max(
    value - (bounds.max ?? Number.POSITIVE_INFINITY),
    (bounds.min ?? Number.NEGATIVE_INFINITY) - value,
    0,
  );
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
