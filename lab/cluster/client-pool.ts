/**
 * The lab's clients: real TCP connections opened and closed per a workload (Poisson arrivals,
 * session lengths, WHO probes at a rate from a random connected client), drawing from the same
 * seeded streams and the same functions as the simulator's workload (experiment/workload.ts), on
 * production time (`LabTime`). Every open, close, WHO and answer goes to the `Recorder`.
 *
 * Routing: with a load balancer there is one target and a client learns its server with `WHERE`
 * right after connecting; without one, clients take the live servers in turn (round robin). A
 * client whose connection the server ends (crash, drain, BYE) reconnects at once while its
 * session lasts, like the simulator's `reconnect: true`; a refused connect retries after
 * `connectRetryMs`.
 */
import net from 'node:net';
import type { SessionLengthConfig, WorkloadConfig } from '../../experiment/config.ts';
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
  >;
  /** The targets a new connection may use now (live servers, or the load balancer). */
  targets: () => PoolTarget[];
  /** Server index of a server id (for WHERE answers behind a load balancer). */
  serverIndexOf: (serverId: string) => number | undefined;
}

interface PoolClient {
  endAtMs: number;
  socket: net.Socket | undefined;
  serverIndex: number;
  connected: boolean;
  /** Recorder indexes of WHOs awaiting a reply, in order (or `whereMarker`). */
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

  /** Opens the initial clients and starts arrivals and WHO probes until `stopAtMs` (production). */
  start(stopAtMs: number): void {
    this.#stopAtMs = stopAtMs;
    const { workload, time } = this.#options;
    for (let index = 0; index < workload.initialClients; index += 1) this.#arrive();
    this.#scheduleArrival(time.nowMs(), rateSteps(workload as WorkloadConfig));
    this.#scheduleWho(time.nowMs());
  }

  /** Opens one client now, for `sessionMs` (production) or a drawn session length. */
  open(sessionMs?: number): void {
    const nowMs = this.#options.time.nowMs();
    const lengthMs =
      sessionMs ??
      sessionLengthMs(this.#options.workload.sessionLength as SessionLengthConfig, this.#rSessions);
    if (this.#all.size >= poolClientsMax) return;
    const client: PoolClient = {
      endAtMs: nowMs + lengthMs,
      socket: undefined,
      serverIndex: -1,
      connected: false,
      pending: [],
      buffer: '',
      denseIndex: -1,
      endTimer: undefined,
    };
    this.#all.add(client);
    client.endTimer = this.#options.time.at(client.endAtMs, () => this.#end(client));
    this.#connect(client);
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
    const targets = this.#options.targets();
    if (targets.length === 0) return undefined;
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
      this.#options.recorder.connected();
      if (target.serverIndex === undefined) {
        client.pending.push(whereMarker);
        socket.write('WHERE\n');
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
      if (index === whereMarker) client.serverIndex = this.#options.serverIndexOf(line) ?? -1;
      else if (index !== undefined) this.#options.recorder.answered(index, line);
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
    // A refused connect retries later; a server that ended a live connection: reconnect at once.
    else if (!wasConnected) time.at(time.nowMs() + connectRetryMs, () => this.#connect(client));
    else if (workload.reconnect) this.#connect(client);
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
    this.#options.recorder.disconnected();
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
