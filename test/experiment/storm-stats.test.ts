/**
 * The checker's reconnect-storm figures (`StormStats`, experiment/checker.ts) on hand-written
 * histories: a server holding clients crashes, they come back elsewhere, and the figures read
 * the truth, the per-server truth, the WHO records, the unconfirmed clients and the counter
 * samples exactly as both engines record them. Properties range over random storms.
 */
import { fc, test as prop } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { type CheckOptions, checkHistory, crashedServersOf } from '../../experiment/checker.ts';
import {
  emptyHistory,
  type History,
  recordCounters,
  recordPoint,
  recordServerTruth,
  recordTruth,
} from '../../experiment/history.ts';
import { absorbSlackShare, stormQuietMsMax, stormWindowMsMin } from '../../experiment/result.ts';

const options: CheckOptions = {
  mode: 'a',
  ttlMs: 5000,
  heartbeatMs: 1000,
  quietMs: 10,
  healAtMs: -1,
  seriesResolutionMs: 1000,
  perServerSeries: false,
  idStrategy: 'uuid',
  loadBalancerPolicy: 'round-robin',
  connectionAgeMsMax: 0,
  idleTimeoutMs: 0,
};

/** Two servers with `held` clients each; server-0 crashes at 10 s and its clients land on server-1 at `backAtMs`. */
function storm(held: number, backAtMs: number[]): History {
  const h = emptyHistory(30_000);
  recordTruth(h, 0, 2 * held);
  recordServerTruth(h, 0, 0, held);
  recordServerTruth(h, 1, 0, held);
  h.events.push({ atMs: 10_000, kind: 'crash', target: 'server-0' });
  recordTruth(h, 10_000, held);
  recordServerTruth(h, 0, 10_000, 0);
  const sorted = [...backAtMs].sort((a, b) => a - b);
  sorted.forEach((atMs, index) => {
    recordTruth(h, atMs, held + index + 1);
    recordServerTruth(h, 1, atMs, held + index + 1);
  });
  return h;
}

const who = (askedAtMs: number, latencyMs: number, serverIndex = 1) => ({
  askedAtMs,
  answeredAtMs: askedAtMs + latencyMs,
  outcome: 'count' as const,
  value: 0,
  serverIndex,
});

describe('checker: reconnect storms', () => {
  test('the absorb time runs from the crash until the last of the crashed server’s clients is back', () => {
    const [storm0] = checkHistory(storm(3, [10_100, 10_500, 12_000]), options).storms!;
    expect(storm0).toMatchObject({
      event: 'crash server-0',
      clientsDropped: 3,
      clientsBefore: 6,
      absorbMs: 2000,
    });
  });

  test('the storm window lasts at least stormWindowMsMin, and the absorb time when longer', () => {
    const fast = checkHistory(storm(2, [10_010, 10_020]), options).storms![0]!;
    expect(fast.windowEndMs).toBe(10_000 + stormWindowMsMin);
    const slow = checkHistory(storm(2, [10_010, 14_000]), options).storms![0]!;
    expect(slow.windowEndMs).toBe(14_000);
  });

  test('a storm whose clients never all come back is not absorbed within the run', () => {
    const h = storm(
      200,
      Array.from({ length: 150 }, (_, index) => 10_000 + index * 10),
    );
    expect(checkHistory(h, options).storms![0]!.absorbMs).toBeNull();
  });

  test('a session that ended while its client waited (within absorbSlackShare) does not hold the storm open', () => {
    const held = 200;
    const missing = Math.floor(absorbSlackShare * held);
    const back = Array.from({ length: held - missing }, (_, index) => 10_000 + (index + 1) * 10);
    expect(checkHistory(storm(held, back), options).storms![0]!.absorbMs).toBe((held - missing) * 10);
  });

  test('a crash of a server with no clients is absorbed at once', () => {
    const [storm0] = checkHistory(storm(0, []), options).storms!;
    expect(storm0).toMatchObject({ clientsDropped: 0, absorbMs: 0 });
  });

  test('a run without a crash has no storm', () => {
    const h = storm(2, [10_010, 10_020]);
    h.events = [{ atMs: 10_000, kind: 'stop', target: 'server-0' }];
    expect(checkHistory(h, options).storms).toBeUndefined();
  });

  test('a clients’ close seen after the crash event (the lab) still starts the storm at the crash', () => {
    const h = emptyHistory(30_000);
    recordTruth(h, 0, 4);
    recordServerTruth(h, 0, 0, 2);
    recordServerTruth(h, 1, 0, 2);
    h.events.push({ atMs: 10_000, kind: 'crash', target: 'server-0' });
    recordTruth(h, 10_050, 2);
    recordServerTruth(h, 0, 10_050, 0);
    recordTruth(h, 10_300, 4);
    recordServerTruth(h, 1, 10_300, 4);
    expect(checkHistory(h, options).storms![0]!).toMatchObject({ clientsDropped: 2, absorbMs: 300 });
  });

  test('WHO p99 compares the survivors’ answers in the storm window with the quiet before it', () => {
    const h = storm(2, [10_010, 10_020]);
    for (let atMs = 5_000; atMs < 10_000; atMs += 100) h.who.push(who(atMs, 2));
    for (let atMs = 10_000; atMs < 11_000; atMs += 100) h.who.push(who(atMs, 40));
    // Asked of the crashed server: left out (its clients are the ones reconnecting).
    h.who.push(who(10_000, 5_000, 0));
    const { whoLatencyMsP99, whoAsked } = checkHistory(h, options).storms![0]!;
    expect(whoLatencyMsP99).toEqual({ quiet: 2, storm: 40 });
    expect(whoAsked).toEqual({ quiet: 50, storm: 10 });
  });

  test('a WHO never answered in the storm counts at its timeout', () => {
    const h = storm(2, [10_010, 10_020]);
    h.who.push({ ...who(10_100, 3_000), outcome: 'timeout' as const });
    expect(checkHistory(h, options).storms![0]!.whoLatencyMsP99.storm).toBe(3_000);
  });

  test('the quiet is the last stormQuietMsMax before the crash', () => {
    const h = storm(2, [10_010, 10_020]);
    h.who.push(who(10_000 - stormQuietMsMax - 1, 900), who(9_000, 3));
    expect(checkHistory(h, options).storms![0]!.whoLatencyMsP99.quiet).toBe(3);
  });

  test('mode A’s Redis writes/s and mode C’s broadcasts/s are differences of the counter samples', () => {
    const h = storm(2, [10_010, 10_020]);
    for (let atMs = 1_000; atMs <= 30_000; atMs += 1_000) {
      const writes = atMs <= 10_000 ? atMs / 1000 : 10 + ((atMs - 10_000) / 1000) * (atMs <= 11_000 ? 50 : 1);
      recordCounters(h, atMs, writes, 2 * writes);
    }
    const a = checkHistory(h, options).storms![0]!;
    expect(a.redisWritesPerSec).toEqual({ quiet: 1, storm: 50 });
    expect(a.broadcastsPerSec).toBeUndefined();
    const c = checkHistory(h, { ...options, mode: 'c' }).storms![0]!;
    expect(c.broadcastsPerSec).toEqual({ quiet: 2, storm: 100 });
    expect(c.redisWritesPerSec).toBeUndefined();
  });

  test('without counter samples there are no rates', () => {
    expect(checkHistory(storm(2, [10_010]), options).storms![0]!.redisWritesPerSec).toBeUndefined();
  });

  test('connect-to-first-reply is the unconfirmed clients’ area over the window ÷ the connections opened in it', () => {
    const h = storm(2, [10_010, 10_020]);
    h.unconfirmed = { tMs: [0], count: [0] };
    recordPoint(h.unconfirmed, 10_010, 1);
    recordPoint(h.unconfirmed, 10_020, 2);
    recordPoint(h.unconfirmed, 10_110, 1);
    recordPoint(h.unconfirmed, 10_320, 0);
    // Area: 1 x 10 + 2 x 90 + 1 x 210 = 400 client-ms over 2 connections.
    expect(checkHistory(h, options).storms![0]!.connectToReplyMsMean).toBe(200);
    expect(checkHistory(storm(2, [10_010]), options).storms![0]!.connectToReplyMsMean).toBeUndefined();
  });

  test('a zone crash takes every server of the zone (round robin); a zone partition is no crash', () => {
    const event = { kind: 'zone-outage', target: 'zone-1' };
    expect(crashedServersOf({ ...event, detail: 'durationMs=60000 outage=crash' }, 6, 3)).toEqual([1, 4]);
    expect(crashedServersOf({ ...event, detail: 'outage=partition' }, 6, 3)).toBeUndefined();
    expect(crashedServersOf({ kind: 'crash', target: 'server-2' }, 6, 3)).toEqual([2]);
  });

  prop.prop([
    fc.integer({ min: 0, max: 40 }),
    fc.array(fc.integer({ min: 0, max: 25_000 }), { maxLength: 40 }),
    fc.integer({ min: 0, max: 200 }),
  ])(
    'the absorb time is never negative, and 0 when the crashed server held no client',
    (held, delays, lagMs) => {
      const h = storm(
        held,
        delays.slice(0, held).map((delayMs) => 10_000 + lagMs + delayMs),
      );
      const stats = checkHistory(h, options).storms![0]!;
      if (stats.absorbMs !== null) expect(stats.absorbMs).toBeGreaterThanOrEqual(0);
      if (held === 0) expect(stats.absorbMs).toBe(0);
      expect(stats.windowEndMs).toBeGreaterThanOrEqual(stats.atMs);
      expect(stats.windowEndMs).toBeLessThanOrEqual(h.durationMs);
    },
  );
});
