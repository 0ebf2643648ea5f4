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
    ].join('  '),
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

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value < 10 ? 2 : 1);
}

/** True when the module at `moduleUrl` is the script being run (`tsx bench/x.ts`). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === moduleUrl;
}
