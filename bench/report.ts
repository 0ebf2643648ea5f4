/**
 * How every benchmark reports: rows of "ours vs a reference measured in the same run", printed
 * as a table and written as JSON to `out/bench/<bench>.json`. Ratios, not absolute numbers,
 * carry the verdict: these machines are noisy, but both sides of a ratio share the noise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BenchRow {
  /** What was measured, e.g. `WHY throughput, 50 conns, depth 16`. */
  metric: string;
  unit: string;
  ours: number;
  /** The reference measured in the same run (redis-server, redis-benchmark, a bound). */
  reference: number;
  referenceName: string;
  /** ours / reference. */
  ratio: number;
  /** The target, e.g. `>= 0.8` or `<= 1.5`; empty when there is none. */
  target: string;
  /** Whether the ratio meets the target (true when there is none). */
  meets: boolean;
  /**
   * More references measured in the same run, each with its own ratio: every server row carries
   * the platform's floor (`bench/floor-server.ts`) and redis-server here or as its reference.
   */
  also?: Comparison[];
}

export interface Comparison {
  referenceName: string;
  reference: number;
  /** Our figure in this comparison's round, when it is not the row's own (median-round benches). */
  ours?: number;
  ratio: number;
  target: string;
  meets: boolean;
}

/**
 * `base` with one more reference beside its own (same units, same run). `ours` defaults to the
 * row's own figure; a bench that takes the median round of each ratio passes that round's.
 */
export function compare(
  base: BenchRow,
  referenceName: string,
  reference: number,
  target: `>= ${number}` | `<= ${number}` | '' = '',
  ours = base.ours,
): BenchRow {
  const { ratio, meets } = row(base.metric, base.unit, ours, reference, referenceName, target);
  const comparison: Comparison = { referenceName, reference, ratio, target, meets };
  if (ours !== base.ours) comparison.ours = ours;
  return { ...base, also: [...(base.also ?? []), comparison] };
}

/** True when the row and each of its comparisons meet their targets. */
export function rowMeets(r: BenchRow): boolean {
  return r.meets && (r.also ?? []).every((comparison) => comparison.meets);
}

/** `vs floor 3,500 x1.02 <= 1.1 ok` (`vs floor 3,500 (ours 3,570) x1.02` from another round), one per comparison. */
export function formatComparisons(r: BenchRow): string {
  return (r.also ?? [])
    .map(
      (c) =>
        `vs ${c.referenceName} ${format(c.reference)}${c.ours === undefined ? '' : ` (ours ${format(c.ours)})`} x${c.ratio.toFixed(2)}${c.target === '' ? '' : ` ${c.target} ${c.meets ? 'ok' : 'MISSED'}`}`,
    )
    .join(';  ');
}

/**
 * The round whose ours / reference ratio is the median (the upper middle for an even count): a
 * ratio from two runs made seconds apart, where the machine's speed drifts between rounds.
 */
export function medianRound<T>(rounds: readonly T[], ours: (round: T) => number, reference: (round: T) => number): T {
  const ratio = (round: T) => ours(round) / reference(round);
  return [...rounds].sort((a, b) => ratio(a) - ratio(b))[Math.floor(rounds.length / 2)]!;
}

export function row(
  metric: string,
  unit: string,
  ours: number,
  reference: number,
  referenceName: string,
  target: `>= ${number}` | `<= ${number}` | '',
): BenchRow {
  const ratio = reference === 0 ? Number.NaN : ours / reference;
  const bound = Number(target.slice(3));
  const meets = target === '' || (target.startsWith('>=') ? ratio >= bound : ratio <= bound);
  return { metric, unit, ours, reference, referenceName, ratio, target, meets };
}

export function printRows(bench: string, rows: readonly BenchRow[]): void {
  const lines = rows.map((r) =>
    [
      r.metric.padEnd(46),
      `${format(r.ours)} ${r.unit}`.padStart(18),
      `${r.referenceName} ${format(r.reference)}`.padStart(28),
      `x${r.ratio.toFixed(2)}`.padStart(7),
      (r.target === '' ? '' : `${r.target} ${r.meets ? 'ok' : 'MISSED'}`).padStart(14),
      formatComparisons(r),
    ]
      .join('  ')
      .trimEnd(),
  );
  process.stdout.write(`\n== ${bench}\n${lines.join('\n')}\n`);
}

export function writeRows(bench: string, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): string {
  const dir = resolve('out/bench');
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, `${bench}.json`);
  writeFileSync(path, `${JSON.stringify({ bench, measuredAt: new Date().toISOString(), rows, ...extra }, null, 2)}\n`);
  return path;
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value < 10 ? 2 : 1);
}

/** True when the module at `moduleUrl` is the script being run (`tsx bench/x.ts`). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === moduleUrl;
}
