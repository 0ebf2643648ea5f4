/**
 * The simulated clients: Poisson arrivals (sim's side of experiment/workload.ts), each client
 * connecting through the load balancer, staying its session length, leaving or being cut, and
 * reconnecting when the server ended its connection. The fleet keeps the truth (clients
 * connected, in total and per server) in the history, and routes each session's output: reply
 * lines to the WHO probes, closes to a disconnect.
 *
 * Scale: a client costs one Session (made by `ServerCore.admit`) and at most one scheduled
 * departure check.
 */
import type { CloseReason, Session } from '../../impl/core/session.ts';
import type { SimConfig } from '../../experiment/config.ts';
import { type History, recordServerTruth, recordTruth } from '../../experiment/history.ts';
import { reconnectDelayMs } from '../../experiment/reconnect-policy.ts';
import type { RandomStreams, SimRandom } from '../../experiment/rng.ts';
import { nextArrival, rateSteps, sessionLengthMs } from '../../experiment/workload.ts';
import type { ServerHost } from '../hosts/server-host.ts';
import type { SimNetwork } from '../network.ts';
import type { Scheduler } from '../scheduler.ts';
import type { SimClient, SimServer } from '../server-node.ts';
import { LoadBalancer } from './load-balancer.ts';
import { WhoProbes } from './who-probes.ts';

/** Clients come from 256 addresses (no per-address limit is simulated by default). */
const clientAddresses = Array.from({ length: 256 }, (_, index) => `10.0.0.${index}`);

export class ClientFleet {
  readonly who: WhoProbes;
  #config: SimConfig;
  #scheduler: Scheduler;
  #network: SimNetwork;
  #history: History;
  #hosts: ServerHost;
  #balancer: LoadBalancer;
  #connected: SimClient[] = [];
  #truth = 0;
  /** Clients connected to each server (the per-server truth the mode C checker judges by). */
  #serverTruth: number[];
  #nextClientId = 0;
  #rWorkload: SimRandom;
  #rSessions: SimRandom;
  #rReconnect: SimRandom;
  /** The arrival rate steps (experiment/workload.ts), set when arrivals are first scheduled. */
  #rateSteps: ReturnType<typeof rateSteps> = [];

  constructor(
    config: SimConfig,
    scheduler: Scheduler,
    network: SimNetwork,
    history: History,
    hosts: ServerHost,
    streams: RandomStreams,
  ) {
    this.#config = config;
    this.#scheduler = scheduler;
    this.#network = network;
    this.#history = history;
    this.#hosts = hosts;
    this.#serverTruth = hosts.servers.map(() => 0);
    this.#rWorkload = streams.stream('arrivals');
    this.#rSessions = streams.stream('sessions');
    this.#rReconnect = streams.stream('reconnect');
    this.#balancer = new LoadBalancer(
      config.workload.loadBalancer,
      config.cluster.mode,
      hosts.servers,
      network,
      scheduler,
      streams.stream('load-balancer'),
    );
    this.who = new WhoProbes(
      config.workload,
      config.durationMs,
      scheduler,
      network,
      history,
      streams.stream('who'),
      this,
    );
  }

  get connected(): readonly SimClient[] {
    return this.#connected;
  }

  /** Clients connected now (the fleet's truth). */
  get truth(): number {
    return this.#truth;
  }

  /** The initial clients, the arrival stream and the WHO probes. */
  start(): void {
    for (let index = 0; index < this.#config.workload.initialClients; index += 1) this.#arrive(0);
    this.#scheduleArrival(0, rateSteps(this.#config.workload));
  }

  /** The clients of a crashed server: their sockets reset; each reconnects if it still wants to. */
  onServerCrash(server: SimServer, clients: readonly SimClient[], nowMs: number): void {
    for (const client of clients) {
      this.#detach(client, nowMs);
      this.#reconnectLater(server, client, nowMs);
    }
  }

  /** Session output is ready: route each reply to the WHO it answers, close when it says so. */
  onOutput = (server: SimServer, session: Session): void => {
    const client = server.sessions.get(session);
    if (client === undefined) return;
    const output = session.takeOutput();
    if (output !== '') {
      for (const line of output.split('\n')) {
        if (line === '' || line.startsWith('BYE')) continue;
        const recordIndex = client.pending.shift();
        if (recordIndex !== undefined) this.who.reply(server, recordIndex, line);
      }
    }
    if (session.shouldClose)
      this.#disconnect(client, session.closeReason ?? 'peer', this.#scheduler.nowMs, true);
    else this.#hosts.pump(server);
  };

  scheduleDeparture(client: SimClient, nowMs: number): void {
    const server = client.server!;
    const sessionDeadlineMs = client.session!.nextDeadlineMs();
    let atMs = client.endAtMs;
    if (sessionDeadlineMs !== undefined)
      atMs = Math.min(atMs, Math.max(nowMs, sessionDeadlineMs - server.offsetMs));
    this.#scheduler.atFor(atMs, this.#onDepartureCheck, client, ++client.token);
  }

  #scheduleArrival(nowMs: number, steps: ReturnType<typeof rateSteps>): void {
    const next = nextArrival(steps, nowMs, this.#rWorkload);
    if (next === undefined) return;
    const stopMs = this.#config.workload.arrivalsStopAtMs;
    if (stopMs >= 0 && next.atMs >= stopMs) return;
    if (next.atMs > this.#config.durationMs) return;
    this.#rateSteps = steps;
    this.#scheduler.atFor(next.atMs, this.#onArrival, next, 0);
  }

  #onArrival = (atMs: number, next: { arrives: boolean }): void => {
    if (next.arrives) this.#arrive(atMs);
    this.#scheduleArrival(atMs, this.#rateSteps);
  };

  #arrive(nowMs: number): void {
    if (this.#connected.length >= this.#config.workload.clientsMax) return;
    const client: SimClient = {
      id: this.#nextClientId++,
      endAtMs: nowMs + sessionLengthMs(this.#config.workload.sessionLength, this.#rSessions),
      server: undefined,
      session: undefined,
      denseIndex: -1,
      pending: [],
      lost: [],
      token: 0,
      stalled: false,
    };
    this.#connect(client, nowMs);
  }

  #connect(client: SimClient, nowMs: number): void {
    const server = this.#balancer.pick();
    if (server === undefined) {
      // Nowhere to go: retry every 100 ms while the client still wants to be connected.
      if (nowMs + 100 < client.endAtMs)
        this.#scheduler.at(nowMs + 100, (atMs) => this.#connect(client, atMs));
      return;
    }
    const admission = server.core!.admit(clientAddresses[client.id & 0xff]!, server.localNowMs(nowMs));
    if (!admission.ok) return;
    client.server = server;
    client.stalled = this.#network.connectionStalls('clients');
    client.session = admission.session;
    server.sessions.set(admission.session, client);
    client.denseIndex = this.#connected.length;
    this.#connected.push(client);
    this.#setTruth(this.#truth + 1, nowMs, server.index, +1);
    this.scheduleDeparture(client, nowMs);
    this.#hosts.pump(server);
  }

  /** A client's departure check is due, unless a later one replaced it (one handler for all). */
  #onDepartureCheck = (nowMs: number, client: SimClient, token: number): void => {
    if (token === client.token) this.#departureDue(client, nowMs);
  };

  #departureDue(client: SimClient, nowMs: number): void {
    const server = client.server;
    const session = client.session;
    if (server === undefined || session === undefined) return;
    if (nowMs >= client.endAtMs) {
      this.#disconnect(client, 'peer', nowMs, false);
      return;
    }
    const localMs = server.localNowMs(nowMs);
    const deadlineMs = session.nextDeadlineMs();
    if (deadlineMs !== undefined && localMs >= deadlineMs) {
      session.onDeadline(localMs);
      this.onOutput(server, session);
      return;
    }
    if (deadlineMs !== undefined) {
      // Not due yet (the client spoke since): check again at the later of the two instants.
      const atMs = Math.min(client.endAtMs, Math.max(nowMs + 0.001, deadlineMs - server.offsetMs));
      this.#scheduler.atFor(atMs, this.#onDepartureCheck, client, ++client.token);
    }
  }

  /** The client leaves (or its connection is cut); it reconnects when the server ended it. */
  #disconnect(client: SimClient, reason: CloseReason, nowMs: number, reconnect: boolean): void {
    const server = client.server!;
    const session = client.session!;
    server.sessions.delete(session);
    if (server.core?.sessions.has(session)) {
      server.core.release(session, reason, server.localNowMs(nowMs));
    }
    this.#detach(client, nowMs);
    if (server.core !== undefined) this.#hosts.pump(server);
    if (reconnect) this.#reconnectLater(server, client, nowMs);
  }

  /**
   * A client whose connection the server ended comes back after its reconnect policy's wait
   * (experiment/reconnect-policy.ts; no draw for `immediate`, so the default changes no stream)
   * plus a client-link delay. The balancer only offers live servers, so the first attempt lands;
   * with none live the client retries every 100 ms (`#connect`).
   */
  #reconnectLater(server: SimServer, client: SimClient, nowMs: number): void {
    if (this.#config.workload.reconnect && nowMs < client.endAtMs) {
      const policy = this.#config.workload.reconnectPolicy;
      const waitMs =
        policy.kind === 'immediate' ? 0 : reconnectDelayMs(policy, 0, this.#rReconnect.float01());
      const delayMs = waitMs + Math.max(0, this.#network.delayMs(server.index, 'clients', 'inbound'));
      this.#scheduler.at(nowMs + delayMs, (atMs) => this.#connect(client, atMs));
    }
  }

  /** Forget the connection on the client's side; WHOs still awaiting an answer are abandoned. */
  #detach(client: SimClient, nowMs: number): void {
    client.token += 1;
    this.who.abandon(client, nowMs);
    const last = this.#connected.pop()!;
    if (last !== client) {
      this.#connected[client.denseIndex] = last;
      last.denseIndex = client.denseIndex;
    }
    const serverIndex = client.server!.index;
    client.denseIndex = -1;
    client.server = undefined;
    client.session = undefined;
    this.#setTruth(this.#truth - 1, nowMs, serverIndex, -1);
  }

  #setTruth(count: number, nowMs: number, serverIndex: number, delta: number): void {
    this.#truth = count;
    recordTruth(this.#history, nowMs, count);
    const serverCount = this.#serverTruth[serverIndex]! + delta;
    this.#serverTruth[serverIndex] = serverCount;
    recordServerTruth(this.#history, serverIndex, nowMs, serverCount);
  }
}
