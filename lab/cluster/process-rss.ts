/**
 * A process's resident memory from Linux's `/proc/<pid>/status` (`VmRSS`), so the lab can measure
 * a server that runs as a child process alone, without the load driver's sockets.
 */
import { readFileSync } from 'node:fs';

/** Resident bytes of `pid` (`RssAnon`: its anonymous part), or undefined when it cannot be read (gone, or not Linux). */
export function processRssBytes(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** The summed resident bytes of these processes, or undefined when none could be read. */
export function processesRssBytes(pids: readonly (number | undefined)[]): number | undefined {
  const readings = pids.flatMap((pid) => (pid === undefined ? [] : [processRssBytes(pid)]));
  if (readings.length === 0 || readings.some((bytes) => bytes === undefined)) return undefined;
  return readings.reduce<number>((sum, bytes) => sum + bytes!, 0);
}
