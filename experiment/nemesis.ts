/**
 * The nemesis: the run's fault timeline, from the config's schedule plus faults generated from
 * the seed at the configured rates (TigerBeetle's swarm). Generated faults start before
 * `healAtMs` and end by it, so the run ends with a liveness phase in which everything is healed.
 * What a generated fault of each kind looks like is its fault-table row's `draw`.
 */
import type { FaultEvent, FaultKind, SimConfig } from './config.ts';
import { faultTable } from './faults/fault-table.ts';
import type { SimRandom } from './rng.ts';

const hourMs = 3_600_000;

export function healAtMsOf(config: SimConfig): number {
  return config.faults.healAtMs < 0 ? config.durationMs : Math.min(config.faults.healAtMs, config.durationMs);
}

function generated(config: SimConfig, kind: FaultKind, atMs: number, random: SimRandom): FaultEvent {
  const healAtMs = healAtMsOf(config);
  const durationMs = Math.max(
    1,
    Math.min(random.exponential(config.faults.generated.durationMsMean), healAtMs - atMs),
  );
  const fault: FaultEvent = { atMs, kind, target: 'redis', durationMs: Math.round(durationMs) };
  const { mode, servers, discoveryInstances, zones } = config.cluster;
  faultTable[kind].draw(fault, { mode, servers, discoveryInstances, zones }, random);
  return fault;
}

/** The whole fault timeline, sorted by time (ties keep schedule order first). */
export function faultTimeline(config: SimConfig, random: SimRandom): FaultEvent[] {
  const faults = config.faults.schedule.map((fault) => ({ ...fault }));
  const healAtMs = healAtMsOf(config);
  const rates = config.faults.generated.ratesPerHour;
  for (const kind of Object.keys(rates).sort() as FaultKind[]) {
    const ratePerHour = rates[kind] ?? 0;
    if (ratePerHour <= 0) continue;
    let atMs = random.exponential(hourMs / ratePerHour);
    while (atMs < healAtMs) {
      faults.push(generated(config, kind, Math.round(atMs), random));
      atMs += random.exponential(hourMs / ratePerHour);
    }
  }
  return faults
    .map((fault, order) => ({ fault, order }))
    .sort((a, b) => a.fault.atMs - b.fault.atMs || a.order - b.order)
    .map(({ fault }) => fault);
}
