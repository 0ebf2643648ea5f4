/**
 * The simulated load balancer: picks a server for a connecting client by the workload's policy,
 * among servers that pass its health check (up, not draining, reachable by clients and, in mode
 * C, ready by `/readyz`).
 */
import type { LoadBalancerPolicy, SimMode } from '../../experiment/config.ts';
import type { SimRandom } from '../../experiment/rng.ts';
import type { SimNetwork } from '../network.ts';
import type { Scheduler } from '../scheduler.ts';
import type { SimServer } from '../server-node.ts';

export class LoadBalancer {
  #policy: LoadBalancerPolicy;
  #mode: SimMode;
  #servers: readonly SimServer[];
  #network: SimNetwork;
  #scheduler: Scheduler;
  #random: SimRandom;
  #roundRobin = 0;

  constructor(
    policy: LoadBalancerPolicy,
    mode: SimMode,
    servers: readonly SimServer[],
    network: SimNetwork,
    scheduler: Scheduler,
    random: SimRandom,
  ) {
    this.#policy = policy;
    this.#mode = mode;
    this.#servers = servers;
    this.#network = network;
    this.#scheduler = scheduler;
    this.#random = random;
  }

  pick(): SimServer | undefined {
    const servers = this.#servers;
    switch (this.#policy) {
      case 'round-robin':
        for (let tries = 0; tries < servers.length; tries += 1) {
          const server = servers[this.#roundRobin++ % servers.length]!;
          if (this.#routable(server)) return server;
        }
        return undefined;
      case 'least-connections': {
        let best: SimServer | undefined;
        for (const server of servers) {
          if (this.#routable(server) && (best === undefined || server.sessions.size < best.sessions.size)) {
            best = server;
          }
        }
        return best;
      }
      case 'random': {
        const candidates = servers.filter((server) => this.#routable(server));
        return candidates.length === 0
          ? undefined
          : candidates[this.#random.intInclusive(candidates.length - 1)];
      }
    }
  }

  /** The health check: up, not draining, reachable, and ready (/readyz). */
  #routable(server: SimServer): boolean {
    if (!server.routable || !this.#network.reachableByClients(server.index)) return false;
    if (this.#mode !== 'c') return true; // modes local and A are always ready
    return server.core!.backend.readiness(server.localNowMs(this.#scheduler.nowMs)).ready;
  }
}
