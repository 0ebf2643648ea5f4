/**
 * A load result as text for a terminal: a pure function from `LoadResult` to a string (as
 * autocannon's `printResult`), so it can be snapshot-tested and reused by reports.
 */
import type { LatencySummary } from './histograms.ts';
import type { LoadResult } from './result.ts';

export function formatResult(result: LoadResult): string {
  const { requests, connects, errors, options } = result;
  const loop =
    result.expectedIntervalUs === null
      ? `closed loop, pipeline ${options.pipelineDepth}`
      : `open loop, ${options.ratePerSec} req/s, expectedIntervalUs ${result.expectedIntervalUs} (latency from intended send time)`;
  const churn = options.churnPerSec === null ? '' : `, churn ${options.churnPerSec}/s`;
  const lines = [
    `load: ${options.targets.map((target) => `${target.host}:${target.port}`).join(', ')} — ${options.connectionCount} connections, ${loop}${churn}`,
    `measured ${(result.measuredMs / 1000).toFixed(2)} s, stopped by ${result.stoppedBy}, ${result.partCount} part(s)`,
    '',
    `             ${['p50', 'p90', 'p99', 'p99.9', 'max', 'mean'].map((name) => name.padStart(9)).join('')}   count`,
    latencyRow('request µs', requests.latency.summary),
    latencyRow('connect µs', connects.latency.summary),
  ];
  if (result.sendLag) lines.push(latencyRow('send lag µs', result.sendLag.summary));
  lines.push(
    '',
    `requests: ${requests.completed} completed (${requests.ok} ok) of ${requests.sent} sent, ${Math.round(requests.throughputPerSec)} req/s`,
    `connects: ${connects.succeeded}/${connects.attempted} succeeded, ${connects.closed} closed`,
  );
  if (result.churn.started > 0 || result.churn.skipped > 0) {
    lines.push(
      `churn: ${result.churn.completed}/${result.churn.started} completed, ${result.churn.skipped} skipped`,
    );
  }
  const errorText = Object.entries(errors)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  lines.push(`errors: ${errorText || 'none'}`);
  if (requests.unsent > 0)
    lines.push(
      `warning: ${requests.unsent} scheduled requests were never sent; the target rate was not reached`,
    );
  return `${lines.join('\n')}\n`;
}

function latencyRow(label: string, summary: LatencySummary): string {
  const values = [
    summary.latencyUsP50,
    summary.latencyUsP90,
    summary.latencyUsP99,
    summary.latencyUsP999,
    summary.latencyUsMax,
    summary.latencyUsMean,
  ];
  return `${label.padEnd(13)}${values.map((value) => String(value).padStart(9)).join('')}   ${summary.count}`;
}

/** One status line for a TTY, rewritten in place every second. */
export function formatProgress(progress: {
  elapsedMs: number;
  openConnectionCount: number;
  requestsPerSec: number;
  latencyUsP99: number;
}): string {
  const seconds = (progress.elapsedMs / 1000).toFixed(0).padStart(4);
  return `\r${seconds}s  conns ${progress.openConnectionCount}  req/s ${Math.round(progress.requestsPerSec)}  p99 ${progress.latencyUsP99} µs   `;
}
