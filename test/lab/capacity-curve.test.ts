import { describe, expect, test } from 'vitest';
import { capacityCurve } from '../../lab/capacity-curve.ts';
import { emptyHistory, type History } from '../../experiment/history.ts';

function history(): History {
  const h = emptyHistory(1_000);
  // 100 connections from 0 ms, 300 from 500 ms.
  h.truthTMs = [0, 0, 500];
  h.truthCount = [0, 100, 300];
  for (let atMs = 0; atMs < 1_000; atMs += 10) {
    const late = atMs >= 500;
    h.who.push({
      askedAtMs: atMs,
      answeredAtMs: atMs + (late ? 80 : 2),
      outcome: late && atMs % 100 === 0 ? 'unavailable' : 'count',
      value: late ? 300 : 100,
      serverIndex: 0,
    });
  }
  return h;
}

describe('lab: the capacity curve of a ramped real run', () => {
  test('each window holds the connections at its end, its WHO p99 and its errors, and memory per connection', () => {
    const curve = capacityCurve(
      history(),
      [
        { atMs: 0, rssBytes: 1_000_000 },
        { atMs: 500, rssBytes: 1_400_000 },
        { atMs: 1_000, rssBytes: 2_500_000 },
      ],
      2,
    );
    expect(curve).toEqual([
      { connections: 300, latencyMsP99: 2, errors: 0, rssBytesPerConnection: 400_000 / 300 },
      { connections: 300, latencyMsP99: 80, errors: 5, rssBytesPerConnection: 1_500_000 / 300 },
    ]);
  });

  test('a run without connections reports zero memory per connection rather than dividing by zero', () => {
    const empty = emptyHistory(1_000);
    expect(capacityCurve(empty, [], 1)).toEqual([
      { connections: 0, latencyMsP99: 0, errors: 0, rssBytesPerConnection: 0 },
    ]);
  });
});
