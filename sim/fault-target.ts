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
