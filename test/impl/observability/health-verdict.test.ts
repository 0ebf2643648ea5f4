/**
 * The fleet verdict as properties over arbitrary probe rounds: serving means a ready server (and
 * in mode C a ready discovery instance), whatever the order the probes came back in.
 */
import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { healthVerdict, isReady, type ProbeResult } from '../../../impl/observability/health-verdict.ts';

const probe: fc.Arbitrary<ProbeResult> = fc.oneof(
  fc.record({
    target: fc.constant('http://t'),
    ok: fc.constant(true as const),
    httpStatus: fc.constantFrom(200, 503),
    body: fc.record({
      ready: fc.boolean(),
      role: fc.constantFrom('server' as const, 'discovery' as const),
      mode: fc.constantFrom('local', 'a', 'c', undefined),
      reasons: fc.constant<string[]>([]),
    }),
    latencyMs: fc.nat(300),
  }),
  fc.record({
    target: fc.constant('http://t'),
    ok: fc.constant(false as const),
    code: fc.constantFrom('HC_PROBE_TIMEOUT' as const, 'HC_PROBE_CONNECT' as const, 'HC_PROBE_BODY' as const),
    message: fc.constant('failed'),
    latencyMs: fc.nat(300),
  }),
);

function readyWithRole(results: readonly ProbeResult[], role: string): boolean {
  return results.some((result) => isReady(result) && result.ok && result.body.role === role);
}

describe('health verdict', () => {
  propertyTest.prop([fc.array(probe, { maxLength: 8 }), fc.boolean()])(
    'the service serves exactly when a server is ready and, in mode C, a discovery instance too',
    (results, requireDiscovery) => {
      const verdict = healthVerdict(results, requireDiscovery);
      const needsDiscovery = verdict.modeC;
      expect(verdict.serving).toBe(
        readyWithRole(results, 'server') && (!needsDiscovery || readyWithRole(results, 'discovery')),
      );
      expect(verdict.serving).toBe(verdict.reasons.length === 0);
      if (requireDiscovery) expect(verdict.modeC).toBe(true);
    },
  );

  propertyTest.prop([
    fc
      .array(probe, { maxLength: 8 })
      .chain((results) =>
        fc.tuple(
          fc.constant(results),
          fc.shuffledSubarray(results, { minLength: results.length, maxLength: results.length }),
        ),
      ),
    fc.boolean(),
  ])(
    'the verdict does not depend on the order probes come back in',
    ([results, shuffled], requireDiscovery) => {
      expect(healthVerdict(shuffled, requireDiscovery)).toEqual(healthVerdict(results, requireDiscovery));
    },
  );

  test('an empty round cannot serve', () => {
    expect(healthVerdict([], false)).toEqual({
      serving: false,
      modeC: false,
      readyServerCount: 0,
      readyDiscoveryCount: 0,
      reasons: ['no ready server'],
    });
  });
});
