/**
 * What the real engine can do with a scenario: the checks that turn an unsupported setting into
 * one clear error naming every unsupported thing (code `HC_LAB_UNSUPPORTED`), and the mapping of
 * each simulator fault kind onto a cluster action. Pure apart from the cluster calls.
 */
import type { FaultEvent, SimConfig } from '../experiment/config.ts';
import type { Cluster, LinkPeer } from './cluster/cluster.ts';

export class LabUnsupportedError extends Error {
  readonly code = 'HC_LAB_UNSUPPORTED';
  readonly definite = true;
}

/** Every setting or fault the lab cannot reproduce, as readable lines (empty = runnable). */
export function unsupportedParts(config: SimConfig, faults: FaultEvent[]): string[] {
  const problems: string[] = [];
  const { cluster, workload, network } = config;
  if (cluster.mode === 'local') problems.push('cluster.mode local (the lab runs fleets in mode a or c)');
  if (cluster.clockOffsetMsMax > 0)
    problems.push('cluster.clockOffsetMsMax (real servers share the machine clock)');
  if ((cluster.brokenVariant ?? 'none') !== 'none')
    problems.push(`cluster.brokenVariant ${cluster.brokenVariant} (a simulator-only test device)`);
  if (workload.loadBalancer === 'random')
    problems.push('workload.loadBalancer random (use round-robin, or least-connections with HAProxy)');
  for (const name of ['redis', 'discovery', 'clients'] as const) {
    if (network[name].lossProbability.numerator > 0)
      problems.push(`network.${name}.lossProbability (TCP does not lose messages; use a partition)`);
  }
  const kinds = new Set<string>();
  for (const fault of faults) {
    if (fault.kind === 'clock-jump') kinds.add('clock-jump (real servers share the machine clock)');
    if ((fault.kind === 'redis-outage' || fault.kind === 'redis-restart') && cluster.mode !== 'a')
      kinds.add(`${fault.kind} in mode ${cluster.mode}`);
    if (fault.kind === 'discovery-crash' && cluster.mode !== 'c')
      kinds.add(`discovery-crash in mode ${cluster.mode}`);
  }
  for (const kind of kinds) problems.push(`fault ${kind}`);
  return problems;
}

/** Whether any fault needs the clients' links to pass through the proxy. */
export function needsClientProxy(faults: FaultEvent[]): boolean {
  return faults.some((fault) => fault.peer === 'clients');
}

const serverIndexOf = (target: string): number => {
  const match = /^server-(\d+)$/.exec(target);
  if (match === null) throw new LabUnsupportedError(`fault target ${target} is not server-<i>`);
  return Number(match[1]);
};

/** Applies one fault at its instant and schedules its heal (production ms from `cluster.time`). */
export async function applyFault(cluster: Cluster, fault: FaultEvent): Promise<void> {
  const { time } = cluster;
  const healAt = (afterMs: number | undefined, heal: () => Promise<void> | void) => {
    if (afterMs === undefined) return Promise.resolve();
    return time.until(fault.atMs + afterMs).then(heal);
  };
  switch (fault.kind) {
    case 'crash': {
      const index = serverIndexOf(fault.target);
      await cluster.crash(index);
      return healAt(fault.durationMs, () => cluster.start(index, 'crash'));
    }
    case 'stop':
    case 'restart': {
      const index = serverIndexOf(fault.target);
      await cluster.stop(index, fault.kind);
      const downMs = fault.kind === 'restart' ? (fault.durationMs ?? 1_000) : fault.durationMs;
      return healAt(downMs, () => cluster.start(index, fault.kind));
    }
    case 'partition': {
      const index = serverIndexOf(fault.target);
      const peer: LinkPeer = fault.peer ?? 'redis';
      await cluster.partition(index, peer, fault.direction ?? 'both');
      return healAt(fault.durationMs, () => cluster.healPartition(index, peer));
    }
    case 'redis-outage':
      cluster.redisOutage();
      return healAt(fault.durationMs ?? 0, () => cluster.healRedisOutage());
    case 'redis-restart':
      await cluster.redisCrash();
      return healAt(fault.durationMs ?? 0, () => cluster.redisStart());
    case 'discovery-crash': {
      const index = Number(fault.target.slice('discovery-'.length));
      await cluster.crashDiscovery(index);
      return healAt(fault.durationMs ?? 0, () => cluster.startDiscovery(index));
    }
    case 'latency-spike': {
      const peers = latencyPeers(cluster, fault.peer);
      const extraMs = fault.extraMs ?? 100;
      for (const server of cluster.servers)
        for (const peer of peers) await cluster.latency(server.index, peer, extraMs);
      return healAt(fault.durationMs ?? 1_000, async () => {
        for (const server of cluster.servers)
          for (const peer of peers) await cluster.healLatency(server.index, peer);
      });
    }
    case 'clock-jump':
      throw new LabUnsupportedError('fault clock-jump (real servers share the machine clock)');
  }
}

function latencyPeers(cluster: Cluster, peer: LinkPeer | undefined): LinkPeer[] {
  if (peer !== undefined) return [peer];
  const peers: LinkPeer[] = [cluster.mode === 'a' ? 'redis' : 'discovery'];
  if (cluster.links?.has('clients-s0') === true) peers.push('clients');
  return peers;
}
