/**
 * The lab's clients: real TCP connections opened and closed per a workload (Poisson arrivals,
 * session lengths, WHO probes at a rate from a random connected client), drawing from the same
 * seeded streams and the same functions as the simulator's workload (experiment/workload.ts), on
 * production time (`LabTime`). Every open, close, WHO and answer goes to the `Recorder`.
 *
 * Routing: with a load balancer there is one target and a client learns its server with `WHERE`
 * right after connecting; without one, clients take the live servers in turn (round robin) or
 * one at random (`policy: 'random'`, drawn from the simulator's `load-balancer` stream). A
 * client whose connection the server ends (crash, drain, BYE) reconnects while its session lasts,
 * under the workload's reconnect policy (at once by default), like the simulator's; a refused
 * connect retries after
 * `connectRetryMs`.
 *
 * Start: `warmStart()` connects the initial clients BEFORE the run's t = 0 and waits for them, so a
 * real run begins in steady state as a simulated one does (where they all arrive at t = 0 in no
 * time); their sessions are counted from t = 0 (`start`).
 */
import net from 'node:net';
import type { SessionLengthConfig, WorkloadConfig } from '../../experiment/config.ts';
import { reconnectDelayMs } from '../../experiment/reconnect-policy.ts';
import { RandomStreams, type SimRandom } from '../../experiment/rng.ts';
import { nextArrival, rateSteps, sessionLengthMs } from '../../experiment/workload.ts';
import type { LabTime } from './lab-time.ts';
import type { Recorder } from './recorder.ts';

/** A refused or failed connect is retried after this long (production ms), as in the simulator. */
export const connectRetryMs = 100;

/** Bound on simultaneous clients: each is a socket (ulimit -n is 20000 here, servers share it). */
export const poolClientsMax = 5_000;

/** A reply line longer than this is not a headcount reply; the connection is dropped. */
const replyBytesMax = 1_024;

/** Marks a pending reply as the WHERE asked after connecting through a load balancer. */
const whereMarker = -2;
/** The `WHY` each connection opens with: its reply shows the server holds the connection. */
const admittedMarker = -3;

export interface PoolTarget {
  port: number;
  /** The server behind it; undefined behind a load balancer (learned by WHERE). */
  serverIndex: number | undefined;
}

export interface ClientPoolOptions {
  time: LabTime;
  recorder: Recorder;
  seed: number;
  workload: Pick<
    WorkloadConfig,
    | 'arrivalRatePerSec'
    | 'arrivalSchedule'
    | 'arrivalsStopAtMs'
    | 'sessionLength'
    | 'initialClients'
    | 'reconnect'
    | 'whoRatePerSec'
    | 'whoTimeoutMs'
  > &
    /** @default at once */
    Partial<Pick<WorkloadConfig, 'reconnectPolicy'>>;
  /** The targets a new connection may use now (live servers, or the load balancer). */
  targets: () => PoolTarget[];
  /** Server index of a server id (for WHERE answers behind a load balancer). */
  serverIndexOf: (serverId: string) => number | undefined;
  /** How a client picks among several targets. @default 'round-robin' */
  policy?: 'round-robin' | 'random';
}

/** How long `warmStart` waits for the initial clients, real ms (a loaded machine is slow). */
export const warmStartWaitMsMax = 30_000;

interface PoolClient {
  endAtMs: number;
  socket: net.Socket | undefined;
  serverIndex: number;
  connected: boolean;
  /** A reply came on this connection: the server holds it (until then the truth is unsure of it). */
  admitted: boolean;
  /** Recorder indexes of WHOs awaiting a reply, in order (or `whereMarker`, `admittedMarker`). */
  pending: number[];
  buffer: string;
  denseIndex: number;
  endTimer: NodeJS.Timeout | undefined;
}

export class ClientPool {
  readonly #options: ClientPoolOptions;
  readonly #rArrivals: SimRandom;
  readonly #rSessions: SimRandom;
  readonly #rWho: SimRandom;
  readonly #rLb: SimRandom;
  readonly #rReconnect: SimRandom;
  /** Initial clients opened by `warmStart`, with their session lengths (production ms). */
  readonly #warm: { client: PoolClient; lengthMs: number }[] = [];
  /** Servers the warm start leaves out (those a fault takes down at t = 0). */
  #avoid: ReadonlySet<number> = new Set();
  readonly #connected: PoolClient[] = [];
  readonly #all = new Set<PoolClient>();
  #roundRobin = 0;
  #stopped = false;
  #stopAtMs = Number.POSITIVE_INFINITY;

  constructor(options: ClientPoolOptions) {
    this.#options = options;
    const streams = new RandomStreams(options.seed);
    this.#rArrivals = streams.stream('arrivals');
    this.#rSessions = streams.stream('sessions');
    this.#rWho = streams.stream('who');
    this.#rLb = streams.stream('load-balancer');
    this.#rReconnect = streams.stream('reconnect');
  }

  get connectedCount(): number {
    return this.#connected.length;
  }

  /** Connected clients per server index (length `servers`). */
  perServer(servers: number): number[] {
    const counts = new Array<number>(servers).fill(0);
    for (const client of this.#connected) if (client.serverIndex >= 0) counts[client.serverIndex]! += 1;
    return counts;
  }

  /**
   * Connects the initial clients now, before the run starts, to every target but the servers in
   * `avoid`; resolves once all are connected (or after `warmStartWaitMsMax` real ms, returning
   * how many were).
   */
  async warmStart(avoid: ReadonlySet<number> = new Set()): Promise<number> {
    const { workload } = this.#options;
    this.#avoid = avoid;
    for (let index = 0; index < workload.initialClients; index += 1) {
      const lengthMs = sessionLengthMs(workload.sessionLength as SessionLengthConfig, this.#rSessions);
      const client = this.#newClient(Number.POSITIVE_INFINITY);
      if (client === undefined) break;
      this.#warm.push({ client, lengthMs });
      this.#connect(client);
    }
    const deadlineMs = Date.now() + warmStartWaitMsMax;
    while (this.#connected.length < this.#warm.length && Date.now() < deadlineMs)
      await new Promise((resolve) => setTimeout(resolve, 10));
    this.#avoid = new Set();
    return this.#connected.length;
  }

  /**
   * Starts arrivals and WHO probes until `stopAtMs` (production); the warm clients' sessions
   * start now. Without `warmStart`, the initial clients are opened now.
   */
  start(stopAtMs: number): void {
    this.#stopAtMs = stopAtMs;
    const { workload, time } = this.#options;
    if (this.#warm.length === 0)
      for (let index = 0; index < workload.initialClients; index += 1) this.#arrive();
    for (const { client, lengthMs } of this.#warm) {
      client.endAtMs = time.nowMs() + lengthMs;
      client.endTimer = time.at(client.endAtMs, () => this.#end(client));
    }
    this.#warm.length = 0;
    this.#scheduleArrival(time.nowMs(), rateSteps(workload as WorkloadConfig));
    this.#scheduleWho(time.nowMs());
  }

  /** Opens one client now, for `sessionMs` (production) or a drawn session length. */
  open(sessionMs?: number): void {
    const nowMs = this.#options.time.nowMs();
    const lengthMs =
      sessionMs ??
      sessionLengthMs(this.#options.workload.sessionLength as SessionLengthConfig, this.#rSessions);
    const client = this.#newClient(nowMs + lengthMs);
    if (client === undefined) return;
    client.endTimer = this.#options.time.at(client.endAtMs, () => this.#end(client));
    this.#connect(client);
  }

  #newClient(endAtMs: number): PoolClient | undefined {
    if (this.#all.size >= poolClientsMax) return undefined;
    const client: PoolClient = {
      endAtMs,
      socket: undefined,
      serverIndex: -1,
      connected: false,
      admitted: false,
      pending: [],
      buffer: '',
      denseIndex: -1,
      endTimer: undefined,
    };
    this.#all.add(client);
    return client;
  }

  /** Asks WHO from a random connected client now (returns false when none is connected). */
  probe(): boolean {
    const connected = this.#connected;
    if (connected.length === 0) return false;
    const client = connected[this.#rWho.intInclusive(connected.length - 1)]!;
    const index = this.#options.recorder.asked(client.serverIndex, this.#options.workload.whoTimeoutMs);
    if (index < 0) return false;
    client.pending.push(index);
    client.socket!.write('WHO\n');
    return true;
  }

  /** Stops arrivals and probes and closes every client (each recorded as leaving). */
  stop(): void {
    this.#stopped = true;
    for (const client of [...this.#all]) this.#end(client);
  }

  #arrive(): void {
    if (!this.#stopped) this.open();
  }

  #scheduleArrival(fromMs: number, steps: ReturnType<typeof rateSteps>): void {
    const next = nextArrival(steps, fromMs, this.#rArrivals);
    if (next === undefined || next.atMs >= this.#stopAtMs) return;
    const stopMs = this.#options.workload.arrivalsStopAtMs;
    if (stopMs >= 0 && next.atMs >= stopMs) return;
    this.#options.time.at(next.atMs, () => {
      if (this.#stopped) return;
      if (next.arrives) this.#arrive();
      this.#scheduleArrival(next.atMs, steps);
    });
  }

  #scheduleWho(fromMs: number): void {
    const ratePerSec = this.#options.workload.whoRatePerSec;
    if (ratePerSec <= 0) return;
    const atMs = fromMs + this.#rWho.exponential(1000 / ratePerSec);
    if (atMs >= this.#stopAtMs) return;
    this.#options.time.at(atMs, () => {
      if (this.#stopped) return;
      this.probe();
      this.#scheduleWho(atMs);
    });
  }

  #pickTarget(): PoolTarget | undefined {
    const all = this.#options.targets();
    const targets =
      this.#avoid.size === 0 ? all : all.filter((target) => !this.#avoid.has(target.serverIndex ?? -1));
    if (targets.length === 0) return undefined;
    if (this.#options.policy === 'random') return targets[this.#rLb.intInclusive(targets.length - 1)];
    return targets[this.#roundRobin++ % targets.length];
  }

  #connect(client: PoolClient): void {
    const { time } = this.#options;
    if (this.#stopped || time.nowMs() >= client.endAtMs) {
      this.#forget(client);
      return;
    }
    const target = this.#pickTarget();
    if (target === undefined) {
      time.at(time.nowMs() + connectRetryMs, () => this.#connect(client));
      return;
    }
    const socket = net.connect({ port: target.port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    client.socket = socket;
    client.serverIndex = target.serverIndex ?? -1;
    client.buffer = '';
    socket.on('connect', () => {
      if (client.socket !== socket) return;
      client.connected = true;
      client.denseIndex = this.#connected.length;
      this.#connected.push(client);
      client.admitted = false;
      this.#options.recorder.connected(client.serverIndex);
      // The first reply shows the server holds the connection (the WHERE behind a balancer).
      if (target.serverIndex === undefined) {
        client.pending.push(whereMarker);
        socket.write('WHERE\n');
      } else {
        client.pending.push(admittedMarker);
        socket.write('WHY\n');
      }
    });
    socket.on('data', (chunk: Buffer) => this.#onData(client, socket, chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.#onClose(client, socket));
  }

  #onData(client: PoolClient, socket: net.Socket, chunk: Buffer): void {
    if (client.socket !== socket) return;
    client.buffer += chunk.toString('latin1');
    let newline = client.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = client.buffer.slice(0, newline).replace(/\r$/, '');
      client.buffer = client.buffer.slice(newline + 1);
      newline = client.buffer.indexOf('\n');
      if (line.startsWith('BYE')) continue;
      const index = client.pending.shift();
      if (!client.admitted && client.denseIndex >= 0) {
        client.admitted = true;
        this.#options.recorder.admitted();
      }
      if (index === whereMarker) {
        client.serverIndex = this.#options.serverIndexOf(line) ?? -1;
        if (client.serverIndex >= 0 && client.denseIndex >= 0)
          this.#options.recorder.serverConnected(client.serverIndex);
      } else if (index !== undefined) this.#options.recorder.answered(index, line);
    }
    if (client.buffer.length > replyBytesMax) socket.destroy();
  }

  /** The connection ended: by us (session over) or by the server (crash, drain, BYE). */
  #onClose(client: PoolClient, socket: net.Socket): void {
    if (client.socket !== socket) return;
    this.#detach(client);
    const { time, workload } = this.#options;
    const wasConnected = client.connected;
    client.connected = false;
    if (this.#stopped || time.nowMs() >= client.endAtMs) this.#forget(client);
    // A refused connect retries later; a server that ended a live connection: reconnect under the
    // workload's policy (experiment/reconnect-policy.ts; the simulator's draw from the same stream).
    else if (!wasConnected) time.at(time.nowMs() + connectRetryMs, () => this.#connect(client));
    else if (workload.reconnect && (workload.reconnectPolicy?.kind ?? 'immediate') === 'immediate')
      this.#connect(client);
    else if (workload.reconnect && workload.reconnectPolicy !== undefined)
      time.at(time.nowMs() + reconnectDelayMs(workload.reconnectPolicy, 0, this.#rReconnect.float01()), () =>
        this.#connect(client),
      );
    else this.#forget(client);
  }

  /** Removes the client from the connected set (recording the truth change) and abandons its WHOs. */
  #detach(client: PoolClient): void {
    client.socket = undefined;
    for (const index of client.pending) if (index >= 0) this.#options.recorder.abandoned(index);
    client.pending = [];
    if (client.denseIndex < 0) return;
    const last = this.#connected.pop()!;
    if (last !== client) {
      this.#connected[client.denseIndex] = last;
      last.denseIndex = client.denseIndex;
    }
    client.denseIndex = -1;
    this.#options.recorder.disconnected(client.serverIndex, client.admitted);
  }

  /** The session is over: close our side now. */
  #end(client: PoolClient): void {
    const socket = client.socket;
    if (client.endTimer !== undefined) this.#options.time.cancel(client.endTimer);
    if (socket !== undefined) {
      this.#detach(client);
      socket.destroy();
    }
    this.#forget(client);
  }

  #forget(client: PoolClient): void {
    client.connected = false;
    if (client.endTimer !== undefined) this.#options.time.cancel(client.endTimer);
    client.endTimer = undefined;
    this.#all.delete(client);
  }
}
