/**
 * A broken client's reconnect policy (experiment/reconnect-policy.ts): full-jitter waits stay
 * within min(cap, base x 2^attempt), a spread stays within its window, `immediate` never waits;
 * and in the simulator a crashed server's clients all come back, at once or spread as the
 * policy says.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { resolveSimConfig } from '../../experiment/config.ts';
import {
  type ReconnectPolicy,
  reconnectCeilingMs,
  reconnectDelayMs,
  reconnectPolicyKinds,
  reconnectPolicySchema,
} from '../../experiment/reconnect-policy.ts';
import { World } from '../../sim/world.ts';

const policyArb: fc.Arbitrary<ReconnectPolicy> = fc.record({
  kind: fc.constantFrom(...reconnectPolicyKinds),
  baseMs: fc.integer({ min: 1, max: 10_000 }),
  capMs: fc.integer({ min: 1, max: 600_000 }),
  spreadMs: fc.integer({ min: 1, max: 600_000 }),
});
const random01 = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('reconnect policy', () => {
  test('every wait is at least 0 and below its ceiling', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 80 }), random01, (policy, attempt, r) => {
        const waitMs = reconnectDelayMs(policy, attempt, r);
        expect(waitMs).toBeGreaterThanOrEqual(0);
        const ceiling = reconnectCeilingMs(policy, attempt);
        if (ceiling === 0) expect(waitMs).toBe(0);
        else expect(waitMs).toBeLessThan(ceiling);
      }),
    );
  });

  test('full jitter’s ceiling is min(cap, base x 2^attempt), so it doubles until it meets the cap', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 80 }), (policy, attempt) => {
        const jitter = { ...policy, kind: 'backoff-jitter' as const };
        expect(reconnectCeilingMs(jitter, attempt)).toBe(
          Math.min(policy.capMs, policy.baseMs * 2 ** attempt),
        );
        expect(reconnectCeilingMs(jitter, attempt + 1)).toBeGreaterThanOrEqual(
          reconnectCeilingMs(jitter, attempt),
        );
      }),
    );
  });

  test('a spread waits within its window whatever the attempt, and immediate never waits', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 80 }), (policy, attempt) => {
        expect(reconnectCeilingMs({ ...policy, kind: 'spread' }, attempt)).toBe(policy.spreadMs);
        expect(reconnectCeilingMs({ ...policy, kind: 'immediate' }, attempt)).toBe(0);
      }),
    );
  });

  test('the defaults are written once: at once, base 100 ms, cap 10 s, window 5 s', () => {
    expect(reconnectPolicySchema.parse({})).toEqual({
      kind: 'immediate',
      baseMs: 100,
      capMs: 10_000,
      spreadMs: 5_000,
    });
    expect(resolveSimConfig({}).workload.reconnectPolicy).toEqual(reconnectPolicySchema.parse({}));
  });
});

/** When the fleet's true count is back to its level just before the crash (ms after the crash). */
function absorbedAfterMs(policy: Partial<ReconnectPolicy>): {
  absorbedMs: number;
  before: number;
  after: number;
} {
  const crashAtMs = 5_000;
  const world = new World(
    resolveSimConfig({
      scenario: 'reconnect-storm',
      seed: 11,
      durationMs: 20_000,
      cluster: { mode: 'local', servers: 3 },
      workload: {
        arrivalRatePerSec: 0,
        initialClients: 300,
        sessionLength: { kind: 'exponential', meanMs: 3_600_000_000 },
        reconnectPolicy: policy,
      },
      faults: { schedule: [{ atMs: crashAtMs, kind: 'crash', target: 'server-1' }] },
    }),
  );
  const history = world.run();
  const countAt = (atMs: number) => {
    let count = 0;
    for (let k = 0; k < history.truthTMs.length && history.truthTMs[k]! <= atMs; k += 1)
      count = history.truthCount[k]!;
    return count;
  };
  const before = countAt(crashAtMs - 1);
  const back = history.truthTMs.findIndex((t, k) => t >= crashAtMs && history.truthCount[k]! >= before);
  return { absorbedMs: history.truthTMs[back]! - crashAtMs, before, after: countAt(20_000) };
}

describe('a crashed server’s clients in the simulator', () => {
  test('all come back under every policy, so the count returns to its level before the crash', () => {
    for (const kind of reconnectPolicyKinds) {
      const { before, after } = absorbedAfterMs({ kind });
      expect(after, kind).toBe(before);
    }
  });

  test('come back at once by default, and over the window with a spread', () => {
    expect(absorbedAfterMs({ kind: 'immediate' }).absorbedMs).toBeLessThan(100);
    const spread = absorbedAfterMs({ kind: 'spread', spreadMs: 4_000 }).absorbedMs;
    // 100 clients' uniform draws over 4 s: the last lands in the window's last tenth.
    expect(spread).toBeGreaterThan(3_600);
    expect(spread).toBeLessThan(4_100);
  });
});
