import { describe, expect, test } from 'vitest';
import { recordLatencyUs } from '../../../lab/load/histograms.ts';
import { resolveLoadOptions } from '../../../lab/load/options.ts';
import { formatProgress, formatResult } from '../../../lab/load/print-result.ts';
import { ShardStats } from '../../../lab/load/shard-stats.ts';

describe('lab/load: printing', () => {
  test('an open-loop result prints percentiles, the intended-time note, errors and unsent requests', () => {
    const resolved = resolveLoadOptions({
      targets: [{ host: '127.0.0.1', port: 7000 }],
      connectionCount: 2,
      ratePerSec: 100,
    });
    if (!resolved.ok) throw new Error('options');
    const stats = new ShardStats(1);
    for (const latencyUs of [100, 200, 300, 400, 5000]) recordLatencyUs(stats.requestLatency, latencyUs);
    for (const lagUs of [10, 20]) recordLatencyUs(stats.sendLag, lagUs);
    recordLatencyUs(stats.connectLatency, 250);
    Object.assign(stats, {
      sent: 5,
      completed: 5,
      ok: 4,
      unsent: 2,
      connectsAttempted: 2,
      connectsSucceeded: 1,
    });
    stats.errors.errReply = 1;
    stats.errors.refused = 1;
    const text = formatResult(
      stats.toResult({
        options: resolved.value,
        startedAtMs: 0,
        measuredMs: 1000,
        stoppedBy: 'duration',
        expectedIntervalUs: 20_000,
      }),
    );
    expect(text).toMatchInlineSnapshot(`
      "load: 127.0.0.1:7000 — 2 connections, open loop, 100 req/s, expectedIntervalUs 20000 (latency from intended send time)
      measured 1.00 s, stopped by duration, 1 part(s)

                         p50      p90      p99    p99.9      max     mean   count
      request µs         300     5003     5003     5003     5003     1200   5
      connect µs         250      250      250      250      250      250   1
      send lag µs         10       20       20       20       20       15   2

      requests: 5 completed (4 ok) of 5 sent, 5 req/s
      connects: 1/2 succeeded, 0 closed
      errors: refused 1, errReply 1
      warning: 2 scheduled requests were never sent; the target rate was not reached
      "
    `);
  });

  test('the progress line shows connections, req/s and p99', () => {
    expect(
      formatProgress({ elapsedMs: 3000, openConnectionCount: 50, requestsPerSec: 1234.6, latencyUsP99: 812 }),
    ).toBe('\r   3s  conns 50  req/s 1235  p99 812 µs   ');
  });
});
