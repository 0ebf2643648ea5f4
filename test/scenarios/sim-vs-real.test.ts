/**
 * The simulator earns trust only by agreeing with the real thing. Goal: `server-crash` (mode A)
 * on the real engine (real servers, a real redis-server through the fault proxy, real TCP
 * clients, time-scaled 0.25) and on the simulator with the same parameters give the same median
 * stale window after a crash, within 10% or 50 ms (production units), whichever is larger.
 *
 * Method: the catalogue file is planned as the runner plans it (--quick, engine real, mode a),
 * then shortened so it fits a test (about 12 s): 5 servers, 100 clients, seven crashes 6 s apart
 * (production units), each server back 2 s after its crash under a new id, so each crash gives
 * its own window. A crash's stale window is the longest stale window that starts
 * within ttl + heartbeat after it (the checker blames windows on the last unhealed fault, so we
 * pick them by time, the same way for both engines).
 *
 * Findings (see lab/README.md): with the catalogue's 1 s heartbeat, 10 crashes and scale 0.1 the
 * medians agreed within about 5% on a quiet machine but not on a loaded one: the real windows
 * run shorter because heartbeat timers slip on a busy event loop and the scale multiplies the
 * slip, and a crash's random heartbeat phase makes a median of a few crashes noisy by itself.
 * With a 250 ms heartbeat and scale 0.25 the medians agree within about 100 ms (2%), also with
 * both cores busy. The simulator's model of the product holds; the lab's scale adds the error.
 */
import { describe, expect, test } from 'vitest';
import { runReal } from '../../lab/engine.ts';
import { loadEngine } from '../../scenarios/runner/engines.ts';
import { loadScenarioFile } from '../../scenarios/runner/load.ts';
import { planScenario, type RunSpec } from '../../scenarios/runner/plan.ts';
import type { RunResult } from '../../experiment/result.ts';

const crashAtMs = [4_000, 10_000, 16_000, 22_000, 28_000, 34_000, 40_000];

/**
 * Real time per production time. 0.25, not 0.1: timer slip on a shared, busy event loop is
 * multiplied by 1/scale, and at 0.1 a loaded CI machine pushed the real windows past the
 * tolerance. At 0.25 the run takes about 12 s.
 */
const timeScale = 0.25;

function serverCrashSpec(): RunSpec {
  const loaded = loadScenarioFile(new URL('../../scenarios/server-crash.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  const planned = planScenario(loaded.value, { engine: 'real', rootSeed: 7, quick: true });
  if (!planned.ok) throw new Error(JSON.stringify(planned.error));
  const spec = planned.value.runs.find((run) => run.params.mode === 'a');
  if (spec === undefined) throw new Error('server-crash has no mode a run');
  return {
    ...spec,
    timeScale,
    config: {
      ...spec.config,
      durationMs: 46_000,
      // A short heartbeat: a crash lands at a random phase of it, so the window varies by up to
      // one heartbeat between engines; 250 ms keeps that sampling noise well inside the tolerance.
      cluster: { ...spec.config.cluster, servers: 5, heartbeatMs: 250 },
      workload: { ...spec.config.workload, initialClients: 100, arrivalRatePerSec: 3, whoRatePerSec: 20 },
      faults: {
        ...spec.config.faults,
        schedule: crashAtMs.map((atMs, index) => ({
          atMs,
          kind: 'crash' as const,
          target: `server-${index % 5}`,
          durationMs: 2_000,
        })),
      },
    },
  };
}

/** Per crash: the longest stale window starting within ttl + heartbeat after it. */
function crashWindowsMs(result: RunResult): number[] {
  const spanMs = result.config.ttlMs + result.config.heartbeatMs;
  return result.events
    .filter((event) => event.kind === 'crash')
    .map((crash) => {
      const windows = result.staleWindows.filter(
        (window) => window.startMs >= crash.atMs - 50 && window.startMs <= crash.atMs + spanMs,
      );
      return Math.max(0, ...windows.map((window) => window.durationMs));
    });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

describe('scenarios: server-crash, simulator against the real engine', () => {
  test('the median stale window after a crash agrees within 10% or 50 ms', async () => {
    const spec = serverCrashSpec();
    const real = await runReal(spec);
    const sim = await (await loadEngine('sim'))({ ...spec, engine: 'sim' });
    const realWindowsMs = crashWindowsMs(real);
    const simWindowsMs = crashWindowsMs(sim);
    expect(real.engine).toBe('real');
    expect(real.config.timeScale).toBe(timeScale);
    expect(realWindowsMs).toHaveLength(crashAtMs.length);
    expect(realWindowsMs.every((windowMs) => windowMs > 0)).toBe(true);
    expect(real.who.timedOut).toBe(0);
    const toleranceMs = Math.max(50, 0.1 * median(realWindowsMs));
    console.log(
      `sim-vs-real medians: sim ${median(simWindowsMs)} ms, real ${median(realWindowsMs)} ms, tolerance ${toleranceMs} ms`,
    );
    expect(Math.abs(median(simWindowsMs) - median(realWindowsMs))).toBeLessThanOrEqual(toleranceMs);
  }, 40_000);
});
