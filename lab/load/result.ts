/**
 * The shape of a load run's result (`LoadResult`), documented field by field in README.md. One
 * shard, a whole multi-worker run and a `load merge` of runs from several machines all have this
 * shape; the encoded histograms make merging exact. Reports import only this file.
 */
import type { LatencySummary } from './histograms.ts';
import type { LoadOptions } from './options.ts';

export const loadResultFormat = 'headcount-load-result/1';

export type StopReason = 'duration' | 'requests' | 'signal';

export interface ErrorCounts {
  /** The connection could not be opened (ECONNREFUSED and other connect failures). */
  refused: number;
  /** An open connection failed or closed with requests in flight (ECONNRESET, EPIPE, EOF). */
  reset: number;
  /** Requests (and connects) unanswered within timeoutMs, including the rest of their pipeline. */
  timeout: number;
  /** `ERR ...` replies (`-...` on redis-inline). */
  errReply: number;
  /** Replies that failed `--check`, or lines longer than replyBytesMax. */
  badReply: number;
  /** `BYE` lines: the server said goodbye and closed. */
  bye: number;
}

export interface HistogramField {
  summary: LatencySummary;
  /** hdr-histogram-js compressed base64, µs, bounds from limits.ts. */
  histogram: string;
}

export interface LoadResult {
  format: typeof loadResultFormat;
  options: LoadOptions;
  /** Wall-clock start of the measured window (ms since the epoch; earliest part). */
  startedAtMs: number;
  /** Length of the measured window (longest part): from the end of warmup until sending stopped. */
  measuredMs: number;
  stoppedBy: StopReason;
  /** How many shards (worker threads, merged runs) this result adds up. */
  partCount: number;
  /** Open loop: µs between intended sends on one connection (wrk2's correction); null in the closed loop. */
  expectedIntervalUs: number | null;
  requests: {
    sent: number;
    /** Replies received for requests sent in the measured window (any kind). */
    completed: number;
    /** Replies that were neither ERR, BYE nor bad. */
    ok: number;
    /** Open loop: intended sends that never went out (the in-flight limit was full at the end). */
    unsent: number;
    throughputPerSec: number;
    /** Open loop: from the intended send time; closed loop: from the actual send time. */
    latency: HistogramField;
  };
  /** Open loop: how late sends left compared with their intended time (the driver's own lag). */
  sendLag: HistogramField | null;
  connects: {
    attempted: number;
    succeeded: number;
    /** Connections closed by us or the server (churn closes one per attempt). */
    closed: number;
    latency: HistogramField;
  };
  churn: { started: number; completed: number; skipped: number };
  errors: ErrorCounts;
  /** Replies per target, keyed `host:port`. */
  targets: Record<string, { completed: number }>;
}

export function targetKey(target: { host: string; port: number }): string {
  return `${target.host}:${target.port}`;
}
