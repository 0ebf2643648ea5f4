/**
 * The nemesis: the run's fault timeline, from the config's schedule plus faults generated from
 * the seed at the configured rates (TigerBeetle's swarm). Generated faults start before
 * `healAtMs` and end by it, so the run ends with a liveness phase in which everything is healed.
 */
import type { FaultEvent, FaultKind, PartitionPeer, SimConfig } from './config.ts';
import type { SimRandom } from './rng.ts';

const hourMs = 3_600_000;

/** Faults that act on one server. */
const serverFaults = new Set<FaultKind>(['crash', 'stop', 'restart', 'partition', 'clock-jump']);

export function healAtMsOf(config: SimConfig): number {
  return config.faults.healAtMs < 0 ? config.durationMs : Math.min(config.faults.healAtMs, config.durationMs);
}

function peersOf(config: SimConfig): PartitionPeer[] {
  if (config.cluster.mode === 'a') return ['redis', 'clients'];
  if (config.cluster.mode === 'c') return ['discovery', 'clients'];
  return ['clients'];
}

function generated(config: SimConfig, kind: FaultKind, atMs: number, random: SimRandom): FaultEvent {
  const healAtMs = healAtMsOf(config);
  const durationMs = Math.max(
    1,
    Math.min(random.exponential(config.faults.generated.durationMsMean), healAtMs - atMs),
  );
  const fault: FaultEvent = { atMs, kind, target: 'redis', durationMs: Math.round(durationMs) };
  if (serverFaults.has(kind)) fault.target = `server-${random.intInclusive(config.cluster.servers - 1)}`;
  if (kind === 'discovery-crash')
    fault.target = `discovery-${random.intInclusive(config.cluster.discoveryInstances - 1)}`;
  if (kind === 'partition') {
    const peers = peersOf(config);
    fault.peer = peers[random.intInclusive(peers.length - 1)]!;
    fault.direction = (['both', 'outbound', 'inbound'] as const)[random.intInclusive(2)]!;
  }
  if (kind === 'latency-spike') fault.extraMs = Math.round(random.exponential(100));
  if (kind === 'clock-jump') {
    fault.deltaMs = Math.round((random.float01() * 2 - 1) * 5_000);
    delete fault.durationMs;
  }
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
