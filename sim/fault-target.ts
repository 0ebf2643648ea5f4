/**
 * The simulator's fault target: one method per kind of the fault table
 * (experiment/faults/fault-table.ts), each carried out on the virtual hosts at once. A method
 * returns the fault's heal, or undefined when there is nothing to heal (the server was already
 * down); the world schedules the heal when the table says and records both on the timeline.
 * Faults whose target the mode does not have are no-ops (a discovery crash in mode A).
 */
import type { FaultTarget } from '../experiment/faults/fault-target.ts';
import { discoveryIndexOfTarget, serverIndexOfTarget } from '../experiment/faults/fault-target.ts';
import type { ResolvedFault } from '../experiment/faults/fault-table.ts';
import type { ClusterConfig } from '../experiment/config.ts';
import { type ZoneMembers, zoneIndexOfTarget, zoneMembers } from '../experiment/faults/zones.ts';
import type { ClientFleet } from './clients/client-fleet.ts';
import type { DiscoveryHost } from './hosts/discovery-host.ts';
import type { RedisHost } from './hosts/redis-host.ts';
import type { ServerHost } from './hosts/server-host.ts';
import type { SimNetwork } from './network.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimServer } from './server-node.ts';

/** A heal, run at the virtual instant it is due. */
export type SimHeal = (nowMs: number) => void;

export interface SimHosts {
  cluster: ClusterConfig;
  servers: ServerHost;
  redis: RedisHost;
  discovery: DiscoveryHost;
  network: SimNetwork;
  clients: ClientFleet;
  scheduler: Scheduler;
}

export class SimFaultTarget implements FaultTarget<SimHeal | undefined> {
  #hosts: SimHosts;

  constructor(hosts: SimHosts) {
    this.#hosts = hosts;
  }

  crash = (fault: ResolvedFault): SimHeal | undefined => {
    const server = this.#server(fault);
    if (server?.core === undefined) return undefined;
    this.#crash(server, this.#hosts.scheduler.nowMs);
    return (atMs) => this.#hosts.servers.boot(server, atMs);
  };

  stop = (fault: ResolvedFault): SimHeal | undefined => this.#stopThenStart(fault);

  restart = (fault: ResolvedFault): SimHeal | undefined => this.#stopThenStart(fault);

  partition = (fault: ResolvedFault): SimHeal | undefined => {
    const server = this.#server(fault);
    if (server === undefined) return undefined;
    const peer = fault.peer!;
    const direction = fault.direction!;
    this.#hosts.network.partition(server.index, peer, direction, true);
    return () => this.#hosts.network.partition(server.index, peer, direction, false);
  };

  'redis-outage' = (): SimHeal | undefined => {
    this.#hosts.redis.down(false);
    return () => this.#hosts.redis.up();
  };

  'redis-restart' = (): SimHeal | undefined => {
    this.#hosts.redis.down(true);
    return () => this.#hosts.redis.up();
  };

  'redis-failover' = (): SimHeal | undefined => {
    const { redis, servers, scheduler } = this.#hosts;
    if (!redis.failover(scheduler.nowMs, servers.servers)) return undefined;
    return () => redis.oldPrimaryReturns();
  };

  'discovery-crash' = (fault: ResolvedFault): SimHeal | undefined => {
    const index = discoveryIndexOfTarget(fault.target);
    if (index === undefined || !this.#hosts.discovery.crash(index)) return undefined;
    return (atMs) => this.#hosts.discovery.start(index, atMs);
  };

  'latency-spike' = (fault: ResolvedFault): SimHeal | undefined => {
    const extraMs = fault.extraMs!;
    this.#hosts.network.addLatency(fault.peer, extraMs);
    return () => this.#hosts.network.addLatency(fault.peer, -extraMs);
  };

  'clock-jump' = (fault: ResolvedFault): SimHeal | undefined => {
    const server = this.#server(fault);
    if (server === undefined) return undefined;
    this.#hosts.servers.jumpClock(server, fault.deltaMs!);
    // Nothing to undo: a jump is for good. The heal marks the timeline for the checker.
    return () => {};
  };

  /**
   * Every node of the zone at this one virtual instant: `crash` kills its servers (no
   * deregistration), its discovery instances and its Redis (which comes back empty); `partition`
   * cuts the zone from its clients and from every node outside it, links inside it stay up.
   */
  'zone-outage' = (fault: ResolvedFault): SimHeal | undefined => {
    const zone = zoneIndexOfTarget(fault.target);
    if (zone === undefined) return undefined;
    const members = zoneMembers(zone, this.#hosts.cluster);
    return fault.outage === 'partition' ? this.#zonePartition(members) : this.#zoneCrash(members);
  };

  #zoneCrash(members: ZoneMembers): SimHeal {
    const { servers, discovery, redis, scheduler, cluster } = this.#hosts;
    const crashed = members.servers
      .map((index) => servers.servers[index]!)
      .filter((server) => server.core !== undefined);
    for (const server of crashed) this.#crash(server, scheduler.nowMs);
    const instances = members.discovery.filter((index) => discovery.crash(index));
    const redisDown = members.redis && cluster.mode === 'a';
    if (redisDown) redis.down(true);
    return (atMs) => {
      if (redisDown) redis.up();
      for (const index of instances) discovery.start(index, atMs);
      for (const server of crashed) servers.boot(server, atMs);
    };
  }

  #zonePartition(members: ZoneMembers): SimHeal {
    const { network, cluster } = this.#hosts;
    const inZone = new Set(members.servers);
    const all = Array.from({ length: cluster.servers }, (_, index) => index);
    const outside = all.filter((index) => !inZone.has(index));
    // Redis is one node: the servers on the other side of the cut lose it.
    const redisCut = members.redis ? outside : members.servers;
    const discoveryPairs = all.flatMap((server) =>
      Array.from({ length: cluster.discoveryInstances }, (_, instance) => instance)
        .filter((instance) => inZone.has(server) !== members.discovery.includes(instance))
        .map((instance) => [server, instance] as const),
    );
    const cut = (on: boolean) => {
      for (const index of members.servers) network.partition(index, 'clients', 'both', on);
      for (const index of redisCut) network.partition(index, 'redis', 'both', on);
      for (const [server, instance] of discoveryPairs) network.partitionDiscoveryPair(server, instance, on);
    };
    cut(true);
    return () => cut(false);
  }

  #server(fault: ResolvedFault): SimServer | undefined {
    const index = serverIndexOfTarget(fault.target);
    return index === undefined ? undefined : this.#hosts.servers.servers[index];
  }

  #crash(server: SimServer, nowMs: number): void {
    const clients = this.#hosts.servers.crash(server);
    this.#hosts.clients.onServerCrash(server, clients, nowMs);
  }

  /** stop and restart: a graceful stop, then (at the heal) a start; a stale process is killed first. */
  #stopThenStart(fault: ResolvedFault): SimHeal | undefined {
    const server = this.#server(fault);
    if (server?.core === undefined) return undefined;
    this.#hosts.servers.stop(server, this.#hosts.scheduler.nowMs);
    return (atMs) => {
      if (server.core !== undefined) this.#crash(server, atMs);
      this.#hosts.servers.boot(server, atMs);
    };
  }
}
