/**
 * `npm run bench`: runs every benchmark in this folder, one process each (so one bench's
 * servers and heap do not disturb the next), in a fixed order. Each prints its table of ratios
 * and writes `out/bench/<name>.json`; this runner then prints one summary of every row.
 *
 * `npm run bench -- server-vs-redis mode-a` runs only the named benches.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BenchRow, formatComparisons } from './report.ts';

/** Order matters a little: the cheapest first, so a quick look needs no patience. */
const benches = [
  'server-vs-redis',
  'driver-vs-redis-benchmark',
  'churn',
  'capacity',
  'mode-a',
  'mode-c',
  'sim',
  'hostile-clients',
  'reconnect-storm',
  'http-surfaces',
];

const wanted = process.argv.slice(2);
const selected = wanted.length > 0 ? benches.filter((name) => wanted.includes(name)) : benches;
const summary: { bench: string; rows: BenchRow[]; failed: boolean }[] = [];
for (const name of selected) {
  const file = resolve('bench', `${name}.ts`);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n### ${name}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  const json = resolve('out/bench', `${name}.json`);
  const rows = existsSync(json)
    ? ((JSON.parse(readFileSync(json, 'utf8')) as { rows?: BenchRow[] }).rows ?? [])
    : [];
  summary.push({ bench: name, rows, failed: result.status !== 0 });
}

process.stdout.write('\n=== summary (ratios against a reference measured in the same run)\n');
for (const entry of summary) {
  if (entry.failed) process.stdout.write(`${entry.bench}: FAILED to run\n`);
  for (const r of entry.rows) {
    const verdict = r.target === '' ? '' : `${r.target} ${r.meets ? 'ok' : 'MISSED'}`;
    process.stdout.write(
      `${entry.bench.padEnd(26)} ${r.metric.padEnd(48)} x${r.ratio.toFixed(2).padEnd(7)} ${r.referenceName.padEnd(14)} ${verdict.padEnd(14)} ${formatComparisons(r)}`.trimEnd() + '\n',
    );
  }
}
process.stdout.write(
  '\nEvery server row gives its ratio to redis-server and to the floor (bench/floor-server.ts, a bare\n' +
    'node:net line server), each measured in the same run; one bench alone: npm run bench -- <bench>\n',
);
process.stdout.write(`JSON: ${resolve('out/bench')}\n`);
