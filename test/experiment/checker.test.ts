import { describe, expect, test } from 'vitest';
import { checkHistory, type CheckOptions } from '../../experiment/checker.ts';
import { emptyHistory, type History, recordTruth } from '../../experiment/history.ts';

const options: CheckOptions = {
  mode: 'a',
  ttlMs: 1000,
  heartbeatMs: 100,
  quietMs: 10,
  healAtMs: 0,
  seriesResolutionMs: 1000,
  perServerSeries: false,
  idStrategy: 'uuid',
  loadBalancerPolicy: 'round-robin',
  connectionAgeMsMax: 0,
  idleTimeoutMs: 0,
};

function history(): History {
  const h = emptyHistory(10_000);
  recordTruth(h, 0, 5);
  recordTruth(h, 3000, 6);
  return h;
}

const ask = (askedAtMs: number, answeredAtMs: number, value: number) => ({
  askedAtMs,
  answeredAtMs,
  outcome: 'count' as const,
  value,
  serverIndex: 0,
});

describe('sim: checker on hand-written histories', () => {
  test('an empty history is fully available and has no windows', () => {
    const parts = checkHistory(emptyHistory(1000), options);
    expect(parts.who.asked).toBe(0);
    expect(parts.who.availability).toBe(1);
    expect(parts.staleWindows).toEqual([]);
  });

  test('an answer inside the truth range of its interval has error 0, even across a change', () => {
    const h = history();
    h.who.push(ask(2990, 3010, 5), ask(2990, 3010, 6));
    const parts = checkHistory(h, options);
    expect(parts.who.wrong).toBe(0);
  });

  test('an overcount and an undercount are measured from the nearest truth bound', () => {
    const h = history();
    h.who.push(ask(1000, 1001, 8), ask(5000, 5001, 4));
    const parts = checkHistory(h, options);
    // Time-averaged over the two numeric answers: 3 / 2 over, 2 / 2 under.
    expect(parts.who.overcount).toEqual({ answers: 1, max: 3, mean: 1.5 });
    expect(parts.who.undercount).toEqual({ answers: 1, max: 2, mean: 1 });
    expect(parts.who.error.min).toBe(-2);
  });

  test('consecutive wrong answers form one stale window blamed on the active fault', () => {
    const h = history();
    h.events.push({ atMs: 500, kind: 'crash', target: 'server-1' });
    h.who.push(ask(600, 601, 9), ask(700, 701, 9), ask(800, 801, 5), ask(900, 901, 9));
    const parts = checkHistory(h, options);
    expect(parts.staleWindows.map((w) => [w.startMs, w.endMs, w.cause])).toEqual([
      [600, 701, 'crash server-1'],
      [900, 901, 'crash server-1'],
    ]);
  });

  test('refusals and timeouts form refusal windows and lower availability', () => {
    const h = history();
    h.who.push(
      { askedAtMs: 100, answeredAtMs: 101, outcome: 'unavailable', value: -1, serverIndex: 0 },
      { askedAtMs: 200, answeredAtMs: 5200, outcome: 'timeout', value: -1, serverIndex: 0 },
      ask(6000, 6001, 6),
    );
    const parts = checkHistory(h, { ...options, mode: 'c' });
    expect(parts.who.availability).toBe(0.333333);
    expect(parts.refusalWindows).toHaveLength(1);
    expect(parts.refusalWindows[0]!.durationMs).toBe(5100);
  });

  test('a settled wrong answer after heal + ttl + heartbeat fails the mode A convergence check', () => {
    const h = history();
    h.who.push(ask(9000, 9001, 7));
    const check = checkHistory(h, options).checks.find((c) => c.name === 'who-exact-after-heal');
    expect(check?.ok).toBe(false);
  });

  test('availability is never rounded up to 100% while a request failed', () => {
    const h = history();
    for (let k = 0; k < 99_999; k += 1) h.who.push(ask(100, 101, 5));
    h.who.push({ ...ask(200, 300, -1), outcome: 'unavailable' });
    expect(checkHistory(h, options).who.availability).toBe(0.99999);
  });

  test('a double count is the overcount left after the restarted server boots, not the one before', () => {
    const h = history();
    h.boots.push({ serverIndex: 1, id: 'old', atMs: 0 }, { serverIndex: 1, id: 'new', atMs: 1500 });
    h.events.push({ atMs: 1000, kind: 'crash', target: 'server-1' });
    // Overcount by 4 from the crash; by 2 after the boot until the old entry expires at 2600.
    h.who.push(ask(1100, 1101, 9), ask(1400, 1401, 9), ask(1600, 1601, 7), ask(2500, 2501, 7));
    h.who.push(ask(2700, 2701, 5));
    const ids = checkHistory(h, options).ids!;
    expect(ids.doubleCountMax).toBe(2);
    expect(ids.doubleCountWindowMsMax).toBe(1001);
    expect(ids.doubleCountBoots).toBe(1);
  });

  test('a boot after the stale window closed is no double count', () => {
    const h = history();
    h.boots.push({ serverIndex: 1, id: 'old', atMs: 0 }, { serverIndex: 1, id: 'new', atMs: 2000 });
    h.who.push(ask(1100, 1101, 9), ask(1900, 1901, 5), ask(2100, 2101, 5));
    expect(checkHistory(h, options).ids!.doubleCountMax).toBe(0);
  });

  test('rebalancing is timed from a server joining until the imbalance falls to 20%', () => {
    const h = history();
    h.events.push({ atMs: 1000, kind: 'heal', target: 'server-2', detail: 'stop' });
    h.sampleTMs.push(500, 1500, 2500, 3500);
    h.samplePerServer.push([10, 10, -1], [10, 10, 1], [10, 9, 6], [10, 10, 9]);
    const lb = checkHistory(h, options).loadBalancer!;
    expect(lb.rebalances).toEqual([
      { atMs: 1000, event: 'stop server-2', imbalanceAtJoin: 1.286, rebalanceMs: 2500 },
    ]);
  });

  test('the same id booted on two servers is a collision', () => {
    const h = history();
    h.boots.push({ serverIndex: 0, id: 'x', atMs: 0 }, { serverIndex: 1, id: 'x', atMs: 0 });
    expect(checkHistory(h, options).ids?.collisions).toBe(1);
  });
});

describe('checker: connections the servers may not hold yet (the lab’s unconfirmed clients)', () => {
  /** Truth 10 from 0; 4 of them unconfirmed from 1 s until 2 s (connected, not yet answered). */
  function withUnconfirmed(): History {
    const h = emptyHistory(10_000);
    recordTruth(h, 0, 6);
    recordTruth(h, 1_000, 10);
    h.unconfirmed = { tMs: [0, 1_000, 2_000], count: [0, 4, 0] };
    return h;
  }

  test('an answer that leaves out clients not yet answered once is not wrong', () => {
    const h = withUnconfirmed();
    h.who.push(ask(1_500, 1_510, 6), ask(1_500, 1_510, 10));
    expect(checkHistory(h, options).who.wrong).toBe(0);
  });

  test('an answer below truth minus the unconfirmed is still an undercount, by that bound', () => {
    const h = withUnconfirmed();
    h.who.push(ask(1_500, 1_510, 5), ask(2_500, 2_510, 6));
    const parts = checkHistory(h, options);
    expect(parts.who.wrong).toBe(2);
    expect(parts.who.error.min).toBe(-4);
  });

  test('without unconfirmed clients the range is the truth alone, as in the simulator', () => {
    const h = withUnconfirmed();
    delete h.unconfirmed;
    h.who.push(ask(1_500, 1_510, 6));
    expect(checkHistory(h, options).who.wrong).toBe(1);
  });
});
