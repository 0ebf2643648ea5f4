/**
 * The lab's fault target: one method per kind of the fault table
 * (experiment/faults/fault-table.ts), each carried out on the real cluster (processes, the fault
 * proxy's toxics, redis-server, discovery instances). A method returns the fault's heal;
 * `applyFault` waits until the table says the fault heals (production ms on `cluster.time`) and
 * runs it. What the lab cannot reproduce is refused by name: `unsupportedParts` lists every
 * setting and fault of a run up front (code `HC_LAB_UNSUPPORTED`).
 *
 * A fault that touches several links (a latency spike on every server's discovery links, a
 * discovery crash cutting every server's proxy to it) applies and heals them together: every
 * proxy call of one fault is in flight at once. `FaultLag` reports how late, in real ms, each
 * application and heal finished after its instant.
 *
 * A fault whose target the mode does not have (a Redis outage in mode C, a discovery crash in
 * mode A) is recorded on the timeline and does nothing, exactly as in the simulator.
 */
import type { SimConfig } from '../experiment/config.ts';
import {
  type FaultEvent,
  faultTable,
  type ResolvedFault,
  resolveFault,
} from '../experiment/faults/fault-table.ts';
import {
  discoveryIndexOfTarget,
  type FaultTarget,
  serverIndexOfTarget,
} from '../experiment/faults/fault-target.ts';
import { zoneIndexOfTarget, zoneMembers } from '../experiment/faults/zones.ts';
import type { Cluster, LinkPeer } from './cluster/cluster.ts';

export class LabUnsupportedError extends Error {
  readonly code = 'HC_LAB_UNSUPPORTED';
  readonly definite = true;
}

/**
 * Every setting or fault the lab cannot reproduce, as readable lines (empty = runnable).
 * `processes` / `discoveryProcesses`: servers / discovery instances as child processes.
 */
export function unsupportedParts(
  config: SimConfig,
  faults: FaultEvent[],
  processes = false,
  discoveryProcesses = processes,
): string[] {
  const problems: string[] = [];
  const { cluster, network } = config;
  if ((cluster.brokenVariant ?? 'none') !== 'none')
    problems.push(`cluster.brokenVariant ${cluster.brokenVariant} (a simulator-only test device)`);
  for (const name of ['redis', 'discovery', 'clients'] as const) {
    if (network[name].lossProbability.numerator > 0 && network[name].lossModel === 'message')
      problems.push(
        `network.${name}.lossProbability with lossModel message (TCP does not lose messages; set lossModel: connection, loss as TCP shows it: that share of connections stalled)`,
      );
  }
  if (cluster.mode === 'a' && cluster.redis.topology === 'sentinel') {
    // Sentinel hands the servers the primary's own address: no proxy sits on their Redis links.
    for (const fault of faults) {
      if (fault.kind === 'redis-outage' || fault.kind === 'redis-restart' || fault.peer === 'redis')
        problems.push(
          `${fault.kind}${fault.peer === undefined ? '' : ` peer=${fault.peer}`} with cluster.redis.topology sentinel (the servers reach the primary directly; use redis-failover)`,
        );
    }
  }
  if (
    discoveryProcesses &&
    cluster.mode === 'c' &&
    faults.some((fault) => fault.kind === 'zone-outage' && fault.outage === 'partition')
  )
    problems.push(
      'zone-outage partition in mode c with discovery instances as child processes (their calls to the servers share one proxy per server, which cannot cut one instance from one server; run discovery in process)',
    );
  if (processes && needsClocks(config, faults))
    problems.push('clock offsets and clock-jump with servers as child processes (use in-process servers)');
  return problems;
}

/** Whether any fault needs the clients' links to pass through the proxy. */
export function needsClientProxy(faults: FaultEvent[]): boolean {
  return faults.some(
    (fault) =>
      fault.peer === 'clients' ||
      (fault.kind === 'latency-spike' && fault.peer === undefined) ||
      (fault.kind === 'zone-outage' && fault.outage === 'partition'),
  );
}

/** Whether any setting or fault needs the servers' clocks to be offset clocks. */
export function needsClocks(config: SimConfig, faults: FaultEvent[]): boolean {
  return config.cluster.clockOffsetMsMax > 0 || faults.some((fault) => fault.kind === 'clock-jump');
}

/** A heal, run when the fault table says the fault heals. */
export type LabHeal = () => Promise<void> | void;

/** How late (real ms) one fault's application and heal finished after their instants. */
export interface FaultLag {
  kind: string;
  phase: 'apply' | 'heal';
  realMs: number;
}

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
      if ((peer === 'redis' && cluster.mode !== 'a') || (peer === 'discovery' && cluster.mode !== 'c')) {
        cluster.recorder.event(fault.kind, fault.target, `no effect in mode ${cluster.mode}`);
        return undefined;
      }
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
    'redis-failover': async () => {
      if (!(await cluster.redisFailover())) return undefined;
      return () => cluster.healRedisFailover();
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
      if (peers.length === 0) {
        cluster.recorder.event(fault.kind, fault.target, `no effect in mode ${cluster.mode}`);
        return undefined;
      }
      const extraMs = fault.extraMs!;
      const each = (action: (index: number, peer: LinkPeer) => Promise<void>) =>
        Promise.all(cluster.servers.flatMap((server) => peers.map((peer) => action(server.index, peer))));
      await each((index, peer) => cluster.latency(index, peer, extraMs));
      return async () => {
        await each((index, peer) => cluster.healLatency(index, peer));
      };
    },
    'clock-jump': async (fault) => {
      cluster.clockJump(serverIndexOf(fault.target), fault.deltaMs ?? 0);
      return undefined;
    },
    'zone-outage': async (fault) => {
      const zone = zoneIndexOfTarget(fault.target);
      if (zone === undefined) throw new LabUnsupportedError(`fault target ${fault.target} is not zone-<k>`);
      const members = zoneMembers(zone, {
        servers: cluster.servers.length,
        discoveryInstances: cluster.discovery.length,
        zones: cluster.options.zones ?? 1,
      });
      if (fault.outage === 'partition') {
        await cluster.zonePartition(members);
        return () => cluster.healZonePartition(members);
      }
      await cluster.zoneCrash(members);
      return () => cluster.healZoneCrash(members);
    },
  };
}

/**
 * Applies one fault at its instant (`cluster.time` has reached `fault.atMs`) and, when the table
 * says it heals, heals it then; `onLag` hears how late each phase completed. A fault whose target
 * the mode does not have is recorded and does nothing.
 */
export async function applyFault(
  cluster: Cluster,
  fault: FaultEvent,
  onLag: (lag: FaultLag) => void = () => {},
): Promise<void> {
  const { time } = cluster;
  const lagSince = (atMs: number, phase: FaultLag['phase']) =>
    onLag({ kind: fault.kind, phase, realMs: Math.max(0, (time.nowMs() - atMs) * time.timeScale) });
  if (!faultTable[fault.kind].modes.includes(cluster.mode)) {
    cluster.recorder.event(fault.kind, fault.target, `no effect in mode ${cluster.mode}`);
    return;
  }
  const resolved = resolveFault(fault);
  const heal = await labFaultTarget(cluster)[fault.kind](resolved);
  lagSince(fault.atMs, 'apply');
  const afterMs = faultTable[fault.kind].healAfterMs(resolved);
  if (heal === undefined || afterMs === undefined) return;
  await time.until(fault.atMs + afterMs);
  await heal();
  lagSince(fault.atMs + afterMs, 'heal');
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
