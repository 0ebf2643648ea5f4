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
 */
import { LabTime } from './lab-time.ts';
import { Recorder } from './recorder.ts';
import { type FaultLinks, startFaultLinks } from './fault-links.ts';
import { type RedisBacking, startRedisBacking } from './redis-backing.ts';
import { childProcessServer, inProcessServer, type ServeFlags, type ServerHandle } from './server-handle.ts';
import { type DiscoveryHandle, discoveryHandle } from './discovery-handle.ts';
import { type HaproxyBalance, type RunningHaproxy, startHaproxy } from './haproxy.ts';
import type { PoolTarget } from './client-pool.ts';

export type LinkPeer = 'redis' | 'discovery' | 'clients';

export interface ClusterOptions {
  mode: 'a' | 'c';
  servers: number;
  /** Mode C. @default 2 */
  discoveryInstances?: number;
  /** Child processes (`node bin/headcount.js serve`) instead of servers in this process. @default false */
  processes?: boolean;
  /** Mode A: use this Redis (else REDIS_URL, else a spawned redis-server, else ioredis-mock). */
  redisUrl?: string;
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
] as const;

/** Durations that must stay positive after scaling (0 means "off" for the others). */
const positiveFlags = new Set(['ttlMs', 'heartbeatMs', 'whoTimeoutMs', 'discoveryTimeoutMs', 'writeStallMs']);

const labToken = 'headcount-lab-token';
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
  /** The proxied client port per server (when clients go through the proxy). */
  #clientPorts: number[] = [];

  constructor(options: ClusterOptions) {
    this.options = options;
    this.time = new LabTime(options.timeScale ?? 1);
    this.recorder = new Recorder(this.time);
  }

  get mode(): 'a' | 'c' {
    return this.options.mode;
  }

  /** Where new clients may connect now: the load balancer, or every live, unfrozen server. */
  targets(): PoolTarget[] {
    if (this.haproxy !== undefined) return [{ port: this.haproxy.port, serverIndex: undefined }];
    return this.servers
      .filter((server) => server.up && !server.frozen)
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

  // ---- links -------------------------------------------------------------------------------

  /**
   * Cuts server `index` off from `peer`: `both` disables its proxies (connections closed, new
   * ones refused); `outbound`/`inbound` hold the bytes one way (a timeout toxic, timeout 0).
   */
  async partition(
    index: number,
    peer: LinkPeer,
    direction: 'both' | 'outbound' | 'inbound' = 'both',
  ): Promise<void> {
    const names = this.#linkNames(index, peer);
    this.recorder.event('partition', `server-${index}`, `peer=${peer} direction=${direction}`);
    for (const name of names) {
      if (direction === 'both') await this.#links().cut(name);
      else await this.#links().blackhole(name, direction === 'outbound' ? 'upstream' : 'downstream');
    }
  }

  async healPartition(index: number, peer: LinkPeer): Promise<void> {
    for (const name of this.#linkNames(index, peer)) await this.#links().heal(name);
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
    for (const name of this.#linkNames(index, peer))
      await this.#links().delay(name, this.time.realMs(extraMs, 0));
  }

  async healLatency(index: number, peer: LinkPeer): Promise<void> {
    for (const name of this.#linkNames(index, peer)) await this.#links().heal(name);
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

  /** Redis dies (SIGKILL); `redisStart` brings it back EMPTY on the same port. */
  async redisCrash(): Promise<void> {
    this.recorder.event('redis-restart', 'redis');
    await this.#ownRedis('redis-restart').kill();
  }

  async redisStart(): Promise<void> {
    await this.#ownRedis('redis-restart').restart();
    this.recorder.event('heal', 'redis', 'redis-restart');
  }

  async crashDiscovery(index: number): Promise<void> {
    this.recorder.event('discovery-crash', `discovery-${index}`);
    await this.#discovery(index).crash();
  }

  async startDiscovery(index: number): Promise<void> {
    await this.#discovery(index).start();
    this.recorder.event('heal', `discovery-${index}`, 'discovery-crash');
  }

  /** Stops everything the cluster started (servers abruptly: the run is over). */
  async close(): Promise<void> {
    this.time.cancelAll();
    await this.haproxy?.stop();
    await Promise.all(this.servers.map((server) => server.crash().catch(() => {})));
    await Promise.all(this.discovery.map((instance) => instance.crash().catch(() => {})));
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
          : this.discovery.map((instance) => `discovery${instance.index}-s${index}`);
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
      flags.discovery = await Promise.all(
        this.discovery.map((instance) => this.#discoveryUrlFor(index, instance)),
      );
    }
    if (flags.id === 'stable' && flags.idFile === undefined)
      flags.idFile = `${process.env.TMPDIR ?? '/tmp'}/${prefix}-s${index}.id`;
    if (flags.id === 'snowflake' && options.mode === 'c') flags.workerId ??= index;
    return flags;
  }

  async #redisUrlFor(index: number): Promise<string> {
    const redis = this.redis!;
    if (this.links === undefined || this.options.proxy?.redis === false || redis.address === undefined)
      return redis.url;
    const port = await this.links.add(`redis-s${index}`, redis.address);
    const url = new URL(redis.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return url.toString().replace(/\/$/, '');
  }

  async #discoveryUrlFor(index: number, instance: DiscoveryHandle): Promise<string> {
    if (this.links === undefined || this.options.proxy?.discovery === false)
      return `http://127.0.0.1:${instance.port}`;
    const port = await this.links.add(`discovery${instance.index}-s${index}`, `127.0.0.1:${instance.port}`);
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
  if (options.mode === 'a') {
    cluster.redis = await startRedisBacking({
      redisUrl: options.redisUrl,
      processes: options.processes === true,
      warn,
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
    for (let index = 0; index < (options.discoveryInstances ?? 2); index += 1) {
      const instance = discoveryHandle(index, settings);
      await instance.start();
      cluster.discovery.push(instance);
    }
  }
  const make = options.processes === true ? childProcessServer : inProcessServer;
  for (let index = 0; index < options.servers; index += 1) {
    cluster.servers.push(make(index, await cluster.flagsFor(index, prefix)));
  }
  // Child processes start in parallel (each is ~1 s of tsx start-up); in-process ones in turn.
  if (options.processes === true) await Promise.all(cluster.servers.map((server) => server.start()));
  else for (const server of cluster.servers) await server.start();
  for (const server of cluster.servers) cluster.recorder.boot(server.index, server.serverId);
  const clientPorts: number[] = [];
  if (proxy.clients) {
    for (const server of cluster.servers)
      clientPorts.push(await cluster.links!.add(`clients-s${server.index}`, `127.0.0.1:${server.port}`));
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
