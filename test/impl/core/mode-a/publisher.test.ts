/**
 * The publishing policy on its own: effects are read straight from the publisher and results fed
 * back by hand, so each rule (coalescing, heartbeat, one write in flight, backoff, stop) is seen
 * in isolation.
 */
import { describe, expect, test } from 'vitest';
import type { KvError } from '../../../../impl/core/mode-a/effects.ts';
import { modeAOptionsFrom } from '../../../../impl/core/mode-a/options.ts';
import { Publisher } from '../../../../impl/core/mode-a/publisher.ts';

const down: KvError = { code: 'HC_KV_UNAVAILABLE', definite: true, message: 'down' };

function publisher(flags: Partial<Parameters<typeof modeAOptionsFrom>[0]> = {}) {
  let opId = 0;
  const options = modeAOptionsFrom({
    ttlMs: 5_000,
    heartbeatMs: 1_000,
    publishDelayMs: 0,
    whoTimeoutMs: 200,
    whoCacheMs: 0,
    ...flags,
  });
  return new Publisher('s1', options, () => ++opId);
}

describe('mode A: publisher', () => {
  test('the first count is published at once with the ttl', () => {
    const p = publisher();
    p.onLocalCount(0, 0);
    expect(p.takeEffects()).toEqual([
      { opId: 1, kind: 'kv.publish', serverId: 's1', count: 0, ttlMs: 5_000, timeoutMs: 1_000 },
    ]);
  });

  test('with no publish delay, changes during a write in flight coalesce into one write of the latest count', () => {
    const p = publisher();
    p.onLocalCount(1, 0);
    const [first] = p.takeEffects();
    for (let count = 2; count <= 50; count += 1) p.onLocalCount(count, 1);
    expect(p.takeEffects()).toEqual([]);
    p.onResult(first!.opId, undefined, 2);
    const next = p.takeEffects();
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ kind: 'kv.publish', count: 50 });
  });

  test('a publish delay turns a storm of changes into at most one write per window', () => {
    const p = publisher({ publishDelayMs: 20 });
    let writes = 0;
    for (let nowMs = 0; nowMs < 1_000; nowMs += 1) {
      if ((p.nextDeadlineMs() ?? Number.POSITIVE_INFINITY) <= nowMs) p.onDeadline(nowMs);
      p.onLocalCount(nowMs, nowMs);
      for (const effect of p.takeEffects()) {
        writes += 1;
        p.onResult(effect.opId, undefined, nowMs);
      }
    }
    // 1000 ms / 20 ms = 50 windows; heartbeats are superseded by the change-driven writes.
    expect(writes).toBeLessThanOrEqual(1_000 / 20 + 1);
    expect(writes).toBeGreaterThanOrEqual(1_000 / 20 - 2);
  });

  test('with nothing changing, the entry is re-published every heartbeat', () => {
    const p = publisher({ heartbeatMs: 100 });
    p.onLocalCount(3, 0);
    p.onResult(p.takeEffects()[0]!.opId, undefined, 1);
    expect(p.nextDeadlineMs()).toBe(100);
    p.onDeadline(100);
    expect(p.takeEffects()).toMatchObject([{ kind: 'kv.publish', count: 3 }]);
  });

  test('a failed publish is retried with a doubling backoff capped at one second', () => {
    const p = publisher({ heartbeatMs: 10_000, ttlMs: 20_000 });
    p.onLocalCount(1, 0);
    let nowMs = 0;
    const delaysMs: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const [effect] = p.takeEffects();
      p.onResult(effect!.opId, down, nowMs);
      const retryAtMs = p.nextDeadlineMs()!;
      delaysMs.push(retryAtMs - nowMs);
      nowMs = retryAtMs;
      p.onDeadline(nowMs);
    }
    expect(delaysMs).toEqual([50, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(p.lastError).toEqual(down);
  });

  test('a graceful stop waits for the write in flight, then removes the entry and publishes nothing more', () => {
    const p = publisher();
    p.onLocalCount(4, 0);
    const [publish] = p.takeEffects();
    p.stop(1);
    expect(p.takeEffects()).toEqual([]);
    p.onResult(publish!.opId, undefined, 2);
    const [remove] = p.takeEffects();
    expect(remove).toMatchObject({ kind: 'kv.remove', serverId: 's1' });
    p.onLocalCount(0, 3);
    p.onResult(remove!.opId, undefined, 4);
    expect(p.state).toBe('stopped');
    expect(p.takeEffects()).toEqual([]);
    expect(p.nextDeadlineMs()).toBeUndefined();
  });

  test('a remove that keeps failing gives up after removeAttemptsMax tries and leaves the rest to the ttl', () => {
    const p = publisher();
    p.stop(0);
    let nowMs = 0;
    let removes = 0;
    while (p.state !== 'stopped' && removes < 10) {
      const effects = p.takeEffects();
      for (const effect of effects) {
        removes += 1;
        p.onResult(effect.opId, down, nowMs);
      }
      nowMs = p.nextDeadlineMs() ?? nowMs;
      p.onDeadline(nowMs);
    }
    expect(removes).toBe(3);
    expect(p.state).toBe('stopped');
  });
});
