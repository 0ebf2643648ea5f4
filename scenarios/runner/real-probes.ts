/**
 * The real-engine measurements a whole-catalogue simulator run adds, so the report answers the
 * questions the simulator cannot (how many users one server holds: it models no CPU or memory)
 * and checks the simulator where its headline number comes from (the crash stale window per TTL).
 * The capacity probe runs first and alone (it is CPU-bound and its latency is the measurement).
 * The TTL cross-check then runs beside the simulator's job, to fit the two-minute budget: it is
 * light (a 1 s real TTL, 40 WHO per real second) and measures windows of a second or more, so
 * the scheduling delay two busy worker threads add (milliseconds) stays inside its tolerance;
 * the report states the machine's load beside the numbers.
 *
 *   capacity probe     scenarios/capacity.yaml --quick           -> <out>/capacity-real/
 *   TTL cross-check    scenarios/cross-check/ttl-*.yaml --quick  -> <out>/cross-check-real/
 *                      (the simulator runs the same files with their 5 seeds in the main job)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { catalogueDir, runScenarios } from './run-scenarios.ts';

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

/** Runs one probe on the real engine; resolves to its results folder, or undefined when it failed. */
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
    report: false,
    stdout,
    stderr,
  });
  stdout.write('\n');
  if (outcome.exitCode === 0) return probe.dir;
  stderr.write(`headcount scenario: ${probe.label.split(':')[0]} did not complete; ${probe.lost}\n`);
  return undefined;
}

/** A stream that keeps what is written, to print a concurrent job's output in one piece after it. */
export class HeldOutput extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
