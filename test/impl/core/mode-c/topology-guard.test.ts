/**
 * The topology guard, on virtual time: an instance told how many instances the deployment runs
 * (`headcount discovery --instances N`) says so with each lease, and a server given fewer
 * addresses than that (one load balancer's address in front of N instances) refuses the lease:
 * it never joins the fleet, so it never holds clients that another instance's sum would miss.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { WhoReply } from '../../../../impl/core/counting-backend.ts';
import { ModeCBackend } from '../../../../impl/core/mode-c/mode-c-backend.ts';
import { ok } from '../../../../impl/core/result.ts';

const leaseMs = 1000;

function backendWith(addressCount: number): ModeCBackend {
  const backend = new ModeCBackend({
    serverId: 'me',
    instanceUrls: Array.from({ length: addressCount }, (_, index) => `http://d${index}`),
    callTimeoutMs: 300,
  });
  backend.setCountUrl('http://me/count', 0);
  return backend;
}

/** Answers every pending registration with a lease that declares `instances`. */
function grant(backend: ModeCBackend, instances: number | undefined, nowMs: number): void {
  for (const effect of backend.takeEffects()) {
    if (effect.kind !== 'discovery.register') continue;
    backend.onResult(effect.opId, ok(instances === undefined ? { leaseMs } : { leaseMs, instances }), nowMs);
  }
}

function whoReply(backend: ModeCBackend, nowMs: number): WhoReply[] {
  const replies: WhoReply[] = [];
  backend.who(nowMs, (reply) => replies.push(reply));
  return replies;
}

describe('mode C topology guard', () => {
  test('a server given one address in front of two instances never joins, says why, and answers no number', () => {
    const backend = backendWith(1);
    for (let nowMs = 0; nowMs <= 5 * leaseMs; nowMs += 100) {
      grant(backend, 2, nowMs);
      backend.onDeadline(nowMs);
      expect(backend.inFleet(nowMs)).toBe(false);
    }
    const readiness = backend.readiness(5 * leaseMs);
    expect(readiness.ready).toBe(false);
    expect(readiness.reasons.join('; ')).toContain('one of 2 instances, but --discovery has 1 address(es)');
    const replies = whoReply(backend, 5 * leaseMs);
    expect(replies.every((reply) => reply.kind === 'unavailable')).toBe(true);
  });

  test('a server given every instance address joins when the instances declare their number', () => {
    const backend = backendWith(2);
    grant(backend, 2, 10);
    expect(backend.inFleet(10)).toBe(true);
  });

  test('an instance that declares nothing is not checked (one instance, or an undeclared deployment)', () => {
    const backend = backendWith(1);
    grant(backend, undefined, 10);
    expect(backend.inFleet(10)).toBe(true);
  });

  test('two addresses answering with the same instance identity: the second lease is refused and the server leaves the fleet', () => {
    const backend = backendWith(2);
    const effects = backend.takeEffects().filter((effect) => effect.kind === 'discovery.register');
    // Address 0 reaches instance X; address 1 (a balancer) reaches X too.
    backend.onResult(effects[0]!.opId, ok({ leaseMs, instanceId: 'X' }), 10);
    backend.onResult(effects[1]!.opId, ok({ leaseMs, instanceId: 'X' }), 10);
    expect(backend.inFleet(10)).toBe(false);
    expect(backend.readiness(10).reasons.join('; ')).toContain('reaches the same instance as discovery 0');
  });

  test('a lease from a restarted instance (a new identity) on the same address is accepted', () => {
    const backend = backendWith(2);
    const first = backend.takeEffects().filter((effect) => effect.kind === 'discovery.register');
    backend.onResult(first[0]!.opId, ok({ leaseMs, instanceId: 'X' }), 10);
    backend.onResult(first[1]!.opId, ok({ leaseMs, instanceId: 'Y' }), 10);
    expect(backend.inFleet(10)).toBe(true);
    backend.onDeadline(10 + leaseMs / 4);
    const renewals = backend.takeEffects().filter((effect) => effect.kind === 'discovery.register');
    expect(renewals).toHaveLength(2);
    backend.onResult(renewals[0]!.opId, ok({ leaseMs, instanceId: 'X2' }), 10 + leaseMs / 4);
    backend.onResult(renewals[1]!.opId, ok({ leaseMs, instanceId: 'Y' }), 10 + leaseMs / 4);
    expect(backend.inFleet(10 + leaseMs / 4)).toBe(true);
  });

  fcTest.prop([fc.array(fc.constantFrom('X', 'Y'), { minLength: 1, maxLength: 30 })])(
    'whatever instance a balancer address reaches at each renewal, the server is in the fleet only while both instances hold its registration',
    (reached) => {
      // Address 0 is instance X itself; address 1 is a balancer in front of X and Y. Every
      // registration registers us where it lands, whether or not the server accepts the lease.
      const backend = backendWith(2);
      const registeredAtMs = new Map<string, number>();
      const heldAt = (id: string, atMs: number) =>
        (registeredAtMs.get(id) ?? Number.NEGATIVE_INFINITY) + leaseMs > atMs;
      const stepMs = leaseMs / 4;
      let nowMs = 0;
      for (const id of reached) {
        backend.onDeadline(nowMs);
        for (const effect of backend.takeEffects()) {
          if (effect.kind !== 'discovery.register') continue;
          const instanceId = effect.instanceIndex === 0 ? 'X' : id;
          registeredAtMs.set(instanceId, nowMs);
          backend.onResult(effect.opId, ok({ leaseMs, instanceId }), nowMs);
        }
        for (const atMs of [nowMs, nowMs + stepMs - 1]) {
          if (backend.inFleet(atMs)) expect([heldAt('X', atMs), heldAt('Y', atMs)]).toEqual([true, true]);
        }
        nowMs += stepMs;
      }
    },
  );

  fcTest.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })])(
    'a server joins exactly when it has at least as many addresses as the deployment has instances',
    (addressCount, instances) => {
      const backend = backendWith(addressCount);
      grant(backend, instances, 10);
      expect(backend.inFleet(10)).toBe(addressCount >= instances);
    },
  );
});
