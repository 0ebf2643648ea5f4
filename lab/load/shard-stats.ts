/**
 * The mutable tallies of one shard (one thread): counters and live histograms the connection
 * clients write into on the hot path, turned into a `LoadResult` once at the end.
 */
import { createLatencyHistogram, encodeHistogram, type Histogram, summarize } from './histograms.ts';
import type { LoadOptions } from './options.ts';
import { type ErrorCounts, type LoadResult, loadResultFormat, type StopReason, targetKey } from './result.ts';

export class ShardStats {
  readonly requestLatency: Histogram = createLatencyHistogram();
  readonly connectLatency: Histogram = createLatencyHistogram();
  readonly sendLag: Histogram = createLatencyHistogram();
  readonly errors: ErrorCounts = { refused: 0, reset: 0, timeout: 0, errReply: 0, badReply: 0, bye: 0 };
  sent = 0;
  completed = 0;
  ok = 0;
  unsent = 0;
  connectsAttempted = 0;
  connectsSucceeded = 0;
  connectsClosed = 0;
  churnStarted = 0;
  churnCompleted = 0;
  churnSkipped = 0;
  readonly completedByTarget: number[];

  constructor(targetCount: number) {
    this.completedByTarget = new Array<number>(targetCount).fill(0);
  }

  toResult(run: {
    options: LoadOptions;
    startedAtMs: number;
    measuredMs: number;
    stoppedBy: StopReason;
    expectedIntervalUs: number | null;
  }): LoadResult {
    const targets: LoadResult['targets'] = {};
    run.options.targets.forEach((target, index) => {
      const key = targetKey(target);
      targets[key] = { completed: (targets[key]?.completed ?? 0) + this.completedByTarget[index]! };
    });
    const field = (histogram: Histogram) => ({
      summary: summarize(histogram),
      histogram: encodeHistogram(histogram),
    });
    return {
      format: loadResultFormat,
      options: run.options,
      startedAtMs: run.startedAtMs,
      measuredMs: run.measuredMs,
      stoppedBy: run.stoppedBy,
      partCount: 1,
      expectedIntervalUs: run.expectedIntervalUs,
      requests: {
        sent: this.sent,
        completed: this.completed,
        ok: this.ok,
        unsent: this.unsent,
        throughputPerSec: run.measuredMs > 0 ? (this.completed * 1000) / run.measuredMs : 0,
        latency: field(this.requestLatency),
      },
      sendLag: run.expectedIntervalUs === null ? null : field(this.sendLag),
      connects: {
        attempted: this.connectsAttempted,
        succeeded: this.connectsSucceeded,
        closed: this.connectsClosed,
        latency: field(this.connectLatency),
      },
      churn: { started: this.churnStarted, completed: this.churnCompleted, skipped: this.churnSkipped },
      errors: { ...this.errors },
      targets,
    };
  }
}
