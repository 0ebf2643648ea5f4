/**
 * The server side of mode C on virtual time: leases kept with every instance, WHO asked of one
 * instance with failover, and `unavailable` whenever no complete count including us exists.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { WhoReply } from '../../../../impl/core/counting-backend.ts';
import type { CountEffect, DiscoveryCallError, ServerEffect } from '../../../../impl/core/mode-c/effects.ts';
import { ModeCBackend } from '../../../../impl/core/mode-c/mode-c-backend.ts';
import { err, ok } from '../../../../impl/core/result.ts';

const callTimeoutMs = 300;

function makeBackend(instanceCount = 2) {
  const failovers: [number, number][] = [];
  const backend = new ModeCBackend(
    {
      serverId: 'me',
      instanceUrls: Array.from({ length: instanceCount }, (_, index) => `http://d${index}`),
      callTimeoutMs,
    },
    { failover: (from, to) => failovers.push([from, to]) },
  );
  return { backend, failovers };
}

function registerAll(backend: ModeCBackend, nowMs: number, leaseMs = 1000): void {
  for (const effect of backend.takeEffects()) {
    if (effect.kind === 'discovery.register') backend.onResult(effect.opId, ok({ leaseMs }), nowMs);
  }
}

function who(backend: ModeCBackend, nowMs: number): WhoReply[] {
  const replies: WhoReply[] = [];
  backend.who(nowMs, (reply) => replies.push(reply));
  return replies;
}

function countEffect(backend: ModeCBackend): CountEffect {
  const effects = backend
    .takeEffects()
    .filter((effect): effect is CountEffect => effect.kind === 'discovery.count');
  expect(effects).toHaveLength(1);
  return effects[0]!;
}

const unreachable = (instanceIndex: number): DiscoveryCallError => ({
  code: 'HC_DISCOVERY_UNREACHABLE',
  definite: true,
  instanceIndex,
  message: 'ECONNREFUSED',
});

describe('mode C backend: leases', () => {
  test('it registers with every instance once its count URL is known, and renews four times per lease', () => {
    const { backend } = makeBackend();
    expect(backend.takeEffects()).toEqual([]);
    backend.setCountUrl('http://me/count', 0);
    const effects = backend.takeEffects();
    expect(effects.map((effect) => [effect.kind, (effect as ServerEffect).instanceIndex])).toEqual([
      ['discovery.register', 0],
      ['discovery.register', 1],
    ]);
    for (const effect of effects) backend.onResult(effect.opId, ok({ leaseMs: 1000 }), 5);
    expect(backend.readiness(5).ready).toBe(true);
    expect(backend.nextDeadlineMs()).toBe(250);
    backend.onDeadline(250);
    expect(backend.takeEffects().filter((effect) => effect.kind === 'discovery.register')).toHaveLength(2);
  });

  test('a refused registration is retried and the server is not ready meanwhile', () => {
    const { backend } = makeBackend(1);
    backend.setCountUrl('http://me/count', 0);
    const [effect] = backend.takeEffects();
    backend.onResult(
      effect!.opId,
      err({ code: 'HC_DISCOVERY_UNAUTHORIZED', definite: true, instanceIndex: 0 }),
      1,
    );
    expect(backend.readiness(1)).toMatchObject({ ready: false });
    expect(backend.readiness(1).reasons.join(' ')).toContain('token refused');
    backend.onDeadline(backend.nextDeadlineMs()!);
    expect(backend.takeEffects()[0]?.kind).toBe('discovery.register');
  });

  test('a graceful stop deregisters from every instance it holds a lease with', () => {
    const { backend } = makeBackend();
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    backend.stop(2);
    expect(backend.takeEffects().map((effect) => effect.kind)).toEqual([
      'discovery.deregister',
      'discovery.deregister',
    ]);
  });

  test('a graceful stop with clients still draining deregisters only once the last one is gone', () => {
    const { backend } = makeBackend();
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    backend.onLocalCount(2, 1);
    backend.stop(2);
    expect(backend.readiness(2).ready).toBe(false);
    expect(backend.takeEffects()).toEqual([]);
    // Still renewing meanwhile, so draining clients stay counted.
    backend.onDeadline(backend.nextDeadlineMs()!);
    expect(backend.takeEffects().map((effect) => effect.kind)).toContain('discovery.register');
    backend.onLocalCount(1, 300);
    backend.onLocalCount(0, 310);
    expect(backend.takeEffects().map((effect) => effect.kind)).toEqual([
      'discovery.deregister',
      'discovery.deregister',
    ]);
  });
});

describe('mode C backend: WHO', () => {
  test('WHO is the total from the first instance, and INFO names it', () => {
    const { backend } = makeBackend();
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    const replies = who(backend, 10);
    const effect = countEffect(backend);
    expect(effect.instanceIndex).toBe(0);
    backend.onResult(effect.opId, ok({ total: 4, counts: { me: 1, other: 3 }, broadcastStartedAtMs: 0 }), 15);
    expect(replies).toEqual([
      { kind: 'count', total: 4, source: 'discovery', ageMs: 5, detail: 'http://d0' },
    ]);
    expect(backend.info(15)).toMatchObject({ discoveryInstance: 'http://d0' });
  });

  test('an unreachable instance fails over to the next one', () => {
    const { backend, failovers } = makeBackend();
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    const replies = who(backend, 10);
    backend.onResult(countEffect(backend).opId, err(unreachable(0)), 11);
    const second = countEffect(backend);
    expect(second.instanceIndex).toBe(1);
    backend.onResult(second.opId, ok({ total: 2, counts: { me: 2 }, broadcastStartedAtMs: 0 }), 12);
    expect(replies[0]).toMatchObject({ kind: 'count', total: 2, detail: 'http://d1' });
    expect(failovers).toEqual([[0, 1]]);
    who(backend, 20);
    expect(countEffect(backend).instanceIndex).toBe(1); // the instance that answered is asked first
  });

  test('an instance that does not answer within the call timeout is failed over', () => {
    const { backend } = makeBackend();
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    who(backend, 10);
    const first = countEffect(backend);
    backend.onDeadline(10 + callTimeoutMs);
    expect(countEffect(backend).instanceIndex).toBe(1);
    backend.onResult(first.opId, ok({ total: 99, counts: { me: 99 }, broadcastStartedAtMs: 0 }), 400);
    expect(backend.takeEffects()).toEqual([]); // the late answer is ignored
  });

  test('when no instance has a complete count, WHO is unavailable with the reasons', () => {
    const { backend } = makeBackend();
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    const replies = who(backend, 10);
    const missing = [{ serverId: 'abcdef0123456', code: 'HC_MEMBER_TIMEOUT' as const }];
    backend.onResult(
      countEffect(backend).opId,
      err({ code: 'HC_DISCOVERY_INCOMPLETE', definite: true, instanceIndex: 0, missing }),
      11,
    );
    backend.onResult(countEffect(backend).opId, err(unreachable(1)), 12);
    expect(replies).toEqual([
      {
        kind: 'unavailable',
        reason: 'discovery 0: no answer from abcdef01 timeout; discovery 1: unreachable',
      },
    ]);
  });

  test('a total that does not include this server is not used', () => {
    const { backend } = makeBackend(1);
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    const replies = who(backend, 10);
    backend.onResult(
      countEffect(backend).opId,
      ok({ total: 3, counts: { other: 3 }, broadcastStartedAtMs: 0 }),
      11,
    );
    expect(replies[0]?.kind).toBe('unavailable');
  });

  test('WHOs asked during a call share the next call, not the one already running', () => {
    const { backend } = makeBackend(1);
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    const first = who(backend, 10);
    const running = countEffect(backend);
    const later = [who(backend, 11), who(backend, 12), who(backend, 13)];
    expect(backend.takeEffects()).toEqual([]);
    backend.onResult(running.opId, ok({ total: 1, counts: { me: 1 }, broadcastStartedAtMs: 0 }), 14);
    expect(first[0]).toMatchObject({ total: 1 });
    expect(later.flat()).toEqual([]);
    backend.onResult(
      countEffect(backend).opId,
      ok({ total: 2, counts: { me: 2 }, broadcastStartedAtMs: 0 }),
      15,
    );
    expect(later.flat().map((reply) => (reply.kind === 'count' ? reply.total : -1))).toEqual([2, 2, 2]);
  });
});

describe('mode C backend: properties', () => {
  const outcome = fc.oneof(
    fc.record({ kind: fc.constant('ok' as const), total: fc.nat(50), includesMe: fc.boolean() }),
    fc.record({ kind: fc.constant('error' as const) }),
    fc.record({ kind: fc.constant('timeout' as const) }),
  );
  fcTest.prop([fc.array(outcome, { minLength: 3, maxLength: 3 })])(
    'WHO is a number only when some instance gave a complete count that includes this server',
    (outcomes) => {
      const { backend } = makeBackend(3);
      backend.setCountUrl('http://me/count', 0);
      registerAll(backend, 0);
      let nowMs = 1;
      const replies = who(backend, nowMs);
      const numbers: number[] = [];
      for (const item of outcomes) {
        if (replies.length > 0) break;
        const effect = countEffect(backend);
        nowMs += 1;
        if (item.kind === 'timeout') {
          nowMs += callTimeoutMs;
          backend.onDeadline(nowMs);
        } else if (item.kind === 'error')
          backend.onResult(effect.opId, err(unreachable(effect.instanceIndex)), nowMs);
        else {
          const counts: Record<string, number> = item.includesMe ? { me: item.total } : { other: item.total };
          backend.onResult(effect.opId, ok({ total: item.total, counts, broadcastStartedAtMs: 0 }), nowMs);
          if (item.includesMe) numbers.push(item.total);
        }
      }
      expect(replies).toHaveLength(1);
      if (replies[0]!.kind === 'count') expect(replies[0]!.total).toBe(numbers[0]);
      else expect(numbers).toEqual([]);
    },
  );
});
