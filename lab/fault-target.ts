/**
 * The lab's fault target: one method per kind of the fault table
 * (experiment/faults/fault-table.ts), each carried out on the real cluster (processes, the fault
 * proxy's toxics, redis-server, discovery instances). A method returns the fault's heal;
 * `applyFault` waits until the table says the fault heals (production ms on `cluster.time`) and
 * runs it. What the lab cannot reproduce is refused by name: `unsupportedParts` lists every
 * setting and fault of a run up front, and a method for a kind the lab cannot do throws
 * `LabUnsupportedError` (code `HC_LAB_UNSUPPORTED`).
 */
import type { SimConfig } from '../experiment/config.ts';
import {
  type FaultTarget,
  discoveryIndexOfTarget,
  serverIndexOfTarget,
} from '../experiment/faults/fault-target.ts';
import {
  type FaultEvent,
  faultTable,
  type ResolvedFault,
  resolveFault,
} from '../experiment/faults/fault-table.ts';
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
    if (!faultTable[fault.kind].modes.includes(cluster.mode))
      kinds.add(`${fault.kind} in mode ${cluster.mode}`);
  }
  for (const kind of kinds) problems.push(`fault ${kind}`);
  return problems;
}

/** Whether any fault needs the clients' links to pass through the proxy. */
export function needsClientProxy(faults: FaultEvent[]): boolean {
  return faults.some((fault) => fault.peer === 'clients');
}

/** A heal, run when the fault table says the fault heals. */
export type LabHeal = () => Promise<void> | void;

function serverIndexOf(target: string): number {
  const index = serverIndexOfTarget(target);
  if (index === undefined) throw new LabUnsupportedError(`fault target ${target} is not server-<i>`);
  return index;
}

/** The cluster's side of every fault kind. */
export function labFaultTarget(cluster: Cluster): FaultTarget<Promise<LabHeal | undefined>> {
  const stopThenStart = async (fault: ResolvedFault): Promise<LabHeal> => {
    const kind = fault.kind as 'stop' | 'restart';
    const index = serverIndexOf(fault.target);
    await cluster.stop(index, kind);
    return () => cluster.start(index, kind);
  };
  return {
    crash: async (fault) => {
      const index = serverIndexOf(fault.target);
      await cluster.crash(index);
      return () => cluster.start(index, 'crash');
    },
    stop: stopThenStart,
    restart: stopThenStart,
    partition: async (fault) => {
      const index = serverIndexOf(fault.target);
      const peer: LinkPeer = fault.peer!;
      await cluster.partition(index, peer, fault.direction!);
      return () => cluster.healPartition(index, peer);
    },
    'redis-outage': async () => {
      cluster.redisOutage();
      return () => cluster.healRedisOutage();
    },
    'redis-restart': async () => {
      await cluster.redisCrash();
      return () => cluster.redisStart();
    },
    'discovery-crash': async (fault) => {
      const index = discoveryIndexOfTarget(fault.target);
      if (index === undefined)
        throw new LabUnsupportedError(`fault target ${fault.target} is not discovery-<j>`);
      await cluster.crashDiscovery(index);
      return () => cluster.startDiscovery(index);
    },
    'latency-spike': async (fault) => {
      const peers = latencyPeers(cluster, fault.peer);
      const extraMs = fault.extraMs!;
      for (const server of cluster.servers)
        for (const peer of peers) await cluster.latency(server.index, peer, extraMs);
      return async () => {
        for (const server of cluster.servers)
          for (const peer of peers) await cluster.healLatency(server.index, peer);
      };
    },
    'clock-jump': async () => {
      throw new LabUnsupportedError('fault clock-jump (real servers share the machine clock)');
    },
  };
}

/** Applies one fault at its instant and, when the table says it heals, heals it then. */
export async function applyFault(cluster: Cluster, fault: FaultEvent): Promise<void> {
  const resolved = resolveFault(fault);
  const heal = await labFaultTarget(cluster)[fault.kind](resolved);
  const afterMs = faultTable[fault.kind].healAfterMs(resolved);
  if (heal === undefined || afterMs === undefined) return;
  await cluster.time.until(fault.atMs + afterMs);
  await heal();
}

function latencyPeers(cluster: Cluster, peer: LinkPeer | undefined): LinkPeer[] {
  if (peer !== undefined) return [peer];
  const peers: LinkPeer[] = [cluster.mode === 'a' ? 'redis' : 'discovery'];
  if (cluster.links?.has('clients-s0') === true) peers.push('clients');
  return peers;
}
