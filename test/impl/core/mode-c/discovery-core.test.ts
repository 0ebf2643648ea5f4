/**
 * The discovery core on virtual time: leases, fan-out, and the batching rule. Examples first,
 * then fast-check properties that drive random interleavings of registrations, requests,
 * member answers and time, and check every answer against what the members actually said.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { Broadcast } from '../../../../impl/core/mode-c/broadcast.ts';
import {
  DiscoveryCore,
  type DiscoveryObserver,
  type FanoutCallback,
  requestsWaitingMax,
} from '../../../../impl/core/mode-c/discovery-core.ts';
import type { FanoutOutcome, MemberCountEffect } from '../../../../impl/core/mode-c/effects.ts';
import { err, ok } from '../../../../impl/core/result.ts';

const leaseMs = 600;
const fanoutTimeoutMs = 100;

function makeCore() {
  const expired: string[] = [];
  // Started one lease before t = 0, so the examples below are past warm-up.
  const core = new DiscoveryCore(
    { leaseMs, fanoutTimeoutMs, startedAtMs: -leaseMs },
    { leaseExpired: (id) => expired.push(id) },
  );
  return { core, expired };
}

function ask(core: DiscoveryCore, nowMs: number) {
  const answers: FanoutOutcome[] = [];
  core.requestCount(nowMs, (outcome) => answers.push(outcome));
  return answers;
}

function answerAll(core: DiscoveryCore, counts: Record<string, number>, nowMs: number): MemberCountEffect[] {
  const effects = core.takeEffects();
  for (const effect of effects) {
    const count = counts[effect.serverId];
    if (count !== undefined) core.onResult(effect.opId, ok({ serverId: effect.serverId, count }), nowMs);
  }
  return effects;
}

describe('discovery core: warm-up after a start', () => {
  test('a freshly started instance refuses counts for one lease, even when members registered', () => {
    const core = new DiscoveryCore({ leaseMs, fanoutTimeoutMs, startedAtMs: 1_000 });
    core.register('a', 'http://a/count', 1_010);
    const early = ask(core, 1_000 + leaseMs - 1);
    expect(early).toEqual([err({ code: 'HC_FANOUT_WARMING_UP', definite: true, warmInMs: 1 })]);
    expect(core.takeEffects()).toEqual([]);
    expect(core.broadcastCount).toBe(0);
  });

  test('one lease after its start, the instance answers with every member that renewed meanwhile', () => {
    const core = new DiscoveryCore({ leaseMs, fanoutTimeoutMs, startedAtMs: 1_000 });
    // Each live member renews at least three times per lease: all are back within one lease.
    core.register('a', 'http://a/count', 1_050);
    core.register('b', 'http://b/count', 1_000 + leaseMs / 4);
    expect(core.warmAtMs).toBe(1_000 + leaseMs);
    const answers = ask(core, core.warmAtMs);
    answerAll(core, { a: 2, b: 5 }, core.warmAtMs + 1);
    expect(answers).toEqual([ok({ total: 7, counts: { a: 2, b: 5 }, broadcastStartedAtMs: core.warmAtMs })]);
  });
});

describe('discovery core: membership and leases', () => {
  test('a count with every member answering is the sum, with the per-member counts', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    core.register('b', 'http://b/count', 0);
    const answers = ask(core, 10);
    answerAll(core, { a: 3, b: 4 }, 12);
    expect(answers).toEqual([ok({ total: 7, counts: { a: 3, b: 4 }, broadcastStartedAtMs: 10 })]);
  });

  test('a member that does not answer makes the count fail naming it, never a partial sum', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    core.register('silent', 'http://s/count', 0);
    const answers = ask(core, 10);
    answerAll(core, { a: 3 }, 12);
    expect(answers).toEqual([]);
    expect(core.nextDeadlineMs()).toBe(10 + fanoutTimeoutMs);
    core.onDeadline(10 + fanoutTimeoutMs);
    expect(answers).toEqual([
      err({
        code: 'HC_FANOUT_INCOMPLETE',
        definite: true,
        missing: [{ serverId: 'silent', code: 'HC_MEMBER_TIMEOUT' }],
        broadcastStartedAtMs: 10,
      }),
    ]);
  });

  test('a member whose lease ran out is dropped and counts succeed again without it', () => {
    const { core, expired } = makeCore();
    core.register('a', 'http://a/count', 0);
    core.register('dead', 'http://d/count', 0);
    core.register('a', 'http://a/count', 400); // a renews, dead does not
    expect(core.nextDeadlineMs()).toBe(leaseMs);
    core.onDeadline(leaseMs);
    expect(expired).toEqual(['dead']);
    const answers = ask(core, leaseMs + 1);
    answerAll(core, { a: 5 }, leaseMs + 2);
    expect(answers[0]).toEqual(ok({ total: 5, counts: { a: 5 }, broadcastStartedAtMs: leaseMs + 1 }));
  });

  test('an answer from someone else at a member address is an error, not a count', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    const answers = ask(core, 1);
    const [effect] = core.takeEffects();
    expect(effect).toEqual({
      opId: effect!.opId,
      kind: 'member.count',
      serverId: 'a',
      countUrl: 'http://a/count',
    });
    core.onResult(effect!.opId, ok({ serverId: 'impostor', count: 9 }), 2);
    expect(answers).toEqual([
      err({
        code: 'HC_FANOUT_INCOMPLETE',
        definite: true,
        missing: [{ serverId: 'a', code: 'HC_MEMBER_WRONG_ID' }],
        broadcastStartedAtMs: 1,
      }),
    ]);
  });

  test('a new server registering a member address replaces the old member', () => {
    const { core } = makeCore();
    core.register('old', 'http://x/count', 0);
    core.register('new', 'http://x/count', 5);
    expect(core.liveMembers(6).map((member) => member.serverId)).toEqual(['new']);
  });

  test('a member that deregisters during a broadcast is excused', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    core.register('leaving', 'http://l/count', 0);
    const answers = ask(core, 1);
    answerAll(core, { a: 2 }, 2);
    core.deregister('leaving', 3);
    expect(answers[0]).toEqual(ok({ total: 2, counts: { a: 2 }, broadcastStartedAtMs: 1 }));
  });

  test('with no members the count is zero at once', () => {
    const { core } = makeCore();
    expect(ask(core, 0)).toEqual([ok({ total: 0, counts: {}, broadcastStartedAtMs: 0 })]);
  });
});

describe('discovery core: many readers, few broadcasts', () => {
  test('a thousand concurrent requests share two broadcasts', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    const answers: FanoutOutcome[] = [];
    for (let index = 0; index < 1000; index += 1) core.requestCount(1, (outcome) => answers.push(outcome));
    answerAll(core, { a: 1 }, 2);
    answerAll(core, { a: 1 }, 3);
    expect(answers).toHaveLength(1000);
    expect(core.broadcastCount).toBe(2);
  });

  test('a request that arrives during a broadcast is answered by the next one, which sees later changes', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    const first = ask(core, 1);
    const second = ask(core, 2); // arrives while the first broadcast runs
    answerAll(core, { a: 1 }, 3); // a's answer to the first broadcast, sent before second arrived
    expect(first[0]).toMatchObject({ ok: true, value: { total: 1 } });
    expect(second).toEqual([]);
    answerAll(core, { a: 2 }, 4);
    expect(second[0]).toEqual(ok({ total: 2, counts: { a: 2 }, broadcastStartedAtMs: 3 }));
  });
});

// ---- Properties -----------------------------------------------------------------------------

const memberIds = ['m0', 'm1', 'm2', 'm3'] as const;
const memberCounts: Record<string, number> = { m0: 3, m1: 5, m2: 7, m3: 11 };

const action = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), member: fc.constantFrom(...memberIds) }),
  fc.record({ kind: fc.constant('deregister' as const), member: fc.constantFrom(...memberIds) }),
  fc.record({ kind: fc.constant('request' as const) }),
  fc.record({ kind: fc.constant('deliver' as const), index: fc.nat(), fails: fc.boolean() }),
  fc.record({ kind: fc.constant('advance' as const), elapsedMs: fc.integer({ min: 1, max: 250 }) }),
);

interface Run {
  requests: { arrivedAtMs: number; outcome: FanoutOutcome | undefined; answers: number }[];
  broadcasts: { startedAtMs: number; effects: MemberCountEffect[] }[];
  delivered: Map<number, 'ok' | 'error'>;
  deregisteredAtMs: Map<string, number[]>;
  outcomeBroadcast: Map<FanoutOutcome, number>;
  /** What members had delivered when each outcome was decided (later answers are ignored). */
  deliveredAtOutcome: Map<FanoutOutcome, Map<number, 'ok' | 'error'>>;
}

function runActions(actions: readonly { kind: string; [key: string]: unknown }[]): Run {
  const core = new DiscoveryCore({ leaseMs: 400, fanoutTimeoutMs: 150, startedAtMs: -400 });
  const run: Run = {
    requests: [],
    broadcasts: [],
    delivered: new Map(),
    deregisteredAtMs: new Map(),
    outcomeBroadcast: new Map(),
    deliveredAtOutcome: new Map(),
  };
  let nowMs = 0;
  let pending: MemberCountEffect[] = [];
  let finished = 0;
  const collect = () => {
    while (run.broadcasts.length < core.broadcastCount)
      run.broadcasts.push({ startedAtMs: nowMs, effects: [] });
    const effects = core.takeEffects();
    run.broadcasts.at(-1)?.effects.push(...effects);
    pending.push(...effects);
  };
  const callback =
    (request: Run['requests'][number]): FanoutCallback =>
    (outcome) => {
      if (!run.outcomeBroadcast.has(outcome)) {
        run.outcomeBroadcast.set(outcome, finished++);
        run.deliveredAtOutcome.set(outcome, new Map(run.delivered));
      }
      request.outcome = outcome;
      request.answers += 1;
    };
  const step = (item: { kind: string; [key: string]: unknown }) => {
    switch (item.kind) {
      case 'register':
        core.register(item.member as string, `http://${item.member}/count`, nowMs);
        break;
      case 'deregister':
        if (core.deregister(item.member as string, nowMs)) {
          const times = run.deregisteredAtMs.get(item.member as string) ?? [];
          run.deregisteredAtMs.set(item.member as string, [...times, nowMs]);
        }
        break;
      case 'request': {
        const request = { arrivedAtMs: nowMs, outcome: undefined, answers: 0 };
        run.requests.push(request);
        core.requestCount(nowMs, callback(request));
        break;
      }
      case 'deliver': {
        if (pending.length === 0) break;
        const [effect] = pending.splice((item.index as number) % pending.length, 1);
        const result = item.fails
          ? err({
              code: 'HC_MEMBER_UNREACHABLE' as const,
              definite: true as const,
              serverId: effect!.serverId,
              message: 'x',
            })
          : ok({ serverId: effect!.serverId, count: memberCounts[effect!.serverId]! });
        run.delivered.set(effect!.opId, item.fails ? 'error' : 'ok');
        core.onResult(effect!.opId, result, nowMs);
        break;
      }
      case 'advance': {
        const untilMs = nowMs + (item.elapsedMs as number);
        for (let deadlineMs = core.nextDeadlineMs(); deadlineMs !== undefined && deadlineMs <= untilMs; ) {
          nowMs = Math.max(nowMs, deadlineMs);
          core.onDeadline(nowMs);
          collect();
          deadlineMs = core.nextDeadlineMs();
        }
        nowMs = untilMs;
        break;
      }
    }
    collect();
  };
  for (const item of actions) step(item);
  // Heal: let every deadline pass so every request is answered.
  pending = [];
  for (let steps = 0; steps < 100 && core.nextDeadlineMs() !== undefined; steps += 1) {
    nowMs = Math.max(nowMs, core.nextDeadlineMs()!);
    core.onDeadline(nowMs);
    collect();
    pending = [];
  }
  return run;
}

describe('discovery core: limits and edges', () => {
  test('a fan-out timeout that is not a positive whole number of milliseconds is refused by name', () => {
    expect(() => new DiscoveryCore({ leaseMs, fanoutTimeoutMs: 0, startedAtMs: 0 })).toThrow(
      'fanoutTimeoutMs > 0',
    );
    expect(() => new DiscoveryCore({ leaseMs, fanoutTimeoutMs: 1.5, startedAtMs: 0 })).toThrow(
      'fanoutTimeoutMs > 0',
    );
  });

  test('past requestsWaitingMax waiting requests a new one gets HC_FANOUT_BUSY at once; the waiting ones are answered', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    const first = ask(core, 1);
    const waiting: FanoutOutcome[] = [];
    for (let index = 0; index < requestsWaitingMax; index += 1)
      core.requestCount(2, (outcome) => waiting.push(outcome));
    expect(ask(core, 3)).toEqual([err({ code: 'HC_FANOUT_BUSY', definite: true, requestsWaitingMax })]);
    answerAll(core, { a: 1 }, 4);
    expect(first).toHaveLength(1);
    answerAll(core, { a: 1 }, 5);
    expect(waiting).toHaveLength(requestsWaitingMax);
    expect(core.broadcastCount).toBe(2);
  });

  test('a member that answers twice does not stand in for a member that has not answered', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    core.register('b', 'http://b/count', 0);
    const answers = ask(core, 1);
    const effects = core.takeEffects();
    const toA = effects.find((effect) => effect.serverId === 'a')!;
    const toB = effects.find((effect) => effect.serverId === 'b')!;
    core.onResult(toA.opId, ok({ serverId: 'a', count: 3 }), 2);
    core.onResult(toA.opId, ok({ serverId: 'a', count: 30 }), 3);
    expect(answers).toEqual([]);
    core.onResult(toB.opId, ok({ serverId: 'b', count: 4 }), 4);
    expect(answers).toEqual([ok({ total: 7, counts: { a: 3, b: 4 }, broadcastStartedAtMs: 1 })]);
  });

  test('a member replaced mid-broadcast is excused and the broadcast finishes without it', () => {
    const left: string[] = [];
    const core = new DiscoveryCore(
      { leaseMs, fanoutTimeoutMs, startedAtMs: -leaseMs },
      { memberLeft: (id, reason) => left.push(`${id} ${reason}`) },
    );
    core.register('a', 'http://a/count', 0);
    core.register('old', 'http://x/count', 0);
    const answers = ask(core, 1);
    answerAll(core, { a: 2 }, 2);
    expect(answers).toEqual([]);
    core.register('new', 'http://x/count', 3);
    expect(left).toEqual(['old replaced']);
    expect(answers).toEqual([ok({ total: 2, counts: { a: 2 }, broadcastStartedAtMs: 1 })]);
  });

  test('a member that answered and then deregistered is still counted in that broadcast', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    core.register('b', 'http://b/count', 0);
    const answers = ask(core, 1);
    const effects = core.takeEffects();
    const toA = effects.find((effect) => effect.serverId === 'a')!;
    const toB = effects.find((effect) => effect.serverId === 'b')!;
    core.onResult(toA.opId, ok({ serverId: 'a', count: 3 }), 2);
    core.deregister('a', 3);
    expect(answers).toEqual([]);
    core.onResult(toB.opId, ok({ serverId: 'b', count: 4 }), 4);
    expect(answers).toEqual([ok({ total: 7, counts: { a: 3, b: 4 }, broadcastStartedAtMs: 1 })]);
  });

  test('a member error is reported with its own code, and a late answer from a finished broadcast is ignored', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    const answers = ask(core, 1);
    const [effect] = core.takeEffects();
    core.onResult(effect!.opId, err({ code: 'HC_MEMBER_UNAUTHORIZED', definite: true, serverId: 'a' }), 2);
    core.onResult(effect!.opId, ok({ serverId: 'a', count: 1 }), 3);
    expect(answers).toEqual([
      err({
        code: 'HC_FANOUT_INCOMPLETE',
        definite: true,
        missing: [{ serverId: 'a', code: 'HC_MEMBER_UNAUTHORIZED' }],
        broadcastStartedAtMs: 1,
      }),
    ]);
  });

  test('a broadcast answers at its deadline, not a millisecond before', () => {
    const { core } = makeCore();
    core.register('a', 'http://a/count', 0);
    const answers = ask(core, 10);
    core.onDeadline(10 + fanoutTimeoutMs - 1);
    expect(answers).toEqual([]);
    core.onDeadline(10 + fanoutTimeoutMs);
    expect(answers).toHaveLength(1);
  });

  test('the next deadline is the earlier of the first lease end and the broadcast deadline', () => {
    const { core } = makeCore();
    expect(core.nextDeadlineMs()).toBeUndefined();
    core.register('a', 'http://a/count', 0);
    expect(core.nextDeadlineMs()).toBe(leaseMs);
    ask(core, 10);
    expect(core.nextDeadlineMs()).toBe(10 + fanoutTimeoutMs);
    answerAll(core, { a: 1 }, 11);
    ask(core, leaseMs - 50);
    expect(core.nextDeadlineMs()).toBe(leaseMs);
  });

  test('the observer hears joins (not renewals), leaves, expiries and each broadcast with its duration and batch', () => {
    const heard: string[] = [];
    const observer: DiscoveryObserver = {
      memberJoined: (id, url) => heard.push(`joined ${id} ${url}`),
      memberLeft: (id, reason) => heard.push(`left ${id} ${reason}`),
      leaseExpired: (id) => heard.push(`expired ${id}`),
      broadcastDone: (durationMs, outcome, requests) =>
        heard.push(`done ${durationMs} ${outcome.ok} ${requests}`),
    };
    const core = new DiscoveryCore({ leaseMs, fanoutTimeoutMs, startedAtMs: -leaseMs }, observer);
    core.register('a', 'http://a/count', 0);
    core.register('a', 'http://a/count', 10);
    core.register('b', 'http://b/count', 20);
    expect(core.deregister('b', 30)).toBe(true);
    expect(core.deregister('b', 31)).toBe(false);
    ask(core, 40);
    ask(core, 41);
    answerAll(core, { a: 1 }, 45);
    answerAll(core, { a: 1 }, 47);
    core.register('c', 'http://c/count', leaseMs + 10);
    expect(heard).toEqual([
      'joined a http://a/count',
      'joined b http://b/count',
      'left b deregistered',
      'done 5 true 1',
      'done 2 true 1',
      'expired a',
      'joined c http://c/count',
    ]);
  });
});

describe('discovery core: one broadcast', () => {
  test('a broadcast with nobody asked is done at once with a total of zero', () => {
    const broadcast = new Broadcast(5, 100);
    expect(broadcast.deadlineMs).toBe(105);
    expect(broadcast.isDone(5)).toBe(true);
    expect(broadcast.outcome()).toEqual(ok({ total: 0, counts: {}, broadcastStartedAtMs: 5 }));
  });

  test('an op id asked twice, or a negative or fractional count, is a programmer error', () => {
    const broadcast = new Broadcast(0, 100);
    broadcast.ask(1, 'a');
    expect(() => broadcast.ask(1, 'b')).toThrow('an opId asked twice in one broadcast');
    expect(() => broadcast.settle(1, ok({ serverId: 'a', count: -1 }))).toThrow(
      'a count is a natural number',
    );
    expect(() => broadcast.settle(1, ok({ serverId: 'a', count: 0.5 }))).toThrow(
      'a count is a natural number',
    );
    broadcast.settle(1, ok({ serverId: 'a', count: 0 }));
    expect(broadcast.outcome()).toEqual(ok({ total: 0, counts: { a: 0 }, broadcastStartedAtMs: 0 }));
  });

  test('an answer for an op id the broadcast never asked changes nothing', () => {
    const broadcast = new Broadcast(0, 100);
    broadcast.ask(1, 'a');
    broadcast.settle(2, ok({ serverId: 'a', count: 1 }));
    expect(broadcast.asks(2)).toBe(false);
    expect(broadcast.isDone(99)).toBe(false);
    expect(broadcast.isDone(100)).toBe(true);
  });
});

describe('discovery core: properties', () => {
  fcTest.prop([fc.array(action, { maxLength: 80 })])(
    'every request is answered exactly once, by a broadcast that started after it arrived',
    (actions) => {
      const run = runActions(actions);
      for (const request of run.requests) {
        expect(request.answers).toBe(1);
        const broadcast = run.broadcasts[run.outcomeBroadcast.get(request.outcome!)!]!;
        expect(broadcast.startedAtMs).toBeGreaterThanOrEqual(request.arrivedAtMs);
      }
      expect(run.broadcasts.length).toBeLessThanOrEqual(run.requests.length);
    },
  );

  fcTest.prop([fc.array(action, { maxLength: 80 })])(
    'a count is never a partial sum: it succeeds only if every member asked answered, and is their sum',
    (actions) => {
      const run = runActions(actions);
      for (const [outcome, broadcastIndex] of run.outcomeBroadcast) {
        const broadcast = run.broadcasts[broadcastIndex]!;
        const delivered = run.deliveredAtOutcome.get(outcome)!;
        const answered = broadcast.effects.filter((effect) => delivered.get(effect.opId) === 'ok');
        const failed = broadcast.effects.filter((effect) => delivered.get(effect.opId) === 'error');
        if (!outcome.ok) continue;
        expect(failed.filter((effect) => !run.deregisteredAtMs.has(effect.serverId))).toEqual([]);
        const expected: Record<string, number> = {};
        for (const effect of answered) expected[effect.serverId] = memberCounts[effect.serverId]!;
        expect(outcome.value.counts).toEqual(expected);
        const unanswered = broadcast.effects.filter((effect) => delivered.get(effect.opId) !== 'ok');
        // Anyone who did not answer must have left the fleet (deregistered) to be excused.
        for (const effect of unanswered) expect(run.deregisteredAtMs.has(effect.serverId)).toBe(true);
        expect(outcome.value.total).toBe(Object.values(expected).reduce((sum, count) => sum + count, 0));
      }
    },
  );
});
