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

  fcTest.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })])(
    'a server joins exactly when it has at least as many addresses as the deployment has instances',
    (addressCount, instances) => {
      const backend = backendWith(addressCount);
      grant(backend, instances, 10);
      expect(backend.inFleet(10)).toBe(addressCount >= instances);
    },
  );
});
