import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { mergeResults } from '../../../lab/load/aggregate.ts';
import {
  createLatencyHistogram,
  decodeHistogram,
  recordLatencyUs,
  summarize,
} from '../../../lab/load/histograms.ts';
import { resolveLoadOptions } from '../../../lab/load/options.ts';
import { ShardStats } from '../../../lab/load/shard-stats.ts';

const options = (() => {
  const resolved = resolveLoadOptions({ targets: [{ host: '127.0.0.1', port: 7 }] });
  if (!resolved.ok) throw new Error('options');
  return resolved.value;
})();

function partFrom(latenciesUs: readonly number[], measuredMs: number) {
  const stats = new ShardStats(1);
  for (const latencyUs of latenciesUs) {
    recordLatencyUs(stats.requestLatency, latencyUs);
    stats.sent++;
    stats.completed++;
    stats.ok++;
    stats.completedByTarget[0]!++;
  }
  stats.errors.timeout = latenciesUs.length % 3;
  return stats.toResult({
    options,
    startedAtMs: 1_000,
    measuredMs,
    stoppedBy: 'duration',
    expectedIntervalUs: null,
  });
}

const latencies = fc.array(fc.integer({ min: 0, max: 70_000_000 }), { maxLength: 200 });

describe('lab/load: merging results', () => {
  // Each run builds, encodes and decodes a few 60 s-range histograms (~10 ms each), so 20 runs.
  test.prop([fc.array(latencies, { minLength: 1, maxLength: 4 })], { numRuns: 20 })(
    'merged histograms equal one histogram that recorded every value',
    (parts) => {
      const merged = mergeResults(parts.map((part) => partFrom(part, 1000)));
      const combined = createLatencyHistogram();
      for (const value of parts.flat()) recordLatencyUs(combined, value);
      expect(merged.requests.latency.summary).toEqual(summarize(combined));
      const decoded = decodeHistogram(merged.requests.latency.histogram);
      for (const percentile of [1, 25, 50, 75, 90, 99, 99.9, 100]) {
        expect(decoded.getValueAtPercentile(percentile)).toBe(combined.getValueAtPercentile(percentile));
      }
    },
  );

  test('counts add up, and throughput is the total over the longest measured window', () => {
    const merged = mergeResults([partFrom([100, 200], 1000), partFrom([300, 400, 500, 600], 2000)]);
    expect(merged.partCount).toBe(2);
    expect(merged.requests).toMatchObject({ sent: 6, completed: 6, ok: 6, throughputPerSec: 3 });
    expect(merged.errors.timeout).toBe(3);
    expect(merged.targets).toEqual({ '127.0.0.1:7': { completed: 6 } });
    expect(merged.measuredMs).toBe(2000);
  });

  test('merging is the same in any grouping: (a+b)+c equals a+(b+c)', () => {
    const [a, b, c] = [partFrom([5, 50], 1000), partFrom([500], 1000), partFrom([5000, 50_000], 1000)];
    const left = mergeResults([mergeResults([a, b]), c]);
    const right = mergeResults([a, mergeResults([b, c])]);
    expect(left.requests.latency.summary).toEqual(right.requests.latency.summary);
    expect(left.partCount).toBe(3);
  });
});
