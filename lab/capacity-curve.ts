/**
 * The capacity curve of a real run that ramps load: the run is cut into equal windows, and for
 * each the curve gives the connections held at its end, the WHO p99 latency and the errors (WHO
 * not answered with a number) inside it, and the resident memory per connection. The report's
 * capacity answer reads the last window that kept the latency objective without errors.
 *
 * Memory: `rssSamples` are the process's resident memory. When the servers run inside the lab's
 * process (the default), the clients' sockets live there too, so the figure counts both ends of
 * each connection and overstates a server's share; `bench/capacity.ts` measures a server alone.
 */
import type { History } from '../experiment/history.ts';
import type { RunResult } from '../experiment/result.ts';

export interface RssSample {
  atMs: number;
  rssBytes: number;
}

export const capacityWindowCount = 10;

export function capacityCurve(
  history: History,
  rssSamples: readonly RssSample[],
  windowCount = capacityWindowCount,
): NonNullable<RunResult['capacity']> {
  const windowMs = history.durationMs / windowCount;
  const baseRssBytes = rssSamples[0]?.rssBytes ?? 0;
  const curve: NonNullable<RunResult['capacity']> = [];
  for (let index = 0; index < windowCount; index += 1) {
    const fromMs = index * windowMs;
    const toMs = fromMs + windowMs;
    const asked = history.who.filter((record) => record.askedAtMs >= fromMs && record.askedAtMs < toMs);
    const latenciesMs = asked
      .filter((record) => record.outcome === 'count')
      .map((record) => record.answeredAtMs - record.askedAtMs)
      .sort((a, b) => a - b);
    const connections = truthAt(history, toMs);
    const rss = rssSamples.filter((sample) => sample.atMs <= toMs).at(-1)?.rssBytes ?? baseRssBytes;
    curve.push({
      connections,
      latencyMsP99:
        latenciesMs.length === 0
          ? 0
          : latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * 0.99))]!,
      errors: asked.length - latenciesMs.length,
      rssBytesPerConnection: connections === 0 ? 0 : Math.max(0, rss - baseRssBytes) / connections,
    });
  }
  return curve;
}

function truthAt(history: History, atMs: number): number {
  let count = 0;
  for (let index = 0; index < history.truthTMs.length && history.truthTMs[index]! <= atMs; index += 1) {
    count = history.truthCount[index]!;
  }
  return count;
}
