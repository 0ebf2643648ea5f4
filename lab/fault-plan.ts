/**
 * What the real engine can do with a scenario: the checks that turn an unsupported setting into
 * one clear error naming every unsupported thing (code `HC_LAB_UNSUPPORTED`), and the mapping of
 * each simulator fault kind onto a cluster action. Pure apart from the cluster calls.
 *
 * A fault that touches several links (a latency spike on every server's discovery links, a
 * discovery crash cutting every server's proxy to it) applies and heals them together: every
 * proxy call of one fault is in flight at once. `FaultLag` reports how late, in real ms, each
 * application and heal finished after its instant.
 *
 * A fault that does not apply to the run's mode (a Redis outage in mode C, a discovery crash in
 * mode A) is recorded on the timeline and does nothing, exactly as in the simulator.
 */
import type { FaultEvent, SimConfig } from '../experiment/config.ts';
import type { Cluster, LinkPeer } from './cluster/cluster.ts';

export class LabUnsupportedError extends Error {
  readonly code = 'HC_LAB_UNSUPPORTED';
  readonly definite = true;
}

/** Every setting or fault the lab cannot reproduce, as readable lines (empty = runnable). */
export function unsupportedParts(config: SimConfig, faults: FaultEvent[], processes = false): string[] {
  const problems: string[] = [];
  const { cluster, network } = config;
  if ((cluster.brokenVariant ?? 'none') !== 'none')
    problems.push(`cluster.brokenVariant ${cluster.brokenVariant} (a simulator-only test device)`);
  for (const name of ['redis', 'discovery', 'clients'] as const) {
    if (network[name].lossProbability.numerator > 0)
      problems.push(
        `network.${name}.lossProbability (TCP does not lose messages; the simulator's per-message loss has no real counterpart yet: use a partition)`,
      );
  }
  if (processes && (cluster.clockOffsetMsMax > 0 || faults.some((fault) => fault.kind === 'clock-jump')))
    problems.push('clock offsets and clock-jump with servers as child processes (use in-process servers)');
  return problems;
}

/** Whether any fault needs the clients' links to pass through the proxy. */
export function needsClientProxy(faults: FaultEvent[]): boolean {
  return faults.some(
    (fault) => fault.peer === 'clients' || (fault.kind === 'latency-spike' && fault.peer === undefined),
  );
}

/** Whether any fault needs the servers' clocks to be offset clocks. */
export function needsClocks(config: SimConfig, faults: FaultEvent[]): boolean {
  return config.cluster.clockOffsetMsMax > 0 || faults.some((fault) => fault.kind === 'clock-jump');
}

const serverIndexOf = (target: string): number => {
  const match = /^server-(\d+)$/.exec(target);
  if (match === null) throw new LabUnsupportedError(`fault target ${target} is not server-<i>`);
  return Number(match[1]);
};

/** How late (real ms) one fault's application and heal finished after their instants. */
export interface FaultLag {
  kind: string;
  phase: 'apply' | 'heal';
  realMs: number;
}

/**
 * Applies one fault at its instant (`cluster.time` has reached `fault.atMs`) and schedules its
 * heal; `onLag` hears how late each phase completed.
 */
export async function applyFault(
  cluster: Cluster,
  fault: FaultEvent,
  onLag: (lag: FaultLag) => void = () => {},
): Promise<void> {
  const { time } = cluster;
  const lagSince = (atMs: number, phase: FaultLag['phase']) =>
    onLag({ kind: fault.kind, phase, realMs: Math.max(0, (time.nowMs() - atMs) * time.timeScale) });
  const healAt = (afterMs: number | undefined, heal: () => Promise<void> | void) => {
    if (afterMs === undefined) return Promise.resolve();
    const atMs = fault.atMs + afterMs;
    return time
      .until(atMs)
      .then(heal)
      .then(() => lagSince(atMs, 'heal'));
  };
  const applied = () => lagSince(fault.atMs, 'apply');
  const notInMode = () => {
    cluster.recorder.event(fault.kind, fault.target, `no effect in mode ${cluster.mode}`);
    return Promise.resolve();
  };
  switch (fault.kind) {
    case 'crash': {
      const index = serverIndexOf(fault.target);
      await cluster.crash(index);
      applied();
      return healAt(fault.durationMs, () => cluster.start(index, 'crash'));
    }
    case 'stop':
    case 'restart': {
      const index = serverIndexOf(fault.target);
      await cluster.stop(index, fault.kind);
      applied();
      const downMs = fault.kind === 'restart' ? (fault.durationMs ?? 1_000) : fault.durationMs;
      return healAt(downMs, () => cluster.start(index, fault.kind));
    }
    case 'partition': {
      const index = serverIndexOf(fault.target);
      const peer: LinkPeer = fault.peer ?? 'redis';
      if ((peer === 'redis' && cluster.mode !== 'a') || (peer === 'discovery' && cluster.mode !== 'c'))
        return notInMode();
      await cluster.partition(index, peer, fault.direction ?? 'both');
      applied();
      return healAt(fault.durationMs, () => cluster.healPartition(index, peer));
    }
    case 'redis-outage':
      if (cluster.mode !== 'a') return notInMode();
      cluster.redisOutage();
      applied();
      return healAt(fault.durationMs ?? 0, () => cluster.healRedisOutage());
    case 'redis-restart':
      if (cluster.mode !== 'a') return notInMode();
      await cluster.redisCrash();
      applied();
      return healAt(fault.durationMs ?? 0, () => cluster.redisStart());
    case 'discovery-crash': {
      if (cluster.mode !== 'c') return notInMode();
      const index = Number(fault.target.slice('discovery-'.length));
      await cluster.crashDiscovery(index);
      applied();
      return healAt(fault.durationMs ?? 0, () => cluster.startDiscovery(index));
    }
    case 'latency-spike': {
      const peers = latencyPeers(cluster, fault.peer);
      if (peers.length === 0) return notInMode();
      const extraMs = fault.extraMs ?? 100;
      const each = (action: (index: number, peer: LinkPeer) => Promise<void>) =>
        Promise.all(cluster.servers.flatMap((server) => peers.map((peer) => action(server.index, peer))));
      await each((index, peer) => cluster.latency(index, peer, extraMs));
      applied();
      return healAt(fault.durationMs ?? 1_000, async () => {
        await each((index, peer) => cluster.healLatency(index, peer));
      });
    }
    case 'clock-jump': {
      const index = serverIndexOf(fault.target);
      cluster.clockJump(index, fault.deltaMs ?? 0);
      applied();
      return;
    }
  }
}

/** The link classes a latency spike touches: `peer`, or (omitted) every proxied class of the mode. */
function latencyPeers(cluster: Cluster, peer: LinkPeer | undefined): LinkPeer[] {
  const proxied = (candidate: LinkPeer) =>
    candidate === 'clients'
      ? cluster.links?.has('clients-s0') === true
      : candidate === 'redis'
        ? cluster.mode === 'a' && cluster.links?.has('redis-s0') === true
        : cluster.mode === 'c' && cluster.links?.has('discovery0-s0') === true;
  if (peer !== undefined) return proxied(peer) ? [peer] : [];
  return (['redis', 'discovery', 'clients'] as const).filter(proxied);
}
