/**
 * Adds load results together: the shards of one multi-worker run, or runs made at the same time
 * from several machines (`headcount load merge`). Counts add up, histograms merge exactly
 * (decode, add, re-encode, as autocannon's `aggregateResult`), and the parts are taken to have
 * run side by side: the measured window is the longest part's, so throughput is the total
 * completed over that window.
 */
import { encodeHistogram, type Histogram, mergeEncoded, summarize } from './histograms.ts';
import type { ErrorCounts, HistogramField, LoadResult, StopReason } from './result.ts';

export function mergeResults(parts: readonly LoadResult[]): LoadResult {
  const first = parts[0];
  if (!first) throw new Error('mergeResults needs at least one result');
  const sum = (pick: (part: LoadResult) => number) => parts.reduce((total, part) => total + pick(part), 0);
  const measuredMs = Math.max(...parts.map((part) => part.measuredMs));
  const completed = sum((part) => part.requests.completed);
  const sendLags = parts.flatMap((part) => (part.sendLag ? [part.sendLag] : []));
  return {
    format: first.format,
    options: first.options,
    startedAtMs: Math.min(...parts.map((part) => part.startedAtMs)),
    measuredMs,
    stoppedBy: mergeStopReasons(parts.map((part) => part.stoppedBy)),
    partCount: sum((part) => part.partCount),
    expectedIntervalUs: parts.every((part) => part.expectedIntervalUs === first.expectedIntervalUs)
      ? first.expectedIntervalUs
      : null,
    requests: {
      sent: sum((part) => part.requests.sent),
      completed,
      ok: sum((part) => part.requests.ok),
      unsent: sum((part) => part.requests.unsent),
      throughputPerSec: measuredMs > 0 ? (completed * 1000) / measuredMs : 0,
      latency: mergeFields(parts.map((part) => part.requests.latency)),
    },
    sendLag: sendLags.length > 0 ? mergeFields(sendLags) : null,
    connects: {
      attempted: sum((part) => part.connects.attempted),
      succeeded: sum((part) => part.connects.succeeded),
      closed: sum((part) => part.connects.closed),
      latency: mergeFields(parts.map((part) => part.connects.latency)),
    },
    churn: {
      started: sum((part) => part.churn.started),
      completed: sum((part) => part.churn.completed),
      skipped: sum((part) => part.churn.skipped),
    },
    errors: mergeErrors(parts.map((part) => part.errors)),
    targets: mergeTargets(parts.map((part) => part.targets)),
  };
}

function mergeFields(fields: readonly HistogramField[]): HistogramField {
  const merged: Histogram = mergeEncoded(fields.map((field) => field.histogram));
  return { summary: summarize(merged), histogram: encodeHistogram(merged) };
}

function mergeErrors(all: readonly ErrorCounts[]): ErrorCounts {
  const total: ErrorCounts = { refused: 0, reset: 0, timeout: 0, errReply: 0, badReply: 0, bye: 0 };
  for (const errors of all)
    for (const kind of Object.keys(total) as (keyof ErrorCounts)[]) total[kind] += errors[kind];
  return total;
}

function mergeTargets(all: readonly LoadResult['targets'][]): LoadResult['targets'] {
  const total: LoadResult['targets'] = {};
  for (const targets of all) {
    for (const [key, value] of Object.entries(targets)) {
      total[key] = { completed: (total[key]?.completed ?? 0) + value.completed };
    }
  }
  return total;
}

/** A signal anywhere means the whole run was cut short; otherwise the first part's reason. */
function mergeStopReasons(reasons: readonly StopReason[]): StopReason {
  if (reasons.includes('signal')) return 'signal';
  if (reasons.includes('duration')) return 'duration';
  return 'requests';
}
