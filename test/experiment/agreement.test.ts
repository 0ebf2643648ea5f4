/**
 * One rule for "the simulator agrees with the real engine", used by `--engine both`'s table and
 * `agreement.json` and by the report: runs pair by run id, a metric agrees when the real value is
 * within 10% of the simulator's or the metric's floor, and the stale window's floor is the run's
 * heartbeat.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  agree,
  agrees,
  headlineMetric,
  headlineMetrics,
  relativeTolerance,
  toleranceOf,
} from '../../experiment/agreement.ts';
import type { RunResult } from '../../experiment/result.ts';
import { fakeResult } from '../scenarios/runner/fixtures.ts';

const real = (result: RunResult): RunResult => ({ ...result, engine: 'real' });

describe('the agreement rule', () => {
  test('a metric agrees exactly when the gap is within 10% of the simulator or the floor', () => {
    const metric = headlineMetric('stale window max');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: -20_000, max: 20_000 }),
        fc.integer({ min: 100, max: 10_000 }),
        (simMs, gapMs, heartbeatMs) => {
          const sim = fakeResult({ heartbeatMs });
          const tolerance = Math.max(relativeTolerance * simMs, heartbeatMs);
          expect(toleranceOf(metric, simMs, sim)).toBe(tolerance);
          expect(agrees(metric, simMs, simMs + gapMs, sim)).toBe(Math.abs(gapMs) <= tolerance);
        },
      ),
    );
  });

  test('the stale window may differ by one heartbeat, since a crash lands anywhere in the heartbeat cycle', () => {
    const metric = headlineMetric('stale window max');
    expect(toleranceOf(metric, 2_000, fakeResult({ heartbeatMs: 400 }))).toBe(400);
    expect(toleranceOf(metric, 2_000, fakeResult({ heartbeatMs: 1_000 }))).toBe(1_000);
  });

  test('every metric states its floor in words for the page', () => {
    for (const metric of headlineMetrics) expect(metric.floorText.length).toBeGreaterThan(0);
  });

  test('asking for a metric that does not exist is an error', () => {
    expect(() => headlineMetric('stale widow max')).toThrow(/no headline metric/);
  });
});

describe('pairing two engines’ runs', () => {
  test('runs pair by run id and each side’s unpaired runs are named', () => {
    const sims = [
      fakeResult({ runId: 'x/mode-a/seed-1', staleWindowMsMax: 5_000 }),
      fakeResult({ runId: 'x/mode-a/seed-2', staleWindowMsMax: 5_000 }),
    ];
    const reals = [
      real(fakeResult({ runId: 'x/mode-a/seed-1', staleWindowMsMax: 7_000 })),
      real(fakeResult({ runId: 'x/mode-a/seed-9' })),
    ];
    const { rows, unpaired } = agree(sims, reals);
    expect(unpaired).toEqual([
      { runId: 'x/mode-a/seed-2', engine: 'sim' },
      { runId: 'x/mode-a/seed-9', engine: 'real' },
    ]);
    const stale = rows.find((row) => row.metric === 'stale window max')!;
    expect(stale).toMatchObject({ runId: 'x/mode-a/seed-1', sim: 5_000, real: 7_000, toleranceAbs: 1_000 });
    expect(stale.agrees).toBe(false);
  });

  test('a metric that does not apply to the mode gives no row (no refusal window in mode A)', () => {
    const sim = fakeResult({ mode: 'a' });
    const names = agree([sim], [real(sim)]).rows.map((row) => row.metric);
    expect(names).toContain('stale window max');
    expect(names).not.toContain('refusal window max');
    expect(agree([sim], [real(sim)]).rows.every((row) => row.agrees)).toBe(true);
  });
});

describe('the storm absorb time', () => {
  /** A run whose server crashed at 30 s, absorbed in `absorbMs`, under `policy`. */
  const stormRun = (policy: string, absorbMs: number | null, engine: 'sim' | 'real' = 'sim'): RunResult => {
    const base = fakeResult({ mode: 'a', runId: `storm/${policy}/seed-0` });
    const storm = {
      atMs: 30_000,
      event: 'crash server-0',
      clientsDropped: 1_000,
      clientsBefore: 4_000,
      absorbMs,
      windowEndMs: 30_000 + Math.max(absorbMs ?? 30_000, 1_000),
      whoLatencyMsP99: { quiet: 1, storm: 1 },
      whoAsked: { quiet: 100, storm: 100 },
    };
    return { ...base, engine, config: { ...base.config, reconnectPolicy: policy }, storms: [storm] };
  };
  const metric = headlineMetric('storm absorb time');

  test('is compared only for runs with storm stats', () => {
    const plain = fakeResult({ mode: 'a' });
    expect(metric.of(plain)).toBeUndefined();
    expect(agree([plain], [real(plain)]).rows.map((row) => row.metric)).not.toContain('storm absorb time');
  });

  test('leaves at-once reconnects out, since the simulator absorbs a wave at once without CPU', () => {
    // The figures measured: SIM 1 ms, REAL 0.15-0.65 s; the gap is the machine's accept time.
    const sim = stormRun('immediate', 1);
    expect(metric.of(sim)).toBeUndefined();
    expect(agree([sim], [stormRun('immediate', 640, 'real')]).rows.map((row) => row.metric)).not.toContain(
      'storm absorb time',
    );
  });

  test('a spread policy agrees within 10% of the simulator or 1 s, the real engine’s accept time for a whole wave', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('backoff-jitter', 'spread'),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: -3_000, max: 3_000 }),
        (policy, simMs, gapMs) => {
          const sim = stormRun(policy, simMs);
          const realMs = Math.max(0, simMs + gapMs);
          const rows = agree([sim], [stormRun(policy, realMs, 'real')]).rows;
          const row = rows.find((r) => r.metric === 'storm absorb time')!;
          const tolerance = Math.max(relativeTolerance * simMs, 1_000);
          expect(row.toleranceAbs).toBe(tolerance);
          expect(row.agrees).toBe(Math.abs(realMs - simMs) <= tolerance);
        },
      ),
    );
  });

  test('a storm not absorbed within the run counts as the rest of the run, so it cannot pass as agreeing', () => {
    const sim = stormRun('backoff-jitter', 4_000);
    const row = agree([sim], [stormRun('backoff-jitter', null, 'real')]).rows.find(
      (r) => r.metric === 'storm absorb time',
    )!;
    expect(row.real).toBe(60_000 - 30_000);
    expect(row.agrees).toBe(false);
  });
});
