/**
 * The workload's random draws: Poisson arrivals at a rate or a schedule of rates, and session
 * lengths (exponential, lognormal, Pareto). Pure calculations over a `SimRandom` stream.
 */
import type { RateStep, SessionLengthConfig, WorkloadConfig } from './config.ts';
import type { SimRandom } from './rng.ts';

export function sessionLengthMs(config: SessionLengthConfig, random: SimRandom): number {
  switch (config.kind) {
    case 'exponential':
      return random.exponential(config.meanMs);
    case 'lognormal':
      return random.lognormal(config.medianMs, config.sigma);
    case 'pareto':
      return random.pareto(config.minMs, config.alpha);
  }
}

/** The rate steps of a workload, sorted, starting at 0. */
export function rateSteps(config: WorkloadConfig): RateStep[] {
  if (config.arrivalSchedule.length === 0) return [{ fromMs: 0, ratePerSec: config.arrivalRatePerSec }];
  const steps = [...config.arrivalSchedule].sort((a, b) => a.fromMs - b.fromMs);
  if (steps[0]!.fromMs > 0) steps.unshift({ fromMs: 0, ratePerSec: 0 });
  return steps;
}

/**
 * The next arrival after `nowMs`, or the next step boundary when the gap crosses one (the
 * process is memoryless, so redrawing there is exact): `{ atMs, arrives }`.
 */
export function nextArrival(
  steps: RateStep[],
  nowMs: number,
  random: SimRandom,
): { atMs: number; arrives: boolean } | undefined {
  let index = 0;
  while (index + 1 < steps.length && steps[index + 1]!.fromMs <= nowMs) index += 1;
  const rate = steps[index]!.ratePerSec;
  const boundaryMs = steps[index + 1]?.fromMs ?? Number.POSITIVE_INFINITY;
  if (rate <= 0)
    return boundaryMs === Number.POSITIVE_INFINITY ? undefined : { atMs: boundaryMs, arrives: false };
  const atMs = nowMs + random.exponential(1000 / rate);
  return atMs >= boundaryMs ? { atMs: boundaryMs, arrives: false } : { atMs, arrives: true };
}
