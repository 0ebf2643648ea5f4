/**
 * Mode A's backend in a fleet on virtual time (`registry-harness.ts`): several servers, one
 * registry on Redis's clock. Goal: after any history of connects, disconnects, crashes and
 * graceful stops, once the fleet is quiet for ttl + heartbeat + a margin, every live server's WHO
 * equals the truth; and clock skew on a server changes nothing, because expiry is judged by Redis.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ModeABackend } from '../../../../impl/core/mode-a/mode-a-backend.ts';
import { modeAOptionsFrom } from '../../../../impl/core/mode-a/options.ts';
import { Fleet } from './registry-harness.ts';

const options = (flags: Partial<Parameters<typeof modeAOptionsFrom>[0]> = {}) =>
  modeAOptionsFrom({
    ttlMs: 300,
    heartbeatMs: 100,
    publishDelayMs: 0,
    whoTimeoutMs: 200,
    whoCacheMs: 0,
    ...flags,
  });

function whoNow(fleet: Fleet, index: number) {
  const box = fleet.who(index);
  fleet.runFor(fleet.latencyMs * 2 + 1);
  return box.reply;
}

describe('mode A: backend in a fleet on virtual time', () => {
  test('three servers with clients spread over them all answer the total', () => {
    const fleet = new Fleet();
    for (let i = 0; i < 3; i += 1) fleet.add(options());
    fleet.setCount(0, 2);
    fleet.setCount(1, 5);
    fleet.setCount(2, 1);
    fleet.runFor(10);
    for (let i = 0; i < 3; i += 1) expect(whoNow(fleet, i)).toMatchObject({ total: 8, source: 'redis' });
  });

  test('a crashed server is counted until its ttl runs out, then not', () => {
    const fleet = new Fleet();
    fleet.add(options());
    fleet.add(options());
    fleet.setCount(0, 3);
    fleet.setCount(1, 4);
    fleet.runFor(50);
    fleet.crash(1);
    fleet.runFor(100);
    expect(whoNow(fleet, 0)).toMatchObject({ total: 7 });
    fleet.runFor(300 + 100);
    expect(whoNow(fleet, 0)).toMatchObject({ total: 3 });
  });

  test('a graceful stop removes the entry within a round trip', () => {
    const fleet = new Fleet();
    fleet.add(options());
    fleet.add(options());
    fleet.setCount(1, 4);
    fleet.runFor(20);
    fleet.stop(1);
    fleet.runFor(5);
    expect(whoNow(fleet, 0)).toMatchObject({ total: 0 });
  });

  test('while the registry is down WHO answers the last known total, and a registry that came back empty is healed by the next heartbeat', () => {
    const fleet = new Fleet();
    fleet.add(options());
    fleet.setCount(0, 6);
    fleet.runFor(20);
    expect(whoNow(fleet, 0)).toMatchObject({ total: 6, source: 'redis' });
    fleet.registry.down = true;
    fleet.runFor(500);
    expect(whoNow(fleet, 0)).toMatchObject({ total: 6, source: 'last-known' });
    fleet.registry.entries.clear();
    fleet.registry.down = false;
    // Retries are at most 1 s apart while down, then heartbeats every 100 ms.
    fleet.runFor(1_000 + 100 + 10);
    expect(whoNow(fleet, 0)).toMatchObject({ total: 6, source: 'redis' });
  });

  test('a server whose clock runs minutes ahead or behind still expires, and expires others, on time', () => {
    for (const skewMs of [-5 * 60_000, 5 * 60_000]) {
      const fleet = new Fleet();
      fleet.add(options());
      fleet.add(options(), skewMs);
      fleet.setCount(0, 1);
      fleet.setCount(1, 10);
      fleet.runFor(50);
      expect(whoNow(fleet, 1)).toMatchObject({ total: 11 });
      // A crashed entry expires between ttl - heartbeat and ttl (+ latency) after the crash.
      fleet.crash(0);
      fleet.runFor(150);
      expect(whoNow(fleet, 1)).toMatchObject({ total: 11 });
      fleet.runFor(160);
      expect(whoNow(fleet, 1)).toMatchObject({ total: 10 });
      fleet.crash(1);
      fleet.runFor(160);
      expect(fleet.registry.apply({ opId: 0, kind: 'kv.total', timeoutMs: 1 }, fleet.nowMs)).toMatchObject({
        value: { total: 10 },
      });
      fleet.runFor(160);
      expect(fleet.registry.apply({ opId: 0, kind: 'kv.total', timeoutMs: 1 }, fleet.nowMs)).toMatchObject({
        value: { total: 0 },
      });
    }
  });

  test('a heartbeat longer than the ttl lets a live entry drop out between heartbeats (the risky pair the CLI warns about)', () => {
    const fleet = new Fleet(5);
    fleet.add(options({ ttlMs: 300, heartbeatMs: 400 }));
    fleet.add(options());
    fleet.setCount(0, 2);
    const totals = new Set<number>();
    for (let step = 0; step < 60; step += 1) {
      fleet.runFor(10);
      const reply = whoNow(fleet, 1);
      if (reply?.kind === 'count') totals.add(reply.total);
    }
    expect([...totals].sort()).toEqual([0, 2]);
  });

  test('property: after any connects, disconnects, crashes and stops followed by quiet, WHO equals the truth', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('count' as const), server: fc.nat(3), count: fc.nat(20) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('crash' as const), server: fc.nat(3) }),
      fc.record({ kind: fc.constant('stop' as const), server: fc.nat(3) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: -600_000, max: 600_000 }), { minLength: 4, maxLength: 4 }),
        fc.array(step, { maxLength: 40 }),
        (serverCount, publishDelayMs, heartbeatMs, latencyMs, skewsMs, steps) => {
          const ttlMs = heartbeatMs * 3;
          const fleet = new Fleet(latencyMs);
          const flags = { ttlMs, heartbeatMs, publishDelayMs, whoTimeoutMs: 200, whoCacheMs: 0 };
          for (let i = 0; i < serverCount; i += 1) fleet.add(options(flags), skewsMs[i]!);
          for (const s of steps) {
            if (s.kind === 'wait') fleet.runFor(s.ms);
            else if (s.server >= serverCount) continue;
            else if (s.kind === 'count') fleet.setCount(s.server, s.count);
            else if (s.kind === 'crash') fleet.crash(s.server);
            else fleet.stop(s.server);
          }
          fleet.runFor(publishDelayMs + heartbeatMs + ttlMs + 4 * latencyMs + 10);
          const truth = fleet.truth();
          fleet.nodes.forEach((node, index) => {
            if (!node.alive || node.backend.publisher.state !== 'running') return;
            const reply = whoNow(fleet, index);
            expect(reply).toMatchObject({ kind: 'count', total: truth });
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('mode A: the backend on its own', () => {
  const timeout = { code: 'HC_KV_TIMEOUT', definite: false, timeoutMs: 50 } as const;
  const backendOptions = options({ ttlMs: 3_000, heartbeatMs: 1_000, whoTimeoutMs: 200 });

  test('options that fail their check are refused by the constructor too', () => {
    expect(() => new ModeABackend('s1', { ...backendOptions, ttlMs: 0 })).toThrow(
      'ttlMs and heartbeatMs must be positive',
    );
  });

  test('writes and reads share one increasing op id space, and writes are handed out first', () => {
    const backend = new ModeABackend('s1', backendOptions);
    expect(backend.takeEffects()).toEqual([]);
    backend.who(0, () => {});
    backend.onLocalCount(2, 0);
    expect(backend.takeEffects()).toEqual([
      { opId: 2, kind: 'kv.publish', serverId: 's1', count: 2, ttlMs: 3_000, timeoutMs: 1_000 },
      { opId: 1, kind: 'kv.total', timeoutMs: 200 },
    ]);
    backend.who(0, () => {});
    expect(backend.takeEffects()).toEqual([{ opId: 3, kind: 'kv.total', timeoutMs: 200 }]);
    backend.onResult(2, { ok: true, value: undefined }, 10);
    backend.onDeadline(1_000);
    expect(backend.takeEffects()).toEqual([
      { opId: 4, kind: 'kv.publish', serverId: 's1', count: 2, ttlMs: 3_000, timeoutMs: 1_000 },
    ]);
  });

  test('the next deadline is the earlier of the heartbeat and the read timeout', () => {
    const backend = new ModeABackend('s1', backendOptions);
    expect(backend.nextDeadlineMs()).toBeUndefined();
    backend.who(100, () => {});
    expect(backend.nextDeadlineMs()).toBe(300);
    backend.onLocalCount(1, 0);
    backend.onResult(2, { ok: true, value: undefined }, 5);
    expect(backend.nextDeadlineMs()).toBe(300);
    backend.onResult(1, { ok: true, value: { total: 1, servers: 1 } }, 150);
    expect(backend.nextDeadlineMs()).toBe(1_000);
    backend.who(900, () => {});
    expect(backend.nextDeadlineMs()).toBe(1_000);
  });

  test('a deadline times out the read (last known or local count) and a result after it is still learned', () => {
    const backend = new ModeABackend('s1', backendOptions);
    backend.onLocalCount(3, 0);
    backend.takeEffects();
    const replies: unknown[] = [];
    backend.who(0, (reply) => replies.push(reply));
    backend.onDeadline(200);
    expect(replies).toEqual([{ kind: 'count', total: 3, source: 'local', ageMs: 0, detail: 'timeout' }]);
    backend.onResult(2, { ok: true, value: { total: 9, servers: 2 } }, 250);
    expect(backend.info(250)).toMatchObject({ knownTotal: 9, knownServers: 2, knownAgeMs: 250 });
  });

  test('a result for an op id it never issued changes nothing', () => {
    const backend = new ModeABackend('s1', backendOptions);
    backend.onResult(99, { ok: false, error: timeout }, 0);
    expect(backend.readiness()).toEqual({ ready: true, reasons: ['not yet registered in redis'] });
  });

  test('readiness stays ready and names the redis trouble and a missing registration', () => {
    const backend = new ModeABackend('s1', backendOptions);
    expect(backend.readiness()).toEqual({ ready: true, reasons: ['not yet registered in redis'] });
    backend.onLocalCount(1, 0);
    backend.onResult(1, { ok: false, error: timeout }, 50);
    expect(backend.readiness()).toEqual({
      ready: true,
      reasons: [
        'redis trouble (HC_KV_TIMEOUT); WHO answers the last known total',
        'not yet registered in redis',
      ],
    });
    backend.onDeadline(100);
    backend.onResult(2, { ok: true, value: undefined }, 110);
    expect(backend.readiness()).toEqual({ ready: true, reasons: [] });
    backend.who(200, () => {});
    backend.onResult(3, { ok: false, error: { code: 'HC_KV_FAILED', definite: false, message: 'x' } }, 210);
    expect(backend.readiness().reasons).toEqual([
      'redis trouble (HC_KV_FAILED); WHO answers the last known total',
    ]);
  });

  test('a stopping server is not reported as unregistered, and its stop removes the entry', () => {
    const backend = new ModeABackend('s1', backendOptions);
    backend.stop(0);
    expect(backend.takeEffects()).toEqual([{ opId: 1, kind: 'kv.remove', serverId: 's1', timeoutMs: 1_000 }]);
    expect(backend.readiness()).toEqual({ ready: true, reasons: [] });
  });

  test('INFO reports where WHO came from, the known total and the published count with their ages', () => {
    const backend = new ModeABackend('s1', backendOptions);
    expect(backend.info(0)).toEqual({
      whoSource: 'none',
      whoAgeMs: 0,
      knownTotal: undefined,
      knownServers: undefined,
      knownAgeMs: undefined,
      publishedCount: undefined,
      publishedAgeMs: undefined,
      publisherState: 'running',
      redisError: undefined,
    });
    backend.onLocalCount(4, 0);
    backend.onResult(1, { ok: true, value: undefined }, 10.4);
    backend.who(20, () => {});
    backend.onResult(2, { ok: true, value: { total: 11, servers: 3 } }, 30.6);
    backend.who(40, () => {});
    backend.onResult(3, { ok: false, error: timeout }, 45);
    expect(backend.info(100.2)).toEqual({
      whoSource: 'last-known',
      whoAgeMs: 25,
      knownTotal: 11,
      knownServers: 3,
      knownAgeMs: 80,
      publishedCount: 4,
      publishedAgeMs: 90,
      publisherState: 'running',
      redisError: 'HC_KV_TIMEOUT',
    });
  });
});
