/**
 * The knobs of `headcount slo rules`: objectives, the latency threshold and the SLO window,
 * validated once into a frozen object. Every problem is reported by field, so the CLI can print
 * all of them at once. The latency threshold must sit on a histogram bucket boundary: PromQL can
 * only count "requests under X" where the histogram has an `le="X"` bucket, and a threshold
 * between boundaries would silently measure a different SLO.
 */
import { durationBucketsSeconds } from './metric-names.ts';

export interface SloOptions {
  /** Availability objective in percent of good events, e.g. 99.95. Default 99.95. */
  readonly availabilityObjectivePercent: number;
  /** Latency threshold in milliseconds; a command answered within it is good. Default 50. */
  readonly latencyThresholdMs: number;
  /** Latency objective in percent of commands under the threshold. Default 99. */
  readonly latencyObjectivePercent: number;
  /** SLO window in days; the burn-rate factors and the budget are relative to it. Default 30. */
  readonly windowDays: number;
}

export interface SloConfigError {
  readonly code: 'HC_SLO_OPTION';
  readonly field: keyof SloOptions;
  readonly message: string;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const sloDefaults: SloOptions = Object.freeze({
  availabilityObjectivePercent: 99.95,
  latencyThresholdMs: 50,
  latencyObjectivePercent: 99,
  windowDays: 30,
});

/**
 * The SLO window must hold the 3-day ticket window with room to spare, and a year is the longest
 * window anyone reviews budgets over.
 */
export const windowDaysMin = 7;
export const windowDaysMax = 365;

/** Objectives below 90% or at 100% make burn rates meaningless (no budget, or budget > 1/14.4). */
export const objectivePercentMin = 90;
export const objectivePercentMaxExclusive = 100;

/** The latency thresholds PromQL can measure, in milliseconds. */
export const latencyThresholdsMs: readonly number[] = durationBucketsSeconds.map((seconds) =>
  Number((seconds * 1000).toPrecision(12)),
);

function objectiveProblem(field: keyof SloOptions, value: number): SloConfigError | undefined {
  if (Number.isFinite(value) && value >= objectivePercentMin && value < objectivePercentMaxExclusive) {
    return undefined;
  }
  return {
    code: 'HC_SLO_OPTION',
    field,
    message: `${value} is not a percentage in [${objectivePercentMin}, ${objectivePercentMaxExclusive})`,
  };
}

export function parseSloOptions(raw: Partial<SloOptions>): Result<SloOptions, SloConfigError[]> {
  const options = { ...sloDefaults, ...raw };
  const problems: SloConfigError[] = [];
  const availability = objectiveProblem('availabilityObjectivePercent', options.availabilityObjectivePercent);
  if (availability) problems.push(availability);
  const latency = objectiveProblem('latencyObjectivePercent', options.latencyObjectivePercent);
  if (latency) problems.push(latency);
  if (!latencyThresholdsMs.includes(options.latencyThresholdMs)) {
    problems.push({
      code: 'HC_SLO_OPTION',
      field: 'latencyThresholdMs',
      message: `${options.latencyThresholdMs} ms is not a histogram bucket boundary; use one of ${latencyThresholdsMs.join(', ')}`,
    });
  }
  const days = options.windowDays;
  if (!Number.isInteger(days) || days < windowDaysMin || days > windowDaysMax) {
    problems.push({
      code: 'HC_SLO_OPTION',
      field: 'windowDays',
      message: `${days} is not a whole number of days in [${windowDaysMin}, ${windowDaysMax}]`,
    });
  }
  if (problems.length > 0) return { ok: false, error: problems };
  return { ok: true, value: Object.freeze(options) };
}
