/**
 * Hand-made run results for runner tests: a plausible RunResult whose fields a test overrides,
 * so expectations and summaries can be checked without running an engine.
 */
import type { RunResult } from '../../../experiment/result.ts';

const distribution = { count: 0, mean: 0, p50: 0, p99: 0, max: 0 };

export interface FakeRun {
  runId?: string;
  mode?: 'local' | 'a' | 'c';
  params?: Record<string, number | string>;
  wrong?: number;
  availability?: number;
  staleWindowMsMax?: number;
  ttlMs?: number;
  heartbeatMs?: number;
  failedChecks?: number;
  seed?: number;
}

export function fakeResult(run: FakeRun = {}): RunResult {
  const mode = run.mode ?? 'a';
  return {
    schema: 'headcount.run/1',
    engine: 'sim',
    scenario: 'fake',
    runId: run.runId ?? `fake/mode=${mode}/seed-0`,
    seed: run.seed ?? 7,
    params: run.params ?? { mode },
    config: {
      mode,
      servers: 3,
      ttlMs: run.ttlMs ?? 5_000,
      heartbeatMs: run.heartbeatMs ?? 1_000,
      publishDelayMs: 0,
      whoCacheMs: 0,
      idStrategy: 'uuid',
      leaseMs: 3_000,
      fanoutTimeoutMs: 500,
      discoveryInstances: 1,
      timeScale: 1,
    },
    durationMs: 60_000,
    who: {
      asked: 100,
      answered: 100,
      unavailable: 0,
      timedOut: 0,
      availability: run.availability ?? 1,
      wrong: run.wrong ?? 0,
      error: { ...distribution, min: 0 },
      relativeErrorAbs: distribution,
      overcount: { answers: 0, max: 0 },
      undercount: { answers: 0, max: 0 },
      latencyMs: { ...distribution, p90: 0 },
    },
    staleWindows: [],
    staleWindowMs: { ...distribution, max: run.staleWindowMsMax ?? 0 },
    refusalWindows: [],
    refusalWindowMs: distribution,
    redisOpsPerSec: 0,
    broadcastsPerSec: 0,
    events: [{ atMs: 1_000, kind: 'crash', target: 'server-1' }],
    series: { resolutionMs: 1_000, tMs: [], truth: [], whoMean: [], whoMin: [], whoMax: [], unavailable: [] },
    checks: Array.from({ length: run.failedChecks ?? 0 }, (_, i) => ({
      name: `check-${i}`,
      ok: false,
      detail: '',
    })),
  };
}
