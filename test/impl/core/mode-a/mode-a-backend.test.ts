/**
 * Mode A's backend in a fleet on virtual time (`registry-harness.ts`): several servers, one
 * registry on Redis's clock. Goal: after any history of connects, disconnects, crashes and
 * graceful stops, once the fleet is quiet for ttl + heartbeat + a margin, every live server's WHO
 * equals the truth; and clock skew on a server changes nothing, because expiry is judged by Redis.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
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
