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
