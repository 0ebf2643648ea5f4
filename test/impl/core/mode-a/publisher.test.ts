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

describe('mode A: publisher timing edges', () => {
  test('a change is published exactly publishDelayMs after it happened, not a millisecond before', () => {
    const p = publisher({ publishDelayMs: 20 });
    p.onLocalCount(1, 100);
    expect(p.takeEffects()).toEqual([]);
    expect(p.nextDeadlineMs()).toBe(120);
    p.onLocalCount(2, 110);
    expect(p.nextDeadlineMs()).toBe(120);
    p.onDeadline(119);
    expect(p.takeEffects()).toEqual([]);
    p.onDeadline(120);
    expect(p.takeEffects()).toMatchObject([{ kind: 'kv.publish', count: 2 }]);
  });

  test('the heartbeat runs from when the publish was sent, and a success records count and time', () => {
    const p = publisher({ heartbeatMs: 100 });
    expect(p.nextDeadlineMs()).toBeUndefined();
    p.onLocalCount(3, 10);
    expect(p.nextDeadlineMs()).toBeUndefined();
    p.onResult(p.takeEffects()[0]!.opId, undefined, 40);
    expect(p.nextDeadlineMs()).toBe(110);
    expect(p.publishedCount).toBe(3);
    expect(p.lastPublishedAtMs).toBe(40);
    expect(p.writeCount).toBe(1);
    p.onDeadline(109);
    expect(p.takeEffects()).toEqual([]);
  });

  test('a failure counts up and a success resets the count and the error', () => {
    const p = publisher();
    p.onLocalCount(1, 0);
    p.onResult(p.takeEffects()[0]!.opId, down, 0);
    expect(p.failureCount).toBe(1);
    p.onDeadline(50);
    p.onResult(p.takeEffects()[0]!.opId, undefined, 60);
    expect(p.failureCount).toBe(0);
    expect(p.lastError).toBeUndefined();
  });

  test('a retry is not sent before its time even when the count changes meanwhile', () => {
    const p = publisher();
    p.onLocalCount(1, 0);
    p.onResult(p.takeEffects()[0]!.opId, down, 0);
    p.onLocalCount(2, 10);
    expect(p.takeEffects()).toEqual([]);
    expect(p.nextDeadlineMs()).toBe(50);
    p.onDeadline(50);
    expect(p.takeEffects()).toMatchObject([{ kind: 'kv.publish', count: 2 }]);
  });

  test('a failed publish with a publish delay is retried at the backoff, not a delay later', () => {
    const p = publisher({ publishDelayMs: 500 });
    p.onLocalCount(1, 0);
    p.onDeadline(500);
    p.onResult(p.takeEffects()[0]!.opId, down, 510);
    p.onDeadline(560);
    expect(p.takeEffects()).toMatchObject([{ kind: 'kv.publish', count: 1 }]);
  });

  test('a result for an op id it is not waiting for changes nothing', () => {
    const p = publisher();
    p.onLocalCount(1, 0);
    const [publish] = p.takeEffects();
    p.onResult(publish!.opId + 1, down, 1);
    expect(p.owns(publish!.opId)).toBe(true);
    expect(p.owns(publish!.opId + 1)).toBe(false);
    expect(p.failureCount).toBe(0);
  });

  test('a stop while stopping changes nothing, and a stopping publisher only counts, never publishes', () => {
    const p = publisher();
    p.stop(0);
    p.stop(1);
    expect(p.takeEffects()).toMatchObject([{ kind: 'kv.remove' }]);
    p.onLocalCount(5, 2);
    expect(p.count).toBe(5);
    expect(p.takeEffects()).toEqual([]);
    expect(p.nextDeadlineMs()).toBeUndefined();
  });

  test('a failed remove is retried at the backoff while attempts remain', () => {
    const p = publisher();
    p.onLocalCount(1, 0);
    p.onResult(p.takeEffects()[0]!.opId, undefined, 0);
    p.stop(10);
    const [remove] = p.takeEffects();
    p.onResult(remove!.opId, down, 20);
    expect(p.state).toBe('stopping');
    expect(p.nextDeadlineMs()).toBe(70);
    p.onDeadline(70);
    expect(p.takeEffects()).toMatchObject([{ kind: 'kv.remove' }]);
    expect(p.publishedCount).toBe(1);
  });

  test('a successful remove forgets the published count', () => {
    const p = publisher();
    p.onLocalCount(1, 0);
    p.onResult(p.takeEffects()[0]!.opId, undefined, 0);
    p.stop(10);
    p.onResult(p.takeEffects()[0]!.opId, undefined, 20);
    expect(p.publishedCount).toBeUndefined();
  });
});

describe('mode A: publisher after the fact', () => {
  test('a result when no write is in flight changes nothing', () => {
    const p = publisher();
    p.onLocalCount(1, 0);
    const [publish] = p.takeEffects();
    p.onResult(publish!.opId, undefined, 1);
    p.onResult(publish!.opId, down, 2);
    expect(p.failureCount).toBe(0);
    expect(p.publishedCount).toBe(1);
  });

  test('a stopped publisher does not publish again when its old heartbeat comes due', () => {
    const p = publisher({ heartbeatMs: 100 });
    p.onLocalCount(1, 0);
    p.onResult(p.takeEffects()[0]!.opId, undefined, 1);
    p.stop(10);
    p.onResult(p.takeEffects()[0]!.opId, undefined, 11);
    p.onDeadline(500);
    expect(p.takeEffects()).toEqual([]);
  });

  test('a second stop while a failed remove waits for its retry does not send it early', () => {
    const p = publisher();
    p.stop(0);
    p.onResult(p.takeEffects()[0]!.opId, down, 10);
    p.stop(20);
    expect(p.takeEffects()).toEqual([]);
    expect(p.nextDeadlineMs()).toBe(60);
  });
});
