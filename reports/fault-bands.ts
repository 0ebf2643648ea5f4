/**
 * Fault intervals for a timeline's shading (Jepsen's plots shade a nemesis's intervals the same
 * way): each fault a run recorded, from its instant to the heal of the same target, or to the end
 * of the shown span when it never healed (a crashed server that stays down). Read from the run's
 * `events` by kind, so a fault kind added to the fault table shades with no code here.
 */
import type { RunResult } from '../experiment/result.ts';

/** One shaded interval, in the chart's x units. */
export interface FaultBand {
  from: number;
  to: number;
  label: string;
}

/** A fault interval of a run, in ms of the run. */
export interface FaultInterval {
  fromMs: number;
  toMs: number;
  label: string;
}

/** Every fault of `run` that overlaps [fromMs, toMs], clipped to it. */
export function faultIntervals(run: RunResult, fromMs = 0, toMs = run.durationMs): FaultInterval[] {
  return run.events
    .filter((e) => e.kind !== 'heal' && e.atMs <= toMs)
    .map((e) => {
      const heal = run.events.find((h) => h.kind === 'heal' && h.target === e.target && h.atMs >= e.atMs);
      return {
        fromMs: Math.max(e.atMs, fromMs),
        toMs: Math.min(heal?.atMs ?? toMs, toMs),
        label: `${e.kind} ${e.target}`,
      };
    })
    .filter((interval) => interval.toMs > interval.fromMs);
}

/** Intervals as bands on an axis where x = (ms - originMs) / msPerUnit. */
export function bandsOf(
  intervals: readonly FaultInterval[],
  originMs: number,
  msPerUnit: number,
): FaultBand[] {
  return intervals.map((i) => ({
    from: (i.fromMs - originMs) / msPerUnit,
    to: (i.toMs - originMs) / msPerUnit,
    label: i.label,
  }));
}
