/**
 * Every claim a caption makes is checked against the points it was made from, for any points:
 * fast-check generates the data, the test recomputes the claim independently (a count, a fitted
 * slope, a share) and finds it in the caption's text.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  burnDownCaption,
  crossCheckCaption,
  fitLine,
  latencyCaption,
  overcountCaption,
  refusalCaption,
  staleWindowCaption,
} from '../../reports/captions.ts';
import { formatPercent, formatSeconds, trimNumber } from '../../reports/format.ts';

const ttlMs = fc.constantFrom(1000, 2000, 5000, 10_000, 30_000, 60_000);

describe('reports: captions say what their data show', () => {
  test.prop([
    fc.array(fc.record({ x: fc.integer({ min: 0, max: 100 }), y: fc.integer({ min: -100, max: 100 }) }), {
      minLength: 2,
    }),
  ])('fitLine recovers an exact line, and its residuals sum to zero', (points) => {
    const { slope, intercept } = fitLine(points);
    const residualSum = points.reduce((s, p) => s + (p.y - (slope * p.x + intercept)), 0);
    expect(Math.abs(residualSum)).toBeLessThan(1e-6 * (1 + points.length * 100));
  });

  test.prop([
    fc.array(fc.record({ ttlMs, ratio: fc.constantFrom(1, 0.5, 0.2) }), { minLength: 2, maxLength: 15 }),
    fc.double({ min: 0.5, max: 1.5, noNaN: true }),
  ])(
    'the stale-window caption names the fitted growth per second of TTL and counts the settings within the bound',
    (settings, growth) => {
      const points = settings.map((s) => ({
        ttlMs: s.ttlMs,
        heartbeatMs: s.ttlMs * s.ratio,
        windowMs: s.ttlMs * growth,
      }));
      const caption = staleWindowCaption(points, 10_000);
      const distinctTtls = new Set(points.map((p) => p.ttlMs)).size;
      const slope = distinctTtls > 1 ? growth : 0;
      expect(caption).toContain(`grows ${trimNumber(slope, 2)} s per second of TTL`);
      const within = points.filter((p) => p.windowMs <= 10_000).length;
      expect(caption).toContain(`${within} of ${points.length} settings keep it within the 10 s criterion`);
    },
  );

  test.prop([
    fc.array(fc.record({ ttlMs, ratio: fc.constantFrom(0.5, 0.2) }), { minLength: 1, maxLength: 10 }),
  ])(
    'when every window equals its TTL the caption says the windows sit closer to the TTL than to TTL + heartbeat',
    (settings) => {
      const points = settings.map((s) => ({
        ttlMs: s.ttlMs,
        heartbeatMs: s.ttlMs * s.ratio,
        windowMs: s.ttlMs,
      }));
      expect(staleWindowCaption(points, 10_000)).toContain('closer to the TTL (mean gap 0 s)');
    },
  );

  test.prop([fc.array(fc.double({ min: 0, max: 0.01, noNaN: true }), { minLength: 1, maxLength: 20 })])(
    'the overcount caption counts the settings under the bound and names the largest',
    (shares) => {
      const caption = overcountCaption(shares, 0.001, 1);
      const under = shares.filter((s) => s <= 0.001).length;
      expect(caption).toContain(`${under} of ${shares.length} settings stay under the 0.1% bound`);
      expect(caption).toContain(`the largest is ${formatPercent(Math.max(...shares), 3)}`);
    },
  );

  test.prop([
    fc.uniqueArray(fc.constantFrom(1000, 2000, 3000, 5000, 10_000), { minLength: 2 }),
    fc.integer({ min: 0, max: 3000 }),
  ])(
    'the refusal caption names the refusal’s growth per second of lease and its offset',
    (leases, offsetMs) => {
      const caption = refusalCaption(leases.map((leaseMs) => ({ leaseMs, windowMs: leaseMs + offsetMs })));
      expect(caption).toContain(`grows 1 s per second of lease, plus ${formatSeconds(offsetMs)}`);
      expect(caption).toContain(`Over ${leases.length} leases`);
    },
  );

  test.prop([
    fc.array(
      fc.record({
        mode: fc.constantFrom('a', 'c'),
        budgetUsed: fc.double({ min: 0, max: 30, noNaN: true }),
        days: fc.double({ min: 0.1, max: 10, noNaN: true }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  ])('the burn-down caption states each mode’s budget used and whether it was exhausted', (points) => {
    const caption = burnDownCaption(points);
    for (const p of points) {
      expect(caption).toContain(
        `mode ${p.mode.toUpperCase()} used ${formatPercent(p.budgetUsed, 0)} of its error budget over ${trimNumber(p.days, 1)} simulated days (${p.budgetUsed > 1 ? 'exhausted' : 'left over'})`,
      );
    }
  });

  test.prop([
    fc.array(
      fc
        .record({
          ttlMs,
          diffMs: fc.integer({ min: -5000, max: 5000 }),
          judged: fc.boolean(),
          agrees: fc.boolean(),
        })
        .map((p) => ({ ...p, agrees: p.judged && p.agrees })),
      { minLength: 1, maxLength: 8 },
    ),
  ])(
    'the cross-check caption counts the judged TTLs that agree, names the largest judged gap and the unjudged',
    (points) => {
      const caption = crossCheckCaption(points);
      const judged = points.filter((p) => p.judged);
      const unjudged = points.length - judged.length;
      if (judged.length > 0) {
        expect(caption).toContain(
          `REAL agrees with SIM at ${judged.filter((p) => p.agrees).length} of ${judged.length} judged TTLs`,
        );
        const largest = Math.max(...judged.map((p) => Math.abs(p.diffMs)));
        expect(caption).toMatch(new RegExp(`the largest gap is -?${largest} ms`));
      } else expect(caption).toContain('No TTL could be judged');
      if (unjudged > 0) expect(caption).toContain(`${unjudged} not judged`);
      else expect(caption).not.toContain('not judged');
    },
  );

  test.prop([fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: 1, maxLength: 20 })])(
    'the latency caption counts the rows whose p99 is above the objective',
    (p99s) => {
      const above = p99s.filter((p) => p > 50).length;
      expect(latencyCaption(p99s, 50)).toContain(`${above} of ${p99s.length} rows have a p99 above it`);
    },
  );
});
