/**
 * The engines' cross-check: the stale window after a crash, per TTL, from the same scenario files
 * (scenarios/cross-check/ttl-*.yaml) run on the simulator and on real sockets. One point per
 * (TTL, engine) with its spread over crashes; the TTL chart and the "Simulator against real
 * engine" section both read these rows.
 */
import type { Engine, RunResult } from '../experiment/result.ts';
import { groupBy, type ReportData } from './report-data.ts';
import { availability, type Spread, spreadOf } from './quantities.ts';

export const crossCheckPrefix = 'ttl-cross-check-';

/**
 * Agreement tolerance: real within 10% of the simulator or 250 ms (production units), whichever
 * is larger. 250 ms is a quarter of a real second at the slowest time scale (1/30 s per
 * production second would make it 8 ms real): timer slip on a loaded 2-core machine.
 */
export const agreementShare = 0.1;
export const agreementMsMin = 250;

export interface CrossCheckPoint {
  ttlMs: number;
  heartbeatMs: number;
  engine: Engine;
  runs: RunResult[];
  /** Every crash's stale window (ms), over all runs. */
  windowsMs: number[];
  spread: Spread;
  /** The longest window over the runs (the figure the TTL chart plots). */
  staleWindowMsMax: number;
  timeScale: number;
  /** WHO requests asked / planned (rate x duration): below `askedShareMin` the load driver was starved. */
  askedShare: number;
}

/**
 * A real run that asked fewer than 80% of its planned WHO requests, or (mode A, no fault on
 * Redis) had more than 1% of them refused or timed out, ran on a machine too loaded to keep its
 * own schedule (both seen on a 2-core machine at load average 40-45): its windows are not judged.
 */
export const askedShareMin = 0.8;
export const realAvailabilityMin = 0.99;

function askedShareOf(runs: readonly RunResult[]): number {
  const planned = runs.reduce(
    (n, r) => n + (Number(r.config['whoRatePerSec'] ?? 0) * r.durationMs) / 1000,
    0,
  );
  const asked = runs.reduce((n, r) => n + r.who.asked, 0);
  return planned === 0 ? 1 : asked / planned;
}

export function crossCheckRuns(data: ReportData): RunResult[] {
  return data.runs.filter((r) => r.scenario.startsWith(crossCheckPrefix) && r.config.mode === 'a');
}

function crashWindowsMs(run: RunResult): number[] {
  return run.staleWindows.filter((w) => w.cause.includes('crash')).map((w) => w.durationMs);
}

export function crossCheckPoints(data: ReportData): CrossCheckPoint[] {
  const groups = groupBy(crossCheckRuns(data), (r) => `${r.engine}|${r.config.ttlMs}`);
  return [...groups.values()]
    .map((runs) => {
      const first = runs[0]!;
      const windowsMs = runs.flatMap(crashWindowsMs);
      const spread = spreadOf(windowsMs);
      return {
        ttlMs: first.config.ttlMs,
        heartbeatMs: first.config.heartbeatMs,
        engine: first.engine,
        runs,
        windowsMs,
        spread: { ...spread, seeds: runs.length },
        staleWindowMsMax: spread.max,
        timeScale: first.config.timeScale,
        askedShare: askedShareOf(runs),
      };
    })
    .sort((a, b) => a.ttlMs - b.ttlMs || (a.engine < b.engine ? 1 : -1));
}

export interface CrossCheckRow {
  ttlMs: number;
  sim: CrossCheckPoint;
  real: CrossCheckPoint;
  /** real max - sim max (ms). */
  diffMs: number;
  toleranceMs: number;
  /** False when the real run could not keep its schedule (see `askedShareMin`). */
  judged: boolean;
  agrees: boolean;
}

export function crossCheckRows(data: ReportData): CrossCheckRow[] {
  const points = crossCheckPoints(data);
  return points
    .filter((p) => p.engine === 'real')
    .flatMap((real) => {
      const sim = points.find((p) => p.engine === 'sim' && p.ttlMs === real.ttlMs);
      if (sim === undefined) return [];
      const diffMs = real.staleWindowMsMax - sim.staleWindowMsMax;
      const toleranceMs = Math.max(agreementShare * sim.staleWindowMsMax, agreementMsMin);
      const judged = real.askedShare >= askedShareMin && availability(real.runs) >= realAvailabilityMin;
      return [
        {
          ttlMs: real.ttlMs,
          sim,
          real,
          diffMs,
          toleranceMs,
          judged,
          agrees: judged && Math.abs(diffMs) <= toleranceMs,
        },
      ];
    });
}
