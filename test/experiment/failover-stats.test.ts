/**
 * `failoverStatsOf` (experiment/finish-run.ts): a failover record becomes durations from the
 * primary's death, and the span of wrong answers is the failover's own.
 */
import { describe, expect, test } from 'vitest';
import { failoverStatsOf } from '../../experiment/finish-run.ts';
import type { FailoverRecord } from '../../experiment/history.ts';
import type { Window } from '../../experiment/result.ts';

const record: FailoverRecord = {
  atMs: 20_000,
  promotedAtMs: 24_000,
  entriesAtPrimary: 5,
  entriesLost: 1,
  clientsLost: 2,
  serversLive: 3,
  firstWriteAtMs: [24_600, 25_100, undefined, 25_300],
};

const window = (startMs: number, endMs: number, cause = 'redis-failover redis'): Window => ({
  startMs,
  endMs,
  durationMs: endMs - startMs,
  errorAbsMax: 3,
  cause,
});

describe('failover statistics', () => {
  test('times are measured from the death, and every live server must have written for the all-writing time', () => {
    const stats = failoverStatsOf(record, [], 1_000);
    expect(stats).toMatchObject({
      promotionMs: 4_000,
      serversWriting: 3,
      allWritingMs: 5_300,
      wrongSpanMs: 0,
    });
    const missing = failoverStatsOf({ ...record, firstWriteAtMs: [24_600, undefined, undefined] }, [], 1_000);
    expect(missing).toMatchObject({ serversWriting: 1, allWritingMs: null });
  });

  test('the wrong span ends with the failover’s windows, not with a later blip blamed on the still-active fault', () => {
    const windows = [
      window(20_100, 21_000),
      window(21_500, 25_800),
      window(32_800, 32_806),
      window(40_000, 40_001, 'propagation delay (no fault)'),
    ];
    expect(failoverStatsOf(record, windows, 1_000).wrongSpanMs).toBe(5_800);
  });
});
