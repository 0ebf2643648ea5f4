/**
 * `startCluster(options)`: a real headcount fleet on loopback for the lab. N servers (mode A or
 * C), two discovery instances (mode C), a Redis (mode A; see redis-backing.ts), every server's
 * Redis and discovery links (and optionally its clients) through fault-proxy proxies driven by
 * toxiproxy-node-client, optionally a real HAProxy in front. Servers run in this process or as
 * child processes (`processes: true`).
 *
 * Units: the cluster speaks PRODUCTION milliseconds. Every duration in `serverOptions`, the
 * discovery settings and the actions (`freeze(i, ms)`, `latency(i, ms)`) is multiplied by
 * `timeScale` before it reaches a real process, and `time.nowMs()` reads real time scaled back
 * up. Every action is recorded on the `recorder`'s timeline with the simulator's event names.
 *
 *   clients ──(proxy clients-sN)──> server N ──(proxy redis-sN)──────> Redis
 *     (or HAProxy ─> ...)                    └─(proxy discoveryJ-sN)─> discovery J
 *                      server N's /count <──(proxy memberJ-sN)─────────── discovery J
 *                        (child-process instances: one proxy member-sN for every J)
 */

import { randomUUID } from 'node:crypto';
import { loadOrCreateStableId } from '../../impl/adapters/id-file.ts';
import type { ZoneMembers } from '../../experiment/faults/zones.ts';
import type { PoolTarget } from './client-pool.ts';
import { childProcessDiscovery, type DiscoveryHandle, discoveryHandle } from './discovery-handle.ts';
import { freePort } from '../redis/index.ts';
import { type FaultLinks, startFaultLinks } from './fault-links.ts';
import { type HaproxyBalance, type RunningHaproxy, startHaproxy } from './haproxy.ts';
import { LabTime } from './lab-time.ts';
import { OffsetClock } from './offset-clock.ts';
import { Recorder } from './recorder.ts';
import { type RedisBacking, startRedisBacking } from './redis-backing.ts';
import { failPrimary } from './redis-failover.ts';
import { CommandStatsReader, flushRedis, redisCommandStats } from './redis-stats.ts';
import { childProcessServer, inProcessServer, type ServeFlags, type ServerHandle } from './server-handle.ts';

export type LinkPeer = 'redis' | 'discovery' | 'clients';

export type ClusterMode = 'local' | 'a' | 'c';

/** A link's standing latency, production ms: `latencyMs` +/- `jitterMs` (uniform), each way. */
export interface LinkLatency {
  latencyMs: number;
  jitterMs: number;
}

export interface ClusterOptions {
  mode: ClusterMode;
  servers: number;
  /** Mode C. @default 2 */
  discoveryInstances?: number;
  /** Zones the nodes stand in, round robin (experiment/faults/zones.ts). @default 1 */
  zones?: number;
  /**
   * With stable ids (`serverOptions.id: 'stable'`): server-1 is given server-0's id file (a
   * copied volume), so two live processes publish under one id. @default false
   */
  sharedStableId?: boolean;
  /** Child processes (`node bin/headcount.js serve`) instead of servers in this process. @default false */
  processes?: boolean;
  /**
   * Mode C: `per-instance` gives each server every instance's address (it registers with each);
   * `behind-lb` puts a real HAProxy (TCP, round robin, a TCP-connect check) in front of the
   * instances and gives servers only its address. @default per-instance
   */
  discoveryTopology?: 'per-instance' | 'behind-lb';
  /** Discovery instances as child processes (`headcount discovery`). @default `processes` */
  discoveryProcesses?: boolean;
  /**
   * Each server's clock offset, production ms (in-process servers only: the lab hands each an
   * `OffsetClock`). @default none (the machine's clock)
   */
  clockOffsetsMs?: number[];
  /**
   * The scenario's network: a standing latency toxic on every proxied link of the class, plus
   * `redisOpMs` on the Redis replies. A value that rounds to 0 real ms is not applied (loopback
   * is already that fast); `appliedNetwork` says what was.
   */
  linkLatency?: Partial<Record<LinkPeer, LinkLatency>>;
  /**
   * The scenario's connection loss (`lossModel: connection`): the share of each class's
   * connections stalled from their opening (a standing `timeout` toxic with that toxicity on
   * every proxied link of the class). @default none
   */
  linkStall?: Partial<Record<LinkPeer, number>>;
  /** Redis's own execution time per command, production ms (a latency on Redis's replies). */
  redisOpMs?: number;
  /** Mode A: use this Redis (else REDIS_URL, else a spawned redis-server, else ioredis-mock). */
  redisUrl?: string;
  /**
   * Mode A: a primary, a replica and three Sentinels instead (production ms, scaled here):
   * Sentinel's down-after plus the election is realised as the detecting Sentinel's
   * down-after less the real time Sentinel itself takes to elect and confirm
   * (`sentinelPromotionRealMs`), so a time-scaled failover lasts what the model says.
   */
  redisSentinel?: { downAfterMs: number; electionMs: number; replicationLagMs: number };
  /** Which links pass through the fault proxy. @default { redis: true, discovery: true, clients: false } */
  proxy?: { redis?: boolean; discovery?: boolean; clients?: boolean };
  /** Real duration = production duration x timeScale. @default 1 */
  timeScale?: number;
  /** `headcount serve` options (camelCase), durations in production ms; ports and links are set here. */
  serverOptions?: ServeFlags;
  /** Mode C discovery settings, production ms. @default { leaseMs: 3000, fanoutTimeoutMs: 500 } */
  discovery?: { leaseMs?: number; fanoutTimeoutMs?: number };
  /** A real HAProxy in front of the servers. */
  lb?: { kind: 'haproxy'; balance: HaproxyBalance; checkIntervalMs?: number };
  /** Seed for the embedded fault proxy's draws. @default 1 */
  seed?: number;
  /** Where warnings go (e.g. the ioredis-mock fallback). @default stderr */
  warn?: (message: string) => void;
  /** Log level of the servers. @default silent */
  logLevel?: string;
}

/** serve options that are durations, scaled by timeScale on the way to a real server. */
const durationFlags = [
  'ttlMs',
  'heartbeatMs',
  'publishDelayMs',
  'whoTimeoutMs',
  'whoCacheMs',
  'idleTimeoutMs',
  'maxConnectionAgeMs',
  'drainMs',
  'discoveryTimeoutMs',
  'writeStallMs',
  'redisRetryMaxMs',
] as const;

/** Durations that must stay positive after scaling (0 means "off" for the others). */
const positiveFlags = new Set([
  'ttlMs',
  'heartbeatMs',
  'whoTimeoutMs',
  'discoveryTimeoutMs',
  'writeStallMs',
  'redisRetryMaxMs',
]);

/** The token the lab's servers and discovery instances share. */
export const labToken = 'headcount-lab-token';

/**
 * Real ms Sentinel takes from judging a primary down to naming the promoted replica, whatever
 * the time scale: the vote and REPLICAOF NO ONE (~0.2 s), then its confirmation through the
 * replica's INFO, which Sentinel reads about once a second during a failover. Measured on
 * loopback (Redis 7.0, three runs): 1.06-1.16 s.
 */
export const sentinelPromotionRealMs = 1_100;

/**
 * The detecting Sentinel's down-after never goes below this (real ms): with quorum 1, a PING
 * reply slower than it on a loaded machine would fail over a healthy primary. Below
 * (downAfterMs + electionMs) x timeScale = 1.35 s the real failover is longer than modelled.
 */
export const downAfterRealMsMin = 250;

/** The detecting Sentinel's real down-after for a modelled down-after plus election (production ms). */
export function sentinelDownAfterRealMs(downAfterMs: number, electionMs: number, timeScale: number): number {
  return Math.max(
    downAfterRealMsMin,
    Math.round((downAfterMs + electionMs) * timeScale - sentinelPromotionRealMs),
  );
}
let clusterCounter = 0;

export class Cluster {
  readonly options: ClusterOptions;
  readonly time: LabTime;
  readonly recorder: Recorder;
  readonly servers: ServerHandle[] = [];
  readonly discovery: DiscoveryHandle[] = [];
  redis: RedisBacking | undefined;
  links: FaultLinks | undefined;
  haproxy: RunningHaproxy | undefined;
  /** The HAProxy in front of the discovery instances (`discoveryTopology: 'behind-lb'`). */
  discoveryLb: RunningHaproxy | undefined;
  /** The proxied client port per server (when clients go through the proxy). */
  #clientPorts: number[] = [];
  /**
   * Servers whose clients' link is cut (a partition from its clients, a zone partition): the
   * balancer's health check crosses that link too, so they are no target.
   */
  #clientsCut = new Set<number>();
  /** Per server, when clock offsets or jumps are in play (in-process servers). */
  readonly clocks: (OffsetClock | undefined)[] = [];
  #redisBaseline = { calls: 0, writes: 0 };
  #redisRestartedByProxy = false;
  #redisCarried = { calls: 0, writes: 0 };
  /** The counters' kept-open Redis connection (`counters()`). */
  readonly #statsReader = new CommandStatsReader();
  /** Mode A's registry prefix (set at start-up). */
  registryPrefix = '';
  #closed = false;
  /** The standing latencies the proxies apply, one readable line per link class. */
  readonly appliedNetwork: string[] = [];

  constructor(options: ClusterOptions) {
    this.options = options;
    this.time = new LabTime(options.timeScale ?? 1);
    this.recorder = new Recorder(this.time);
  }

  get mode(): ClusterMode {
    return this.options.mode;
  }

  /**
   * Where new clients may connect now: the load balancer, or every live, unfrozen, READY server
   * (the health check of the balancer the service ships behind, and of the simulator's: without
   * it, clients of a fenced mode C server reconnect to it at once, are refused and come back, a
   * storm of hundreds of connections a second that the simulator never sees).
   */
  targets(): PoolTarget[] {
    if (this.haproxy !== undefined) return [{ port: this.haproxy.port, serverIndex: undefined }];
    return this.servers
      .filter((server) => server.up && !server.frozen && server.ready && !this.#clientsCut.has(server.index))
      .map((server) => ({ port: this.#clientPorts[server.index] ?? server.port, serverIndex: server.index }));
  }

  serverIndexOf(serverId: string): number | undefined {
    return this.servers.find((server) => server.serverId === serverId)?.index;
  }

  /** Start-up: the proxied client ports, one per server. */
  setClientPorts(ports: number[]): void {
    this.#clientPorts = [...ports];
  }

  /** The port a client uses to reach server `index` (its proxy when clients are proxied). */
  clientPort(index: number): number {
    return this.#clientPorts[index] ?? this.#server(index).port;
  }

  /** The run starts now: t = 0 here; boots recorded during start-up are moved to 0. */
  beginRun(): void {
    this.time.resetOrigin();
    for (const boot of this.recorder.history.boots) boot.atMs = 0;
    this.recorder.history.truthTMs[0] = 0;
  }

  // ---- servers ----------------------------------------------------------------------------

  async crash(index: number): Promise<void> {
    this.recorder.event('crash', `server-${index}`);
    await this.#server(index).crash();
  }

  /** Graceful stop; `kind` names it on the timeline (`restart` when a start follows). */
  async stop(index: number, kind: 'stop' | 'restart' = 'stop'): Promise<void> {
    this.recorder.event(kind, `server-${index}`);
    await this.#server(index).stop();
  }

  /** Starts a stopped or crashed server again (same ports; a new id unless `--id stable`). */
  async start(index: number, healed?: string): Promise<void> {
    const server = this.#server(index);
    await server.start();
    this.recorder.boot(index, server.serverId);
    if (healed !== undefined) this.recorder.event('heal', `server-${index}`, healed);
  }

  /** Graceful stop, then start again at once. */
  async restart(index: number): Promise<void> {
    this.recorder.event('restart', `server-${index}`);
    await this.#server(index).stop();
    await this.start(index, 'restart');
  }

  /** Child processes only: SIGSTOP for `durationMs` production ms, then SIGCONT. */
  async freeze(index: number, durationMs: number): Promise<void> {
    this.recorder.event('freeze', `server-${index}`, `durationMs=${durationMs}`);
    await this.#server(index).freeze(this.time.realMs(durationMs));
    this.recorder.event('heal', `server-${index}`, 'freeze');
  }

  /** Server `index`'s clock jumps by `deltaMs` production ms (in-process servers only). */
  clockJump(index: number, deltaMs: number): void {
    const clock = this.clocks[index];
    if (clock === undefined)
      throw new Error(`server-${index} has no offset clock (clock faults need in-process servers)`);
    this.recorder.event('clock-jump', `server-${index}`, `deltaMs=${deltaMs}`);
    clock.jump(deltaMs * this.time.timeScale);
  }

  // ---- links -------------------------------------------------------------------------------

  /**
   * Cuts server `index` off from `peer` as a network partition does: messages are lost, nothing
   * is refused, so calls time out (the simulator's partition drops messages). `both` blackholes
   * both streams, `outbound`/`inbound` one (a timeout toxic, timeout 0, on each of its proxies).
   * The heal closes the links' connections (their bytes were dropped), and clients reconnect.
   * A REFUSED connection is what a dead process gives: see `crashDiscovery`.
   */
  async partition(
    index: number,
    peer: LinkPeer,
    direction: 'both' | 'outbound' | 'inbound' = 'both',
  ): Promise<void> {
    const names = this.#linkNames(index, peer);
    this.recorder.event('partition', `server-${index}`, `peer=${peer} direction=${direction}`);
    if (peer === 'clients') this.#clientsCut.add(index);
    const links = this.#links();
    await Promise.all(
      names.map((name) =>
        direction === 'both'
          ? Promise.all([links.blackhole(name, 'upstream'), links.blackhole(name, 'downstream')])
          : links.blackhole(name, streamOf(name, direction)),
      ),
    );
  }

  async healPartition(index: number, peer: LinkPeer): Promise<void> {
    const links = this.#links();
    await Promise.all(this.#linkNames(index, peer).map((name) => links.heal(name)));
    if (peer === 'clients') this.#clientsCut.delete(index);
    this.recorder.event('heal', `server-${index}`, 'partition');
  }

  cutRedis(index: number): Promise<void> {
    return this.partition(index, 'redis');
  }

  healRedis(index: number): Promise<void> {
    return this.healPartition(index, 'redis');
  }

  cutDiscovery(index: number): Promise<void> {
    return this.partition(index, 'discovery');
  }

  healDiscovery(index: number): Promise<void> {
    return this.healPartition(index, 'discovery');
  }

  /** Adds `extraMs` production ms each way on server `index`'s links to `peer`. */
  async latency(index: number, peer: LinkPeer, extraMs: number): Promise<void> {
    this.recorder.event('latency-spike', `server-${index}`, `peer=${peer} extraMs=${extraMs}`);
    const links = this.#links();
    // Latency toxics add up (each delays a chunk from when the previous one released it): the
    // spike's toxic carries only the extra latency, the standing one stays.
    await Promise.all(
      this.#linkNames(index, peer).map((name) => links.delay(name, this.time.realMs(extraMs, 0))),
    );
  }

  async healLatency(index: number, peer: LinkPeer): Promise<void> {
    const links = this.#links();
    await Promise.all(this.#linkNames(index, peer).map((name) => links.heal(name)));
    this.recorder.event('heal', `server-${index}`, 'latency-spike');
  }

  // ---- Redis and discovery -------------------------------------------------------------------

  /** Redis stops answering (SIGSTOP), connections stay open: only a Redis the lab started. */
  redisOutage(): void {
    this.recorder.event('redis-outage', 'redis');
    this.#ownRedis('redis-outage').pause();
  }

  healRedisOutage(): void {
    this.#ownRedis('redis-outage').resume();
    this.recorder.event('heal', 'redis', 'redis-outage');
  }

  /**
   * Redis dies and `redisStart` brings it back EMPTY. When every server reaches Redis through a
   * proxy, the death is what the servers see of one: every proxy is disabled (live connections
   * reset, new ones refused) and the data is flushed, so the restart at the heal is exact (a
   * real redis-server takes hundreds of real ms to start on a busy machine, which the time scale
   * would multiply into seconds of production time). Otherwise the process is SIGKILLed and
   * started again on the same port.
   */
  async redisCrash(): Promise<void> {
    this.recorder.event('redis-restart', 'redis');
    await this.#redisDown();
  }

  async #redisDown(): Promise<void> {
    const proxies = this.#redisLinkNames();
    if (proxies.length === this.servers.length && this.redis?.kind === 'spawned') {
      const links = this.#links();
      await Promise.all(proxies.map((name) => links.cut(name)));
      await flushRedis(this.redis.url);
      this.#redisRestartedByProxy = true;
      return;
    }
    const server = this.#ownRedis('redis-restart');
    // A restart zeroes INFO commandstats: carry what it counted so far (read after the kill
    // would be too late, before it costs at most a loopback round trip of the fault's instant).
    const counted = await this.redisStats();
    await server.kill();
    this.#redisCarried = counted ?? this.#redisCarried;
    this.#redisBaseline = { calls: 0, writes: 0 };
  }

  async redisStart(): Promise<void> {
    await this.#redisUp();
    this.recorder.event('heal', 'redis', 'redis-restart');
  }

  async #redisUp(): Promise<void> {
    if (this.#redisRestartedByProxy) {
      const links = this.#links();
      await Promise.all(this.#redisLinkNames().map((name) => links.heal(name)));
      this.#redisRestartedByProxy = false;
    } else await this.#ownRedis('redis-restart').restart();
  }

  // ---- zones -------------------------------------------------------------------------------

  /**
   * Every node of a zone dies at once (one `zone-outage` event, every action in flight
   * together): its servers are killed without deregistering, its discovery instances crash
   * (their proxies refuse), and its Redis (mode A) dies and will come back empty.
   */
  async zoneCrash(zone: ZoneMembers): Promise<void> {
    this.recorder.event('zone-outage', `zone-${zone.zone}`, 'outage=crash');
    const links = this.links;
    await Promise.all([
      ...zone.servers.map((index) => this.#server(index).crash()),
      ...zone.discovery.flatMap((index) => [
        this.#discovery(index).crash(),
        ...this.#discoveryLinkNames(index).map((name) => links!.cut(name)),
      ]),
      ...(zone.redis && this.mode === 'a' ? [this.#redisDown()] : []),
    ]);
  }

  /** The crashed zone boots again: Redis (empty), its discovery instances, then its servers. */
  async healZoneCrash(zone: ZoneMembers): Promise<void> {
    if (zone.redis && this.mode === 'a') await this.#redisUp();
    await Promise.all(
      zone.discovery.map(async (index) => {
        await this.#discovery(index).start();
        await Promise.all(this.#discoveryLinkNames(index).map((name) => this.links!.heal(name)));
      }),
    );
    await Promise.all(
      zone.servers.map(async (index) => {
        const server = this.#server(index);
        await server.start();
        this.recorder.boot(index, server.serverId);
      }),
    );
    this.recorder.event('heal', `zone-${zone.zone}`, 'zone-outage');
  }

  /**
   * The zone is cut off from its clients and from every node outside it (messages lost, as in
   * `partition`); links inside the zone stay up. Every toxic is applied at once; the heal
   * removes them together.
   */
  async zonePartition(zone: ZoneMembers): Promise<void> {
    this.recorder.event('zone-outage', `zone-${zone.zone}`, 'outage=partition');
    for (const index of zone.servers) this.#clientsCut.add(index);
    const links = this.#links();
    await Promise.all(
      this.#zoneCutLinks(zone).flatMap((name) => [
        links.blackhole(name, 'upstream'),
        links.blackhole(name, 'downstream'),
      ]),
    );
  }

  async healZonePartition(zone: ZoneMembers): Promise<void> {
    const links = this.#links();
    await Promise.all(this.#zoneCutLinks(zone).map((name) => links.heal(name)));
    for (const index of zone.servers) this.#clientsCut.delete(index);
    this.recorder.event('heal', `zone-${zone.zone}`, 'zone-outage');
  }

  /**
   * The proxied links a zone partition cuts: its clients', and every link crossing the zone's
   * edge, both ways: a server's calls to an instance on the other side (`discoveryJ-sN`) and that
   * instance's calls to the server's `/count` (`memberJ-sN`), as the simulator cuts the pair.
   */
  #zoneCutLinks(zone: ZoneMembers): string[] {
    const inZone = new Set(zone.servers);
    const names: string[] = [];
    for (const server of this.servers) {
      const inside = inZone.has(server.index);
      if (inside) names.push(...this.#linkNames(server.index, 'clients'));
      if (this.mode === 'a' && inside !== zone.redis) names.push(...this.#linkNames(server.index, 'redis'));
      if (this.mode === 'c')
        for (const instance of this.discovery)
          if (inside !== zone.discovery.includes(instance.index))
            names.push(
              `discovery${instance.index}-s${server.index}`,
              memberLinkName(instance.index, server.index),
            );
    }
    return names.filter((name) => this.links?.has(name) === true);
  }

  #redisLinkNames(): string[] {
    return this.servers
      .map((server) => `redis-s${server.index}`)
      .filter((name) => this.links?.has(name) === true);
  }

  /**
   * The instance dies: a dead process REFUSES connections, so every server's proxy to it is
   * disabled too (a proxy that accepted and then closed would look like a flaky link, not a dead
   * peer, and the servers would fence themselves and reconnect in a storm).
   */
  async crashDiscovery(index: number): Promise<void> {
    this.recorder.event('discovery-crash', `discovery-${index}`);
    const links = this.links;
    const names = this.#discoveryLinkNames(index);
    await Promise.all([...names.map((name) => links!.cut(name)), this.#discovery(index).crash()]);
  }

  async startDiscovery(index: number): Promise<void> {
    await this.#discovery(index).start();
    const links = this.links;
    await Promise.all(this.#discoveryLinkNames(index).map((name) => links!.heal(name)));
    this.recorder.event('heal', `discovery-${index}`, 'discovery-crash');
  }

  /**
   * The Sentinel-managed primary dies (kill -9); see redis-failover.ts. The promotion and each
   * server's first write to the new primary are recorded in the history's `failovers` as they
   * come. Without a replica (a single Redis, or a failover in progress) nothing happens.
   */
  async redisFailover(): Promise<boolean> {
    const group = this.redis?.sentinel;
    if (group === undefined || group.replica === undefined) {
      this.recorder.event('redis-failover', 'redis', 'no effect: no replica to promote');
      return false;
    }
    this.recorder.event('redis-failover', 'redis');
    this.#redisCarried = (await this.redisStats()) ?? this.#redisCarried;
    this.#redisBaseline = { calls: 0, writes: 0 };
    const record = await failPrimary({
      group,
      prefix: this.registryPrefix,
      time: this.time,
      serversUp: this.servers.map((server) => server.up),
      ttlRealMs: this.time.realMs(Number(this.options.serverOptions?.ttlMs ?? 5_000)),
      serverIndexOf: (serverId) => this.serverIndexOf(serverId),
      onPromoted: async () => {
        this.#redisBaseline = (await redisCommandStats(group.primary.url)) ?? { calls: 0, writes: 0 };
      },
      stopped: () => this.#closed,
    });
    const { history } = this.recorder;
    history.failovers = [...(history.failovers ?? []), record];
    return true;
  }

  /** The old primary starts again, empty; Sentinel makes it the new primary's replica. */
  async healRedisFailover(): Promise<void> {
    await this.redis?.sentinel?.restartOldPrimary();
    this.recorder.event('heal', 'redis', 'redis-failover');
  }

  /** The Redis that `INFO commandstats` is read from: the current primary. */
  #statsUrl(): string | undefined {
    const redis = this.redis;
    if (redis === undefined || redis.kind === 'memory') return undefined;
    return redis.sentinel?.primary.url ?? redis.url;
  }

  /**
   * Registry calls and writes Redis executed since `markRedisStats()` (from `INFO commandstats`,
   * carried across a Redis restart, which zeroes them); undefined without a real Redis.
   */
  async redisStats(
    read: (url: string) => Promise<{ calls: number; writes: number } | undefined> = redisCommandStats,
  ): Promise<{ calls: number; writes: number } | undefined> {
    const url = this.#statsUrl();
    if (url === undefined) return undefined;
    const now = await read(url);
    if (now === undefined) return undefined;
    return {
      calls: this.#redisCarried.calls + now.calls - this.#redisBaseline.calls,
      writes: this.#redisCarried.writes + now.writes - this.#redisBaseline.writes,
    };
  }

  /** From now on `redisStats()` counts (the run's t = 0). */
  async markRedisStats(): Promise<void> {
    const url = this.#statsUrl();
    if (url === undefined) return;
    this.#redisBaseline = (await redisCommandStats(url)) ?? { calls: 0, writes: 0 };
    this.#redisCarried = { calls: 0, writes: 0 };
  }

  /**
   * The shared components' counters now (Redis registry writes since `markRedisStats()`,
   * discovery broadcasts), over one kept-open Redis connection; undefined when Redis could not
   * be read (the sample is skipped). 0 for a component the cluster does not have.
   */
  async counters(): Promise<{ redisWrites: number; broadcasts: number } | undefined> {
    const redis =
      this.#statsUrl() === undefined
        ? undefined
        : await this.redisStats((url) => this.#statsReader.read(url));
    if (this.#statsUrl() !== undefined && redis === undefined) return undefined;
    return { redisWrites: redis?.writes ?? 0, broadcasts: await this.broadcasts() };
  }

  /** Broadcasts run by every discovery instance so far. */
  async broadcasts(): Promise<number> {
    const counts = await Promise.all(this.discovery.map((instance) => instance.broadcasts()));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Stops everything the cluster started (servers abruptly: the run is over). */
  async close(): Promise<void> {
    this.#closed = true;
    this.time.cancelAll();
    this.#statsReader.close();
    await this.haproxy?.stop();
    await Promise.all(this.servers.map((server) => server.crash().catch(() => {})));
    await Promise.all(this.discovery.map((instance) => instance.crash().catch(() => {})));
    await this.discoveryLb?.stop();
    await this.links?.close();
    await this.redis?.close();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  #server(index: number): ServerHandle {
    const server = this.servers[index];
    if (server === undefined)
      throw new RangeError(`no server-${index}: the cluster has ${this.servers.length}`);
    return server;
  }

  #discovery(index: number): DiscoveryHandle {
    const instance = this.discovery[index];
    if (instance === undefined)
      throw new RangeError(`no discovery-${index}: the cluster has ${this.discovery.length} (mode c only)`);
    return instance;
  }

  #discoveryLinkNames(index: number): string[] {
    this.#discovery(index);
    return this.servers
      .map((server) => `discovery${index}-s${server.index}`)
      .filter((name) => this.links?.has(name) === true);
  }

  #standingLatency(peer: LinkPeer): LinkLatency {
    return this.options.linkLatency?.[peer] ?? { latencyMs: 0, jitterMs: 0 };
  }

  /**
   * Standing toxics on a new proxy (the scenario's network): latency as `options.linkLatency`
   * says, and the connection stall of `options.linkStall`.
   */
  async applyStandingLatency(name: string, peer: LinkPeer): Promise<void> {
    const { latencyMs, jitterMs } = this.#standingLatency(peer);
    const opMs = peer === 'redis' ? (this.options.redisOpMs ?? 0) : 0;
    const links = this.#links();
    for (const [stream, extraMs] of [
      ['upstream', 0],
      ['downstream', opMs],
    ] as const) {
      const realLatencyMs = this.time.realMs(latencyMs + extraMs, 0);
      const realJitterMs = Math.min(realLatencyMs, this.time.realMs(jitterMs, 0));
      if (realLatencyMs === 0 && realJitterMs === 0) continue;
      await links.baseline(name, stream, realLatencyMs, realJitterMs);
      const line = `${peer} ${stream}: ${realLatencyMs}±${realJitterMs} real ms`;
      if (!this.appliedNetwork.includes(line)) this.appliedNetwork.push(line);
    }
    const share = name.startsWith('member') ? 0 : (this.options.linkStall?.[peer] ?? 0);
    if (share > 0) {
      await links.stall(name, share);
      const line = `${peer}: ${share} of connections stalled (timeout toxic, toxicity ${share})`;
      if (!this.appliedNetwork.includes(line)) this.appliedNetwork.push(line);
    }
  }

  #links(): FaultLinks {
    if (this.links === undefined)
      throw new Error('this cluster has no fault proxy (every proxy option is off)');
    return this.links;
  }

  #linkNames(index: number, peer: LinkPeer): string[] {
    this.#server(index);
    const names =
      peer === 'redis'
        ? [`redis-s${index}`]
        : peer === 'clients'
          ? [`clients-s${index}`]
          : [
              ...this.discovery.map((instance) => `discovery${instance.index}-s${index}`),
              ...[
                `member-s${index}`,
                ...this.discovery.map((instance) => memberLinkName(instance.index, index)),
              ].filter((name) => this.links?.has(name) === true),
            ];
    const missing = names.filter((name) => this.links?.has(name) !== true);
    if (names.length === 0 || missing.length > 0)
      throw new Error(
        `server-${index}'s ${peer} link does not pass through the fault proxy (set proxy.${peer}: true${peer === 'redis' ? ' and use a real Redis' : ''})`,
      );
    return names;
  }

  #ownRedis(kind: string) {
    const server = this.redis?.server;
    if (server === undefined)
      throw new Error(`${kind} needs a redis-server the lab started (not REDIS_URL, not ioredis-mock)`);
    return server;
  }

  // ---- start-up ----------------------------------------------------------------------------

  /** Scaled serve flags for server `index`, its links filled in. */
  async flagsFor(index: number, prefix: string): Promise<ServeFlags> {
    const { options, time } = this;
    // A child announces readiness with its `listening` log line, which `silent` would suppress.
    const logLevel = options.logLevel ?? (options.processes === true ? 'warn' : 'silent');
    const flags: ServeFlags = { logLevel, ...options.serverOptions, mode: options.mode };
    // In-process servers share one event loop with the lab's clients and prober, so extra accept
    // descriptors buy them nothing, and a restart must not wait on spawning the echo child
    // (accept-handles.ts): one each, unless the run says otherwise. Child processes keep serve's default.
    if (options.processes !== true) flags.acceptHandles ??= 1;
    // Each server its own stable id file (never the working directory's headcount.id).
    if (flags.id === 'stable' && flags.idFile === undefined) {
      const owner = this.options.sharedStableId === true && index === 1 ? 0 : index;
      flags.idFile = `${process.env.TMPDIR ?? '/tmp'}/${prefix}-s${owner}.id`;
      // The shared file exists before either server starts, so both read the same id (two
      // servers creating it at once would each keep the id it wrote).
      if (owner !== index || (this.options.sharedStableId === true && index === 0)) {
        const created = loadOrCreateStableId(flags.idFile as string, () => randomUUID());
        if (!created.ok) throw new Error(created.error.message);
      }
    }
    if (options.mode === 'local') return flags;
    for (const name of durationFlags) {
      const value = flags[name];
      if (typeof value === 'number')
        flags[name] = time.realMs(value, positiveFlags.has(name) || value > 0 ? 1 : 0);
    }
    if (options.mode === 'a') {
      flags.redisPrefix ??= prefix;
      flags.redis = await this.#redisUrlFor(index);
    } else {
      flags.token = labToken;
      // Behind a balancer a server knows one address; nothing per server to proxy.
      if (this.discoveryLb !== undefined) flags.discovery = [`http://127.0.0.1:${this.discoveryLb.port}`];
      else {
        flags.discovery = await Promise.all(
          this.discovery.map((instance) => this.#discoveryUrlFor(index, instance)),
        );
        await this.#proxyMemberCalls(index, flags);
      }
    }
    if (flags.id === 'snowflake' && options.mode === 'c') flags.workerId ??= index;
    return flags;
  }

  async #redisUrlFor(index: number): Promise<string> {
    const redis = this.redis!;
    if (this.links === undefined || this.options.proxy?.redis === false || redis.address === undefined)
      return redis.url;
    const port = await this.links.add(`redis-s${index}`, redis.address);
    await this.applyStandingLatency(`redis-s${index}`, 'redis');
    const url = new URL(redis.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return url.toString().replace(/\/$/, '');
  }

  /**
   * Discovery's calls to server `index`'s `/count` cross the discovery link class too, as in the
   * simulator (and in production, where they cross the same network), through the fault proxy;
   * the server's admin port is fixed. In-process instances each call through their own link
   * (`memberJ-sN`, member-routes.ts), so a zone partition cuts one instance from one server as
   * the simulator does; child-process instances share one link per server, `member-sN`, which the
   * server advertises as its `--count-url`. Latency spikes and partitions of the discovery class
   * apply to them; a connection stall does not (the simulator stalls only the server's own calls).
   */
  async #proxyMemberCalls(index: number, flags: ServeFlags): Promise<void> {
    if (this.links === undefined || this.options.proxy?.discovery === false) return;
    const adminPort =
      typeof flags.adminPort === 'number' && flags.adminPort > 0 ? flags.adminPort : await freePort();
    flags.adminPort = adminPort;
    if (this.discovery.every((instance) => instance.memberRoutes !== undefined)) {
      for (const instance of this.discovery) {
        const name = memberLinkName(instance.index, index);
        const port = await this.links.add(name, `127.0.0.1:${adminPort}`);
        await this.applyStandingLatency(name, 'discovery');
        instance.memberRoutes!.set(adminPort, port);
      }
      flags.countUrl = `http://127.0.0.1:${adminPort}/count`;
      return;
    }
    const name = `member-s${index}`;
    const port = await this.links.add(name, `127.0.0.1:${adminPort}`);
    await this.applyStandingLatency(name, 'discovery');
    flags.countUrl = `http://127.0.0.1:${port}/count`;
  }

  async #discoveryUrlFor(index: number, instance: DiscoveryHandle): Promise<string> {
    if (this.links === undefined || this.options.proxy?.discovery === false)
      return `http://127.0.0.1:${instance.port}`;
    const name = `discovery${instance.index}-s${index}`;
    const port = await this.links.add(name, `127.0.0.1:${instance.port}`);
    await this.applyStandingLatency(name, 'discovery');
    return `http://127.0.0.1:${port}`;
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  if (!(Number.isInteger(options.servers) && options.servers >= 1 && options.servers <= 64))
    throw new RangeError(`servers ${options.servers} is outside 1..64 (a lab runs on one machine)`);
  const cluster = new Cluster(options);
  const warn = options.warn ?? ((message: string) => process.stderr.write(`WARNING: ${message}\n`));
  try {
    await launch(cluster, warn);
  } catch (error) {
    await cluster.close().catch(() => {});
    throw error;
  }
  return cluster;
}

async function launch(cluster: Cluster, warn: (message: string) => void): Promise<void> {
  const { options, time } = cluster;
  const proxy = { redis: true, discovery: true, clients: false, ...options.proxy };
  const prefix = `lab${process.pid}n${clusterCounter++}`;
  cluster.registryPrefix = String(options.serverOptions?.redisPrefix ?? prefix);
  if (options.mode === 'a') {
    const sentinel = options.redisSentinel;
    cluster.redis = await startRedisBacking({
      redisUrl: options.redisUrl,
      processes: options.processes === true,
      warn,
      ...(sentinel === undefined
        ? {}
        : {
            sentinel: {
              downAfterMs: sentinelDownAfterRealMs(sentinel.downAfterMs, sentinel.electionMs, time.timeScale),
              replicationLagMs: time.realMs(sentinel.replicationLagMs, 0),
            },
          }),
    });
  }
  const proxied =
    (proxy.redis && options.mode === 'a' && cluster.redis?.address !== undefined) ||
    (proxy.discovery && options.mode === 'c') ||
    proxy.clients;
  if (proxied) cluster.links = await startFaultLinks(options.seed ?? 1);
  if (options.mode === 'c') {
    const settings = {
      leaseMs: time.realMs(options.discovery?.leaseMs ?? 3_000),
      fanoutTimeoutMs: time.realMs(options.discovery?.fanoutTimeoutMs ?? 500),
      token: labToken,
      logLevel: options.logLevel ?? 'silent',
    };
    const makeDiscovery =
      (options.discoveryProcesses ?? options.processes) === true ? childProcessDiscovery : discoveryHandle;
    for (let index = 0; index < (options.discoveryInstances ?? 2); index += 1) {
      const instance = makeDiscovery(index, settings);
      await instance.start();
      cluster.discovery.push(instance);
    }
    if (options.discoveryTopology === 'behind-lb') {
      cluster.discoveryLb = await startHaproxy({
        balance: 'roundrobin',
        servers: cluster.discovery.map((instance) => ({
          name: `discovery-${instance.index}`,
          port: instance.port,
        })),
      });
    }
  }
  const offsets = options.clockOffsetsMs;
  if (offsets !== undefined && options.processes === true)
    throw new Error('clock offsets need in-process servers (processes: false)');
  for (let index = 0; index < options.servers; index += 1) {
    const flags = await cluster.flagsFor(index, prefix);
    if (options.processes === true) {
      cluster.servers.push(childProcessServer(index, flags));
      continue;
    }
    const clock = offsets === undefined ? undefined : new OffsetClock((offsets[index] ?? 0) * time.timeScale);
    cluster.clocks.push(clock);
    cluster.servers.push(inProcessServer(index, flags, clock));
  }
  // Child processes start in parallel (each is ~1 s of tsx start-up); in-process ones in turn.
  if (options.processes === true) await Promise.all(cluster.servers.map((server) => server.start()));
  else for (const server of cluster.servers) await server.start();
  for (const server of cluster.servers) cluster.recorder.boot(server.index, server.serverId);
  const clientPorts: number[] = [];
  if (proxy.clients) {
    for (const server of cluster.servers) {
      const name = `clients-s${server.index}`;
      clientPorts.push(await cluster.links!.add(name, `127.0.0.1:${server.port}`));
      await cluster.applyStandingLatency(name, 'clients');
    }
  }
  cluster.setClientPorts(clientPorts);
  if (options.lb !== undefined) {
    // HAProxy takes a server in after `rise` good checks: wait until every /readyz says so.
    await waitReady(cluster.servers.map((server) => server.adminPort));
    cluster.haproxy = await startHaproxy({
      balance: options.lb.balance,
      checkIntervalMs: options.lb.checkIntervalMs,
      servers: cluster.servers.map((server) => ({
        name: `server-${server.index}`,
        port: cluster.clientPort(server.index),
        adminPort: server.adminPort,
      })),
    });
    const intervalMs = options.lb.checkIntervalMs ?? 100;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
  }
}

/** Longest wait for servers to report ready before a load balancer is put in front. */
const readyWaitMs = 10_000;

async function waitReady(adminPorts: number[]): Promise<void> {
  const deadlineMs = Date.now() + readyWaitMs;
  for (const port of adminPorts) {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then(async (response) => {
          await response.text();
          return response.status;
        })
        .catch(() => 0);
      if (status === 200) break;
      if (Date.now() > deadlineMs)
        throw new Error(`the server with admin port ${port} was not ready within ${readyWaitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * The proxy stream that carries a server's `outbound` (server -> peer) or `inbound` messages. A
 * proxy's upstream is toward what it proxies: Redis or discovery for the server's own calls, the
 * server itself for its clients (`clients-sN`) and for discovery's calls to it (`memberJ-sN`,
 * `member-sN`).
 */
function streamOf(name: string, direction: 'outbound' | 'inbound'): 'upstream' | 'downstream' {
  const towardServer = name.startsWith('clients-') || name.startsWith('member');
  return (direction === 'outbound') !== towardServer ? 'upstream' : 'downstream';
}

/** The link discovery instance `instanceIndex` calls server `serverIndex`'s `/count` through. */
export function memberLinkName(instanceIndex: number, serverIndex: number): string {
  return `member${instanceIndex}-s${serverIndex}`;
}
