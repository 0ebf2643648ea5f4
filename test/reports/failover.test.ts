/**
 * The failover answer (reports/failover.ts) from the fixtures: three Sentinel down-afters over
 * three seeds on the simulator, one on the real engine. Goal: the row recommends the setting whose
 * registry entries outlive the failover, names the ones that let entries expire, gives the spread
 * over seeds, and labels the real check REAL beside the simulated figure of the same setting.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  answerFailover,
  entriesOutliveFailover,
  failoverDecision,
  failoverPoints,
} from '../../reports/failover.ts';
import { readResults } from '../../reports/load-results.ts';
import { untag } from '../../reports/quantities.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const data = readResults([join(fixtures, 'results-sim'), join(fixtures, 'results-real')]);

describe('reports: what Redis high availability buys mode A', () => {
  test('the simulated runs group by down-after, each with its spread over three seeds', () => {
    const points = failoverPoints(
      data.runs.filter((run) => run.engine === 'sim' && run.scenario === 'redis-failover'),
    );
    expect(points.map((p) => p.downAfterMs)).toEqual([1_000, 3_000, 6_000]);
    expect(points.map((p) => p.wrongSpan.seeds)).toEqual([3, 3, 3]);
    expect(points.map(entriesOutliveFailover)).toEqual([true, false, false]);
  });

  test('the row recommends the setting whose entries outlive the failover and names the others', () => {
    const row = failoverDecision(data);
    const text = untag(`${row.recommendation} ${row.figure} ${row.spread} ${row.source}`);
    expect(text).toContain('keep down-after 1 s + election 1 s + reconnect 1 s + heartbeat 1 s < TTL 5 s');
    expect(text).toContain('Without that margin (down-after 3 s, down-after 6 s)');
    expect(text).toContain('over 3 seeds (down-after 1 s)');
    expect(text).toMatch(
      /^[\s\S]*SIM \(redis-failover\); REAL[\s\S]*down-after 3 s: wrong for [\d.]+ s against SIM [\d.]+ s/,
    );
  });

  test('the answer repeats the row’s figures and says what high availability does not buy', () => {
    const row = failoverDecision(data);
    const answer = answerFailover(data);
    expect(answer.missing).toBeUndefined();
    const figure = /wrong for up to ⟦failover\.wrongSpan⟧([^⟦]+)⟦/.exec(row.figure)?.[1];
    expect(untag(answer.text)).toContain(`WHO was wrong for up to ${figure}`);
    expect(answer.text).toContain('not correct answers through the failover');
  });
});
