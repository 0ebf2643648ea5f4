/**
 * Fencing, end to end in the core: a real `ServerCore` with a real `ModeCBackend` on virtual
 * time. A server whose clients discovery could count without (no lease with any instance, or an
 * instance that may answer without it) closes them and refuses new ones, before discovery drops
 * it; it takes clients again once it holds its leases.
 */
import { describe, expect, test } from 'vitest';
import { serverLimitsDefault } from '../../../../impl/core/limits.ts';
import type { DiscoveryCallError } from '../../../../impl/core/mode-c/effects.ts';
import { ModeCBackend } from '../../../../impl/core/mode-c/mode-c-backend.ts';
import { err, ok } from '../../../../impl/core/result.ts';
import { ServerCore } from '../../../../impl/core/server-core.ts';
import type { Session } from '../../../../impl/core/session.ts';

const leaseMs = 1000;

function fleet(instanceCount = 2) {
  const backend = new ModeCBackend({
    serverId: 'me',
    instanceUrls: Array.from({ length: instanceCount }, (_, index) => `http://d${index}`),
    callTimeoutMs: 300,
  });
  const core = new ServerCore({ serverId: 'me', version: 'test', limits: serverLimitsDefault, backend });
  const woken: Session[] = [];
  core.onSessionOutput = (session) => woken.push(session);
  core.start(0);
  backend.setCountUrl('http://me/count', 0);
  return { backend, core, woken };
}

/** Answers every pending registration with `result`. */
function answerRegistrations(backend: ModeCBackend, nowMs: number, result = ok({ leaseMs })): void {
  for (const effect of backend.takeEffects()) {
    if (effect.kind === 'discovery.register') backend.onResult(effect.opId, result, nowMs);
  }
}

const refused = (instanceIndex: number): DiscoveryCallError => ({
  code: 'HC_DISCOVERY_UNREACHABLE',
  definite: true,
  instanceIndex,
  message: 'ECONNREFUSED',
});

describe('mode C fencing (ServerCore + ModeCBackend)', () => {
  test('before its first lease the server refuses clients as fenced', () => {
    const { core } = fleet();
    expect(core.admit('10.0.0.1', 1)).toEqual({ ok: false, reason: 'fenced' });
  });

  test('losing every lease closes each client with BYE lease lost, refusing its owed WHO, then refuses new clients', () => {
    const { backend, core, woken } = fleet();
    answerRegistrations(backend, 5);
    const admission = core.admit('10.0.0.1', 10);
    expect(admission.ok).toBe(true);
    const session = (admission as { session: Session }).session;
    // Every renewal from now on is lost: the server's lease ends at sentAtMs (0) + leaseMs.
    let nowMs = 10;
    while (backend.nextDeadlineMs()! < leaseMs) {
      nowMs = backend.nextDeadlineMs()!;
      backend.onDeadline(nowMs);
      backend.takeEffects();
    }
    session.receive(Buffer.from('WHO\n'), nowMs); // still in flight when the lease ends
    expect(backend.nextDeadlineMs()).toBe(leaseMs);
    nowMs = leaseMs;
    backend.onDeadline(nowMs);
    expect(nowMs).toBe(leaseMs);
    expect(woken).toContain(session);
    expect(session.takeOutput()).toBe('ERR unavailable lease lost\nBYE lease lost\n');
    expect(session.shouldClose).toBe(true);
    expect(core.admit('10.0.0.2', nowMs)).toEqual({ ok: false, reason: 'fenced' });
    expect(backend.readiness(nowMs).ready).toBe(false);
  });

  test('a lease again with every instance lets clients in again', () => {
    const { backend, core } = fleet();
    answerRegistrations(backend, 5);
    backend.onDeadline(leaseMs); // renewals go out now, too late for the lease that just ended
    expect(core.admit('10.0.0.1', leaseMs)).toEqual({ ok: false, reason: 'fenced' });
    answerRegistrations(backend, leaseMs + 10);
    expect(core.admit('10.0.0.1', leaseMs + 10).ok).toBe(true);
  });

  test('an instance that refuses connections (down) is excused for one lease: its restart warms up that long', () => {
    const { backend, core } = fleet();
    answerRegistrations(backend, 5);
    backend.onDeadline(250);
    const [first, second] = backend.takeEffects();
    backend.onResult(first!.opId, ok({ leaseMs }), 260); // instance 0 renews
    backend.onResult(second!.opId, err(refused(1)), 260); // instance 1 is down
    expect(core.admit('10.0.0.1', leaseMs + 100).ok).toBe(true);
  });

  test('an instance that times out is not excused: once its lease ends the server fences, though another instance still leases it', () => {
    const { backend, core } = fleet();
    answerRegistrations(backend, 5);
    const admission = core.admit('10.0.0.1', 10);
    expect(admission.ok).toBe(true);
    let nowMs = 10;
    // Instance 0 keeps renewing; instance 1 never answers (its calls time out).
    while (nowMs < leaseMs) {
      nowMs = backend.nextDeadlineMs()!;
      backend.onDeadline(nowMs);
      for (const effect of backend.takeEffects()) {
        if (effect.kind === 'discovery.register' && effect.instanceIndex === 0)
          backend.onResult(effect.opId, ok({ leaseMs }), nowMs);
      }
    }
    expect(nowMs).toBe(leaseMs);
    expect(backend.inFleet(nowMs)).toBe(false);
    expect((admission as { session: Session }).session.takeOutput()).toBe('BYE lease lost\n');
    expect(core.admit('10.0.0.2', nowMs)).toEqual({ ok: false, reason: 'fenced' });
  });
});
