/**
 * Fault intervals on a timeline, read from the run's own timeline events: every event that is not
 * a heal is a fault (or a fault-like action: a stop, a restart) from its instant to the first heal
 * after it of the same target or of `all`, or to the end of the run when it never heals (a crash
 * that stays down). Nothing here names a fault kind, so a kind added to the fault table later is
 * shaded with no change to the report. Charts shade these as Jepsen's plots shade a nemesis's
 * intervals (`chart-plugins.ts`'s `faultBands`).
 */
import type { RunResult } from '../experiment/result.ts';

export interface FaultInterval {
  fromMs: number;
  toMs: number;
  label: string;
}

export interface FaultBand {
  /** In the chart's x units (`unitMs` each, since `originMs`; seconds by default). */
  from: number;
  to: number;
  label: string;
}

export function faultIntervals(run: RunResult): FaultInterval[] {
  const endMs = run.durationMs;
  return run.events
    .filter((e) => e.kind !== 'heal')
    .map((e) => {
      const heal = run.events.find(
        (h) => h.kind === 'heal' && (h.target === e.target || h.target === 'all') && h.atMs >= e.atMs,
      );
      return { fromMs: e.atMs, toMs: Math.max(e.atMs, heal?.atMs ?? endMs), label: `${e.kind} ${e.target}` };
    });
}

/**
 * The intervals that touch [fromMs, toMs], clipped to it, on an axis of `unitMs` since `originMs`.
 * An instantaneous fault (heal at the same instant) gets a sliver a thousandth of the window wide
 * so it still shows.
 */
export function faultBands(
  run: RunResult,
  originMs: number,
  fromMs: number,
  toMs: number,
  unitMs = 1000,
): FaultBand[] {
  const sliverMs = (toMs - fromMs) / 1000;
  return faultIntervals(run)
    .filter((i) => i.fromMs <= toMs && i.toMs >= fromMs)
    .map((i) => ({
      from: (Math.max(i.fromMs, fromMs) - originMs) / unitMs,
      to: (Math.min(Math.max(i.toMs, i.fromMs + sliverMs), toMs) - originMs) / unitMs,
      label: i.label,
    }))
    .filter((b) => b.to > b.from);
}

/** Bands of several runs on one axis: identical intervals merge, their labels joined. */
export function mergeBands(bands: readonly FaultBand[]): FaultBand[] {
  const merged = new Map<string, FaultBand>();
  for (const band of bands) {
    const key = `${band.from}|${band.to}`;
    const known = merged.get(key);
    if (known === undefined) merged.set(key, { ...band });
    else if (!known.label.split(' / ').includes(band.label)) known.label = `${known.label} / ${band.label}`;
  }
  return [...merged.values()];
}
