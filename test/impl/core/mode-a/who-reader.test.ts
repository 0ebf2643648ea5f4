/**
 * The WHO reader always answers: from Redis, from a fresh cache, or, when Redis fails or is
 * slower than whoTimeoutMs, from the last known total or this server's own count.
 */
import { describe, expect, test } from 'vitest';
import type { WhoReply } from '../../../../impl/core/counting-backend.ts';
import { modeAOptionsFrom } from '../../../../impl/core/mode-a/options.ts';
import { WhoReader } from '../../../../impl/core/mode-a/who-reader.ts';

function reader(whoCacheMs = 0, ownCount = 7) {
  let opId = 0;
  const options = modeAOptionsFrom({
    ttlMs: 5_000,
    heartbeatMs: 1_000,
    publishDelayMs: 0,
    whoTimeoutMs: 200,
    whoCacheMs,
  });
  return new WhoReader(
    options,
    () => ++opId,
    () => ownCount,
  );
}

function ask(r: WhoReader, nowMs: number): { reply?: WhoReply } {
  const box: { reply?: WhoReply } = {};
  r.who(nowMs, (reply) => {
    box.reply = reply;
  });
  return box;
}

describe('mode A: WHO reader', () => {
  test('each WHO costs one kv.total and answers its total with source redis', () => {
    const r = reader();
    const a = ask(r, 0);
    const b = ask(r, 0);
    const effects = r.takeEffects();
    expect(effects.map((e) => e.kind)).toEqual(['kv.total', 'kv.total']);
    r.onResult(effects[0]!.opId, { ok: true, value: { total: 12, servers: 3 } }, 2);
    expect(a.reply).toEqual({ kind: 'count', total: 12, source: 'redis', ageMs: 2 });
    expect(b.reply).toBeUndefined();
  });

  test('before Redis ever answered, a failed read answers this server own count with source local', () => {
    const r = reader();
    const a = ask(r, 0);
    r.onResult(
      r.takeEffects()[0]!.opId,
      { ok: false, error: { code: 'HC_KV_UNAVAILABLE', definite: true, message: 'x' } },
      1,
    );
    expect(a.reply).toMatchObject({ total: 7, source: 'local' });
  });

  test('a read slower than whoTimeoutMs answers the last known total at the deadline, and its late answer still refreshes it', () => {
    const r = reader();
    const first = ask(r, 0);
    r.onResult(r.takeEffects()[0]!.opId, { ok: true, value: { total: 5, servers: 1 } }, 1);
    expect(first.reply).toMatchObject({ total: 5 });
    const slow = ask(r, 1_000);
    const [read] = r.takeEffects();
    expect(r.nextDeadlineMs()).toBe(1_200);
    r.onDeadline(1_200);
    expect(slow.reply).toEqual({
      kind: 'count',
      total: 5,
      source: 'last-known',
      ageMs: 1_200,
      detail: 'timeout',
    });
    r.onResult(read!.opId, { ok: true, value: { total: 9, servers: 2 } }, 1_500);
    expect(r.known).toEqual({ total: 9, servers: 2, sentAtMs: 1_000 });
  });

  test('with whoCacheMs, a fresh total answers at once and reads in flight are shared', () => {
    const r = reader(100);
    const a = ask(r, 0);
    const b = ask(r, 1);
    const effects = r.takeEffects();
    expect(effects).toHaveLength(1);
    r.onResult(effects[0]!.opId, { ok: true, value: { total: 4, servers: 2 } }, 3);
    expect(a.reply).toMatchObject({ total: 4, source: 'redis' });
    expect(b.reply).toMatchObject({ total: 4, source: 'redis' });
    const c = ask(r, 50);
    expect(c.reply).toEqual({ kind: 'count', total: 4, source: 'cache', ageMs: 50 });
    expect(r.takeEffects()).toEqual([]);
    ask(r, 101);
    expect(r.takeEffects()).toHaveLength(1);
  });

  test('reads in flight are bounded by readsInFlightMax; beyond it WHO shares the newest read', () => {
    const r = reader();
    for (let i = 0; i < 200; i += 1) ask(r, 0);
    expect(r.takeEffects()).toHaveLength(64);
    expect(r.readsInFlight).toBe(64);
  });
});

describe('mode A: WHO reader edges', () => {
  test('a late answer to an older read does not overwrite the total a newer read already brought', () => {
    const r = reader();
    ask(r, 0);
    ask(r, 10);
    const [older, newer] = r.takeEffects();
    r.onResult(newer!.opId, { ok: true, value: { total: 5, servers: 2 } }, 20);
    r.onResult(older!.opId, { ok: true, value: { total: 3, servers: 1 } }, 30);
    expect(r.known).toEqual({ total: 5, servers: 2, sentAtMs: 10 });
  });

  test('two reads sent in the same millisecond: the later answer wins', () => {
    const r = reader();
    ask(r, 0);
    ask(r, 0);
    const [first, second] = r.takeEffects();
    r.onResult(first!.opId, { ok: true, value: { total: 5, servers: 2 } }, 20);
    r.onResult(second!.opId, { ok: true, value: { total: 6, servers: 2 } }, 30);
    expect(r.known?.total).toBe(6);
  });

  test('a read times out at whoTimeoutMs, not a millisecond before, and reports the deadline meanwhile', () => {
    const r = reader();
    const box = ask(r, 100);
    ask(r, 150);
    expect(r.nextDeadlineMs()).toBe(300);
    r.onDeadline(299);
    expect(box.reply).toBeUndefined();
    r.onDeadline(300);
    expect(box.reply).toEqual({ kind: 'count', total: 7, source: 'local', ageMs: 0, detail: 'timeout' });
    expect(r.nextDeadlineMs()).toBe(350);
    expect(r.readsInFlight).toBe(1);
  });

  test('a failed read answers the last known total with its age and the error code, and sets lastError until a success', () => {
    const r = reader();
    ask(r, 0);
    r.onResult(r.takeEffects()[0]!.opId, { ok: true, value: { total: 4, servers: 1 } }, 5);
    const box = ask(r, 50);
    const error = { code: 'HC_KV_FAILED', definite: false, message: 'x' } as const;
    r.onResult(r.takeEffects()[0]!.opId, { ok: false, error }, 60);
    expect(box.reply).toEqual({
      kind: 'count',
      total: 4,
      source: 'last-known',
      ageMs: 60,
      detail: 'HC_KV_FAILED',
    });
    expect(r.lastError).toEqual(error);
    expect(r.lastSource).toBe('last-known');
    expect(r.lastAgeMs).toBe(60);
    ask(r, 70);
    r.onResult(r.takeEffects()[0]!.opId, { ok: true, value: { total: 4, servers: 1 } }, 75);
    expect(r.lastError).toBeUndefined();
  });

  test('a cached total answers up to exactly whoCacheMs old, then a new read is made', () => {
    const r = reader(100);
    ask(r, 0);
    r.onResult(r.takeEffects()[0]!.opId, { ok: true, value: { total: 4, servers: 1 } }, 5);
    expect(ask(r, 100).reply).toEqual({ kind: 'count', total: 4, source: 'cache', ageMs: 100 });
    expect(r.takeEffects()).toEqual([]);
    expect(ask(r, 101).reply).toBeUndefined();
    expect(r.takeEffects()).toEqual([{ opId: 2, kind: 'kv.total', timeoutMs: 200 }]);
  });

  test('an answer for a read it never made, or one long forgotten, changes nothing', () => {
    const r = reader();
    r.onResult(99, { ok: true, value: { total: 9, servers: 1 } }, 0);
    expect(r.known).toBeUndefined();
    expect(r.owns(99)).toBe(false);
  });

  test('the age of an answer is never negative, even when the clock went back', () => {
    const r = reader();
    const box = ask(r, 100);
    r.onResult(r.takeEffects()[0]!.opId, { ok: true, value: { total: 2, servers: 1 } }, 90);
    expect(box.reply).toMatchObject({ ageMs: 0 });
  });
});

describe('mode A: WHO reader memory', () => {
  test('late answers are awaited for at most readsInFlightMax timed-out reads; the oldest is forgotten first', () => {
    const r = reader();
    const opIds: number[] = [];
    for (let index = 0; index <= 64; index += 1) {
      ask(r, index * 1_000);
      opIds.push(r.takeEffects()[0]!.opId);
      r.onDeadline(index * 1_000 + 200);
    }
    expect(r.owns(opIds[0]!)).toBe(false);
    expect(r.owns(opIds[1]!)).toBe(true);
    expect(r.owns(opIds[64]!)).toBe(true);
  });
});
