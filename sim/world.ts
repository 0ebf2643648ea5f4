/**
 * The simulated world: it builds the hosts (servers, Redis, discovery: sim/hosts/), the clients
 * (arrivals, load balancer, WHO probes: sim/clients/) and the network between them on one
 * `Scheduler`, injects the fault timeline through the simulator's fault target
 * (sim/fault-target.ts), and records a `History`. It judges nothing: the checker
 * (experiment/checker.ts) does, from the history and the end state recorded here.
 */
import type { SimConfig } from '../experiment/config.ts';
import {
  faultTable,
  resolveFault,
  describeFault,
  type FaultEvent,
} from '../experiment/faults/fault-table.ts';
import {
  emptyHistory,
  type EndState,
  type History,
  recordCounters,
  seriesResolutionMsFor,
} from '../experiment/history.ts';
import { faultTimeline } from '../experiment/nemesis.ts';
import { RandomStreams } from '../experiment/rng.ts';
import { serverIndexOfCountUrl } from './backends.ts';
import { ClientFleet } from './clients/client-fleet.ts';
import { SimFaultTarget } from './fault-target.ts';
import { DiscoveryHost } from './hosts/discovery-host.ts';
import { RedisHost } from './hosts/redis-host.ts';
import { ServerHost } from './hosts/server-host.ts';
import { SimNetwork } from './network.ts';
import { Scheduler } from './scheduler.ts';
import type { SimServer } from './server-node.ts';

export class World {
  readonly config: SimConfig;
  readonly scheduler: Scheduler;
  readonly history: History;
  readonly network: SimNetwork;
  readonly hosts: ServerHost;
  readonly redisHost: RedisHost;
  readonly discoveryHost: DiscoveryHost;
  readonly clients: ClientFleet;
  readonly faults: SimFaultTarget;
  #streams: RandomStreams;

  constructor(config: SimConfig) {
    this.config = config;
    this.scheduler = new Scheduler(config.stepsMax);
    this.history = emptyHistory(config.durationMs);
    this.#streams = new RandomStreams(config.seed);
    this.network = new SimNetwork(config.network, this.#streams.stream('network'));
    this.hosts = new ServerHost(config.cluster, this.scheduler, this.history, this.#streams);
    this.hosts.connectionsOpened = (serverIndex) => this.network.serverConnectionsOpened(serverIndex);
    this.redisHost = new RedisHost(
      this.scheduler,
      this.network,
      this.hosts.deliver,
      config.cluster.mode === 'a' ? config.cluster.redis : undefined,
      this.history,
    );
    this.discoveryHost = new DiscoveryHost(
      config.cluster,
      this.scheduler,
      this.network,
      this.hosts.servers,
      this.hosts.deliver,
    );
    this.hosts.connect(this.redisHost, this.discoveryHost);
    this.clients = new ClientFleet(
      config,
      this.scheduler,
      this.network,
      this.history,
      this.hosts,
      this.#streams,
    );
    this.hosts.sessionOutput = this.clients.onOutput;
    this.faults = new SimFaultTarget({
      cluster: config.cluster,
      servers: this.hosts,
      redis: this.redisHost,
      discovery: this.discoveryHost,
      network: this.network,
      clients: this.clients,
      scheduler: this.scheduler,
    });
  }

  get servers(): readonly SimServer[] {
    return this.hosts.servers;
  }

  run(): History {
    const { config } = this;
    for (const server of this.hosts.servers) {
      this.hosts.boot(server, 0);
      this.hosts.phaseTimer(server, 0);
    }
    this.clients.start();
    this.clients.who.schedule(0);
    for (const fault of faultTimeline(config, this.#streams.stream('nemesis'))) {
      this.scheduler.at(fault.atMs, (nowMs) => this.#apply(fault, nowMs));
    }
    this.#scheduleSamples();
    this.scheduler.run(config.durationMs);
    this.#finish();
    return this.history;
  }

  /** Records the fault, has the fault target carry it out, and schedules its heal. */
  #apply(fault: FaultEvent, nowMs: number): void {
    const detail = describeFault(fault);
    this.#event(nowMs, fault.kind, fault.target, detail === '' ? undefined : detail);
    const resolved = resolveFault(fault);
    const heal = this.faults[fault.kind](resolved);
    const afterMs = faultTable[fault.kind].healAfterMs(resolved);
    if (heal === undefined || afterMs === undefined) return;
    this.scheduler.at(fault.atMs + afterMs, (atMs) => {
      heal(atMs);
      this.#event(atMs, 'heal', fault.target, fault.kind);
    });
  }

  #event(atMs: number, kind: string, target: string, detail?: string): void {
    this.history.events.push(detail === undefined ? { atMs, kind, target } : { atMs, kind, target, detail });
  }

  #scheduleSamples(): void {
    const { durationMs, check } = this.config;
    const resolutionMs = seriesResolutionMsFor(durationMs, check.seriesResolutionMs);
    const buckets = Math.max(1, Math.ceil(durationMs / resolutionMs));
    const sample = (bucket: number) => {
      const atMs = Math.min(durationMs, (bucket + 1) * resolutionMs);
      this.scheduler.at(atMs, (nowMs) => {
        this.history.sampleTMs.push(nowMs);
        this.history.samplePerServer.push(
          this.hosts.servers.map((server) => (server.core === undefined ? -1 : server.sessions.size)),
        );
        recordCounters(this.history, nowMs, this.redisHost.writes, this.discoveryHost.broadcasts);
        if (bucket + 1 < buckets) sample(bucket + 1);
      });
    };
    sample(0);
  }

  #finish(): void {
    const { history, config, scheduler } = this;
    const endMs = config.durationMs;
    for (const record of history.who) {
      if (record.outcome === 'timeout' && record.answeredAtMs > endMs) record.outcome = 'abandoned';
    }
    history.redisOps = this.redisHost.ops;
    history.redisWrites = this.redisHost.writes;
    history.broadcasts = this.discoveryHost.broadcasts;
    history.checks.push({
      name: 'steps-within-bound',
      ok: !scheduler.stepsExhausted,
      detail: `${scheduler.steps} events; stepsMax ${scheduler.stepsMax}`,
    });
    history.endState = this.#endState(endMs);
  }

  /** What every count holds at the end, for the checker's conservation check. */
  #endState(endMs: number): EndState {
    const servers = this.hosts.servers;
    const mode = this.config.cluster.mode;
    const state: EndState = {
      clientsConnected: this.clients.truth,
      localCountSum: servers.reduce((sum, server) => sum + (server.core?.tracker.count ?? 0), 0),
    };
    if (mode === 'a') state.registry = this.redisHost.redis.total(endMs);
    if (mode === 'c') {
      state.discoveryMembers = this.discoveryHost.nodes.flatMap((node) =>
        (node.core?.liveMembers(endMs) ?? []).map((member) => {
          const server = servers[serverIndexOfCountUrl(member.countUrl)];
          const count = server?.core?.serverId === member.serverId ? server.core.tracker.count : 0;
          return { instanceIndex: node.index, serverId: member.serverId, count };
        }),
      );
    }
    return state;
  }
}
