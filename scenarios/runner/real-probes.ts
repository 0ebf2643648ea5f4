/**
 * The real-engine measurements a whole-catalogue simulator run adds, so the report answers the
 * questions the simulator cannot (how many users one server holds: it models no CPU or memory)
 * and checks the simulator where its headline number comes from (the crash stale window per TTL).
 * They run first and one at a time, before the simulator's worker threads load the machine: run
 * beside the simulator on a loaded 2-core machine, the cross-check's load driver was starved (a
 * tenth of its WHO requests sent) and its windows meant nothing. The report states the machine's
 * load beside the numbers and flags a real run that could not send its planned requests.
 *
 *   capacity probe     scenarios/capacity.yaml --quick           -> <out>/capacity-real/
 *   TTL cross-check    scenarios/cross-check/ttl-*.yaml --quick  -> <out>/cross-check-real/
 *                      (the simulator runs the same files with their 5 seeds in the main job)
 *   failover check     scenarios/redis-failover.yaml --quick     -> <out>/failover-real/
 *                      (real Sentinels: the report checks the simulated failover against it)
 *   storm check        scenarios/reconnect-storm.yaml --quick, mode A only -> <out>/storm-real/
 *                      (the established clients' WHO p99 in a storm: the simulator models no CPU)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogueDir, runScenarios } from './run-scenarios.ts';
import type { ModeName } from './schema.ts';

export const crossCheckDir = join(catalogueDir, 'cross-check');

export function crossCheckFiles(): string[] {
  return readdirSync(crossCheckDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort((a, b) => ttlOf(a) - ttlOf(b))
    .map((name) => join(crossCheckDir, name));
}

function ttlOf(name: string): number {
  return Number(/(\d+)/.exec(name)?.[1] ?? 0);
}

interface Probe {
  label: string;
  files: string[];
  dir: string;
  /** What the report lacks when the probe fails. */
  lost: string;
  /** Only these modes of the files. @default every mode */
  modes?: readonly ModeName[];
}

export const capacityProbe = (outDir: string): Probe => ({
  label: 'capacity probe: scenarios/capacity.yaml --engine real --quick (about 14 s)',
  files: [join(catalogueDir, 'capacity.yaml')],
  dir: join(outDir, 'capacity-real'),
  lost: 'the report leaves capacity open',
});

export const crossCheckProbe = (outDir: string): Probe => ({
  label: 'TTL cross-check: scenarios/cross-check/ttl-*.yaml --engine real --quick (about 30 s)',
  files: crossCheckFiles(),
  dir: join(outDir, 'cross-check-real'),
  lost: 'the TTL chart shows simulated points only',
});

export const failoverProbe = (outDir: string): Probe => ({
  label: 'failover check: scenarios/redis-failover.yaml --engine real --quick, real Sentinels (about 35 s)',
  files: [join(catalogueDir, 'redis-failover.yaml')],
  dir: join(outDir, 'failover-real'),
  lost: 'the failover row has no REAL check',
});

export const stormProbe = (outDir: string): Probe => ({
  label: 'storm check: scenarios/reconnect-storm.yaml --engine real --quick, mode A (about 15 s)',
  files: [join(catalogueDir, 'reconnect-storm.yaml')],
  dir: join(outDir, 'storm-real'),
  lost: 'the reconnect-storm row has no REAL latency',
  modes: ['a'],
});

/**
 * Runs one probe on the real engine; resolves to its results folder when it wrote results (a
 * failed expectation is a finding the report must show, so only an invalid file or a crash of
 * the run loses the folder), else undefined.
 */
export async function runRealProbe(
  probe: Probe,
  rootSeed: number,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<string | undefined> {
  stdout.write(`${probe.label}\n`);
  const outcome = await runScenarios({
    files: probe.files,
    engine: 'real',
    rootSeed,
    quick: true,
    outDir: probe.dir,
    ...(probe.modes === undefined ? {} : { modes: probe.modes }),
    report: false,
    stdout,
    stderr,
  });
  stdout.write('\n');
  if (outcome.aggregate?.scenarios.some((s) => s.runIds.length > 0)) return probe.dir;
  stderr.write(`headcount scenario: ${probe.label.split(':')[0]} wrote no results; ${probe.lost}\n`);
  return undefined;
}
