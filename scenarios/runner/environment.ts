/**
 * The machine and code a job runs on, recorded once in `results.json` so the report can state
 * them beside its numbers (a real-engine timing means little without the load it ran under).
 * No host name: results folders travel between machines and into reports.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { RunEnvironment } from '../../experiment/result.ts';

/** git may be missing or slow on a cold disk; the commit is a label, never worth a hang. */
const gitTimeoutMs = 2_000;

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      timeout: gitTimeoutMs,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function commitOf(cwd: string): string {
  const head = git(['rev-parse', '--short', 'HEAD'], cwd);
  if (head === undefined) return 'unknown';
  const dirty = (git(['status', '--porcelain', '--untracked-files=no'], cwd) ?? '') !== '';
  return dirty ? `${head}+dirty` : head;
}

export function currentEnvironment(cwd: string): RunEnvironment {
  const list = cpus();
  return {
    cpus: `${list.length} x ${list[0]?.model.trim() ?? 'unknown CPU'}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    memoryBytes: totalmem(),
    platform: `${platform()} ${release()}`,
    nodeVersion: process.version,
    commit: commitOf(cwd),
  };
}
