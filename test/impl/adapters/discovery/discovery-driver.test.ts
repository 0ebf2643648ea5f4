/**
 * The discovery driver carries out member calls; a member call that throws or rejects must fail
 * that member's answer and nothing else (issue 20: a thrown error inside an effect handler ended
 * the process through an unhandled rejection). Method: a real `DiscoveryCore` and driver with
 * member callers that throw synchronously, reject, or answer; the count must settle as a typed
 * refusal naming the member, and no rejection may go unhandled.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { DiscoveryDriver, type MemberCaller } from '../../../../impl/adapters/discovery/discovery-driver.ts';
import { monotonicClock } from '../../../../impl/adapters/system-clock.ts';
import { DiscoveryCore } from '../../../../impl/core/mode-c/discovery-core.ts';
import type { FanoutOutcome, MemberCountEffect } from '../../../../impl/core/mode-c/effects.ts';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

async function countWith(caller: MemberCaller): Promise<FanoutOutcome> {
  const startedAtMs = monotonicClock.nowMs() - 10_000;
  const core = new DiscoveryCore({ leaseMs: 5_000, fanoutTimeoutMs: 1_000, startedAtMs });
  const driver = new DiscoveryDriver(core, caller, monotonicClock);
  const nowMs = monotonicClock.nowMs();
  core.register('m1', 'http://127.0.0.1:9/count', nowMs);
  core.register('m2', 'http://127.0.0.1:10/count', nowMs);
  const outcome = await new Promise<FanoutOutcome>((resolve) => {
    core.requestCount(nowMs, (result) => resolve(result));
    driver.pump();
  });
  driver.stop();
  await new Promise((resolve) => setTimeout(resolve, 10));
  return outcome;
}

const answers = (effect: MemberCountEffect) =>
  Promise.resolve({ ok: true as const, value: { serverId: effect.serverId, count: 1 } });

describe('discovery driver: a failing member call fails that member only', () => {
  test.each([
    [
      'throws synchronously',
      () => {
        throw new Error('boom');
      },
    ],
    ['rejects', () => Promise.reject(new Error('boom'))],
    ['rejects with a non-error', () => Promise.reject('a string')],
  ])("a member call that %s is that member's bad answer; the others still count", async (_name, fault) => {
    const outcome = await countWith({
      execute: (effect) => (effect.serverId === 'm1' ? (fault() as never) : answers(effect)),
    });
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'HC_FANOUT_INCOMPLETE', missing: [{ serverId: 'm1', code: 'HC_MEMBER_BAD_RESPONSE' }] },
    });
    expect(unhandled).toEqual([]);
  });

  test('members that answer are summed', async () => {
    expect(await countWith({ execute: answers })).toMatchObject({ ok: true, value: { total: 2 } });
  });
});
