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

const timedOut = (instanceIndex: number): DiscoveryCallError => ({
  code: 'HC_DISCOVERY_TIMEOUT',
  definite: false,
  instanceIndex,
  timeoutMs: callTimeoutMs,
});

function kinds(backend: ModeCBackend): string[] {
  return backend.takeEffects().map((effect) => `${effect.kind} ${effect.instanceIndex}`);
}

/** Registers with every instance at 0 (answered at 1) and records every fleet change. */
function leased(instanceCount: number, options: { retryMs?: number } = {}) {
  const fleetChanges: string[] = [];
  const backend = new ModeCBackend({
    serverId: 'me',
    instanceUrls: Array.from({ length: instanceCount }, (_, index) => `http://d${index}`),
    callTimeoutMs,
    ...options,
  });
  backend.onFleetChange((inFleet, nowMs) => fleetChanges.push(`${inFleet}@${nowMs}`));
  backend.setCountUrl('http://me/count', 0);
  return { backend, fleetChanges };
}

describe('mode C backend: registration and renewal timing', () => {
  test('a backend without a discovery instance is refused by name', () => {
    expect(() => new ModeCBackend({ serverId: 'me', instanceUrls: [], callTimeoutMs })).toThrow(
      'mode c needs at least one discovery instance',
    );
  });

  test('before its count URL is known it neither registers nor asks, and WHO says not registered yet', () => {
    const { backend } = makeBackend(1);
    expect(backend.nextDeadlineMs()).toBeUndefined();
    backend.onDeadline(1_000);
    expect(backend.takeEffects()).toEqual([]);
    expect(who(backend, 0)).toEqual([{ kind: 'unavailable', reason: 'not registered yet' }]);
    expect(backend.serverId).toBe('me');
  });

  test('registration starts when the count URL becomes known, not before', () => {
    const { backend } = makeBackend(1);
    backend.setCountUrl('http://me/count', 700);
    expect(backend.takeEffects()).toEqual([
      { opId: 1, kind: 'discovery.register', instanceIndex: 0, serverId: 'me', countUrl: 'http://me/count' },
    ]);
  });

  test('one registration per instance is in flight at a time, timed out after the call timeout', () => {
    const { backend } = leased(1);
    expect(kinds(backend)).toEqual(['discovery.register 0']);
    backend.onDeadline(100);
    expect(backend.takeEffects()).toEqual([]);
    expect(backend.nextDeadlineMs()).toBe(callTimeoutMs);
    backend.onDeadline(callTimeoutMs - 1);
    expect(backend.readiness(callTimeoutMs - 1).reasons).toEqual([
      'not registered with any discovery instance',
    ]);
    backend.onDeadline(callTimeoutMs);
    expect(backend.readiness(callTimeoutMs).reasons).toEqual([
      'not registered with any discovery instance',
      'discovery 0: no answer in 300 ms',
    ]);
  });

  test('without a lease a failed registration is retried after retryMs', () => {
    const { backend } = leased(1);
    const [first] = backend.takeEffects();
    backend.onResult(first!.opId, err(timedOut(0)), 50);
    expect(backend.nextDeadlineMs()).toBe(250);
    backend.onDeadline(249);
    expect(backend.takeEffects()).toEqual([]);
    backend.onDeadline(250);
    expect(kinds(backend)).toEqual(['discovery.register 0']);
  });

  test('a lease runs from when the registration was sent and is renewed every quarter lease from then', () => {
    const { backend, fleetChanges } = leased(1);
    const [first] = backend.takeEffects();
    backend.onResult(first!.opId, ok({ leaseMs: 1_000 }), 40);
    expect(fleetChanges).toEqual(['true@40']);
    expect(backend.inFleet(999)).toBe(true);
    expect(backend.inFleet(1_000)).toBe(false);
    expect(backend.nextDeadlineMs()).toBe(250);
  });

  test('with a lease, a failed renewal is retried after the shorter of retryMs and a quarter lease', () => {
    const slow = leased(1, { retryMs: 400 }).backend;
    registerAll(slow, 1);
    slow.onDeadline(250);
    const [renewal] = slow.takeEffects();
    slow.onResult(renewal!.opId, err(timedOut(0)), 260);
    expect(slow.nextDeadlineMs()).toBe(260 + 250);

    const quick = leased(1, { retryMs: 100 }).backend;
    registerAll(quick, 1);
    quick.onDeadline(250);
    const [again] = quick.takeEffects();
    quick.onResult(again!.opId, err(timedOut(0)), 260);
    expect(quick.nextDeadlineMs()).toBe(260 + 100);
  });

  test('the fence goes up at the exact instant the last lease ends, reported as a deadline', () => {
    const { backend, fleetChanges } = leased(1);
    registerAll(backend, 1);
    // Every renewal goes unanswered and times out.
    for (let step = 0; step < 10 && backend.nextDeadlineMs()! < 1_000; step += 1) {
      backend.onDeadline(backend.nextDeadlineMs()!);
      backend.takeEffects();
    }
    expect(backend.nextDeadlineMs()).toBe(1_000);
    backend.onDeadline(999);
    expect(fleetChanges).toEqual(['true@1']);
    backend.onDeadline(1_000);
    expect(fleetChanges).toEqual(['true@1', 'false@1000']);
  });

  test('with two instances the fence goes up when the first lease that is not excused ends', () => {
    const { backend } = leased(2);
    const [toFirst, toSecond] = backend.takeEffects();
    backend.onResult(toFirst!.opId, ok({ leaseMs: 1_000 }), 1);
    backend.onResult(toSecond!.opId, ok({ leaseMs: 4_000 }), 1);
    expect(backend.nextDeadlineMs()).toBe(250);
    // Both renewals time out from now on; the first lease ends at 1000, the second at 4000.
    while (backend.nextDeadlineMs()! < 1_000) {
      backend.onDeadline(backend.nextDeadlineMs()!);
      backend.takeEffects();
    }
    expect(backend.nextDeadlineMs()).toBe(1_000);
    expect(backend.inFleet(1_000)).toBe(false);
  });

  test('an instance that refused before it ever granted a lease is excused for the lease the others grant', () => {
    const { backend } = leased(2);
    const [toFirst, toSecond] = backend.takeEffects();
    backend.onResult(toFirst!.opId, ok({ leaseMs: 1_000 }), 1);
    backend.onResult(toSecond!.opId, err(unreachable(1)), 1);
    expect(backend.inFleet(999)).toBe(true);
    expect(backend.inFleet(1_000)).toBe(false);
    expect(backend.readiness(500)).toEqual({ ready: true, reasons: ['discovery 1: unreachable'] });
  });

  test('an instance that timed out before it ever granted a lease is not excused', () => {
    const { backend } = leased(2);
    const [toFirst, toSecond] = backend.takeEffects();
    backend.onResult(toFirst!.opId, ok({ leaseMs: 1_000 }), 1);
    backend.onResult(toSecond!.opId, err(timedOut(1)), 1);
    expect(backend.inFleet(1)).toBe(false);
  });

  test('a server with a lease but fenced by another instance is not ready', () => {
    const { backend } = leased(2);
    const [toFirst] = backend.takeEffects();
    backend.onResult(toFirst!.opId, ok({ leaseMs: 1_000 }), 1);
    expect(backend.readiness(10)).toEqual({ ready: false, reasons: [] });
  });
});

describe('mode C backend: leaving', () => {
  test('a draining server deregisters only when its count reaches 0, and only once', () => {
    const { backend } = leased(2);
    registerAll(backend, 1);
    backend.onLocalCount(2, 5);
    backend.stop(10);
    backend.stop(11);
    backend.onLocalCount(1, 20);
    expect(backend.takeEffects()).toEqual([]);
    backend.onLocalCount(0, 30);
    expect(kinds(backend)).toEqual(['discovery.deregister 0', 'discovery.deregister 1']);
    backend.onLocalCount(1, 40);
    backend.onLocalCount(0, 50);
    backend.stop(60);
    expect(backend.takeEffects()).toEqual([]);
  });

  test('a count that reaches 0 without a stop deregisters nothing', () => {
    const { backend } = leased(1);
    registerAll(backend, 1);
    backend.onLocalCount(1, 5);
    backend.onLocalCount(0, 6);
    expect(backend.takeEffects()).toEqual([]);
    expect(backend.localCount).toBe(0);
  });

  test('deregistration skips an instance whose lease ended, but not one with a registration in flight', () => {
    const inFlight = leased(2).backend;
    const [toFirst] = inFlight.takeEffects();
    inFlight.onResult(toFirst!.opId, ok({ leaseMs: 1_000 }), 1);
    inFlight.stop(10);
    expect(kinds(inFlight)).toEqual(['discovery.deregister 0', 'discovery.deregister 1']);

    const timedOutFirst = leased(2).backend;
    const [first] = timedOutFirst.takeEffects();
    timedOutFirst.onResult(first!.opId, ok({ leaseMs: 1_000 }), 1);
    timedOutFirst.onDeadline(callTimeoutMs);
    timedOutFirst.takeEffects();
    timedOutFirst.stop(callTimeoutMs);
    expect(kinds(timedOutFirst)).toEqual(['discovery.deregister 0']);

    const expired = leased(2).backend;
    registerAll(expired, 1);
    expired.stop(1_000);
    expect(expired.takeEffects()).toEqual([]);
  });

  test('a deregistered server registers no more and reports no registration deadline', () => {
    const { backend } = leased(1);
    registerAll(backend, 1);
    backend.stop(10);
    backend.takeEffects();
    backend.onDeadline(250);
    expect(backend.takeEffects()).toEqual([]);
    expect(backend.nextDeadlineMs()).toBe(1_000);
  });
});

describe('mode C backend: WHO details', () => {
  test('a WHO call times out at the call timeout, not a millisecond before', () => {
    const { backend } = leased(1);
    registerAll(backend, 1);
    const replies = who(backend, 10);
    countEffect(backend);
    expect(backend.nextDeadlineMs()).toBe(250);
    backend.onDeadline(250);
    backend.takeEffects();
    backend.onDeadline(10 + callTimeoutMs - 1);
    expect(replies).toEqual([]);
    backend.onDeadline(10 + callTimeoutMs);
    expect(replies).toEqual([{ kind: 'unavailable', reason: 'discovery 0: no answer in 300 ms' }]);
  });

  test('a registration answered while a WHO count call is in flight renews the lease and leaves the WHO waiting', () => {
    const { backend } = leased(1);
    registerAll(backend, 1);
    backend.onDeadline(250);
    const [renewal] = backend.takeEffects();
    const replies = who(backend, 260);
    const count = countEffect(backend);
    backend.onResult(renewal!.opId, ok({ leaseMs: 1_000 }), 270);
    expect(replies).toEqual([]);
    expect(backend.inFleet(1_200)).toBe(true);
    backend.onResult(count.opId, ok({ total: 1, counts: { me: 1 }, broadcastStartedAtMs: 0 }), 280);
    expect(replies).toMatchObject([{ kind: 'count', total: 1 }]);
  });

  test('a total without this server sends it to register with that instance again at once', () => {
    const { backend, fleetChanges } = leased(1);
    registerAll(backend, 1);
    const replies = who(backend, 10);
    backend.onResult(
      countEffect(backend).opId,
      ok({ total: 3, counts: { other: 3 }, broadcastStartedAtMs: 0 }),
      11,
    );
    expect(replies).toEqual([{ kind: 'unavailable', reason: 'discovery 0: this server not registered' }]);
    expect(fleetChanges).toEqual(['true@1', 'false@11']);
    expect(backend.nextDeadlineMs()).toBe(11);
    backend.onDeadline(11);
    expect(kinds(backend)).toEqual(['discovery.register 0']);
  });

  test('a refused token on a count call shows on readiness; an unreachable one does not', () => {
    const { backend } = leased(2);
    registerAll(backend, 1);
    who(backend, 10);
    backend.onResult(
      countEffect(backend).opId,
      err({ code: 'HC_DISCOVERY_UNAUTHORIZED', definite: true, instanceIndex: 0 }),
      11,
    );
    backend.onResult(countEffect(backend).opId, err(unreachable(1)), 12);
    expect(backend.readiness(12).reasons).toEqual(['discovery 0: token refused']);
  });

  test('after the second instance answered, failover wraps around to the first', () => {
    const { backend, failovers } = makeBackend(2);
    backend.setCountUrl('http://me/count', 0);
    registerAll(backend, 1);
    who(backend, 10);
    backend.onResult(countEffect(backend).opId, err(unreachable(0)), 11);
    backend.onResult(
      countEffect(backend).opId,
      ok({ total: 1, counts: { me: 1 }, broadcastStartedAtMs: 0 }),
      12,
    );
    const replies = who(backend, 20);
    backend.onResult(countEffect(backend).opId, err(unreachable(1)), 21);
    const wrapped = countEffect(backend);
    expect(wrapped.instanceIndex).toBe(0);
    backend.onResult(wrapped.opId, ok({ total: 5, counts: { me: 5 }, broadcastStartedAtMs: 0 }), 25);
    expect(replies).toEqual([
      { kind: 'count', total: 5, source: 'discovery', ageMs: 5, detail: 'http://d0' },
    ]);
    expect(failovers).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  test('the observer hears every answer, unavailable ones included', () => {
    const answered: WhoReply[] = [];
    const backend = new ModeCBackend(
      { serverId: 'me', instanceUrls: ['http://d0'], callTimeoutMs },
      { answered: (reply) => answered.push(reply) },
    );
    who(backend, 0);
    expect(answered).toEqual([{ kind: 'unavailable', reason: 'not registered yet' }]);
  });

  test('INFO lists every instance with its lease and last error, and the last answer with its age', () => {
    const { backend } = leased(2);
    expect(backend.info(0)).toEqual({
      whoSource: 'discovery',
      whoAgeMs: null,
      discoveryInstance: null,
      discoveryInstances: [
        { url: 'http://d0', leased: false, leaseMs: null, lastError: null },
        { url: 'http://d1', leased: false, leaseMs: null, lastError: null },
      ],
    });
    const [toFirst, toSecond] = backend.takeEffects();
    backend.onResult(toFirst!.opId, ok({ leaseMs: 1_000 }), 1);
    backend.onResult(toSecond!.opId, err(unreachable(1)), 1);
    who(backend, 10);
    backend.onResult(
      countEffect(backend).opId,
      ok({ total: 1, counts: { me: 1 }, broadcastStartedAtMs: 0 }),
      12,
    );
    expect(backend.info(40.4)).toEqual({
      whoSource: 'discovery',
      whoAgeMs: 28,
      discoveryInstance: 'http://d0',
      discoveryInstances: [
        { url: 'http://d0', leased: true, leaseMs: 1_000, lastError: null },
        { url: 'http://d1', leased: false, leaseMs: null, lastError: 'HC_DISCOVERY_UNREACHABLE' },
      ],
    });
    expect(backend.info(1_000)).toMatchObject({ discoveryInstances: [{ leased: false }, { leased: false }] });
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
