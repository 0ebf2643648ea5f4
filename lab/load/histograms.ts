/**
 * HDR histograms for latencies in microseconds, always built with explicit bounds (autocannon's
 * `histUtil.js`), encoded as compressed base64 so they travel between worker threads and machines
 * and merge exactly by addition.
 */
import * as hdr from 'hdr-histogram-js';
import { latencySignificantDigits, latencyUsHighest, latencyUsLowest } from './limits.ts';

export type Histogram = hdr.Histogram;

export interface LatencySummary {
  count: number;
  latencyUsMean: number;
  latencyUsP50: number;
  latencyUsP90: number;
  latencyUsP99: number;
  latencyUsP999: number;
  latencyUsMax: number;
}

export function createLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: latencyUsLowest,
    highestTrackableValue: latencyUsHighest,
    numberOfSignificantValueDigits: latencySignificantDigits,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Records one latency; values past the ceiling clamp to it rather than throw mid-run. */
export function recordLatencyUs(histogram: Histogram, latencyUs: number): void {
  histogram.recordValue(Math.min(Math.max(latencyUs, 0), latencyUsHighest));
}

/** Records `count` equal latencies at once (a pipelined batch answered in one chunk). */
export function recordLatenciesUs(histogram: Histogram, latencyUs: number, count: number): void {
  histogram.recordValueWithCount(Math.min(Math.max(latencyUs, 0), latencyUsHighest), count);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  const histogram = createLatencyHistogram();
  histogram.add(decoded);
  return histogram;
}

/** Adds encoded histograms into one; equal to recording every value into a single histogram. */
export function mergeEncoded(encoded: readonly string[]): Histogram {
  const total = createLatencyHistogram();
  for (const one of encoded) total.add(decodeHistogram(one));
  return total;
}

export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  const at = (percentile: number) => (count === 0 ? 0 : histogram.getValueAtPercentile(percentile));
  return {
    count,
    latencyUsMean: count === 0 ? 0 : Math.round(histogram.mean),
    latencyUsP50: at(50),
    latencyUsP90: at(90),
    latencyUsP99: at(99),
    latencyUsP999: at(99.9),
    // The top of the highest bucket, not the exact recorded maximum: a decoded histogram only knows
    // buckets, so this keeps a merged summary identical to a single run's (within 0.1%).
    latencyUsMax: at(100),
  };
}
