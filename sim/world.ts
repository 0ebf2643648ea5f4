/**
 * The simulated world: N servers (real `ServerCore` + real backend), a simulated Redis,
 * simulated discovery instances (real `DiscoveryCore`), clients behind a load balancer, the
 * network between them and the nemesis, all on one `Scheduler`. It records a `History`; it
 * judges nothing (experiment/checker.ts does).
 *
 * Scale: a client costs one Session (made by `ServerCore.admit`) and at most one scheduled
 * departure check; WHO probes go through the client's real Session as `WHO\n` bytes.
 */
import type { CountingBackend, Effect } from '../impl/core/counting-backend.ts';
import { serverLimitsDefault, type ServerLimits } from '../impl/core/limits.ts';
import type { KvTotal, ModeAEffect, ModeAResult } from '../impl/core/mode-a/effects.ts';
import { DiscoveryCore } from '../impl/core/mode-c/discovery-core.ts';
import type {
  CountResult,
  MemberCountEffect,
  MemberCountResult,
  ServerEffect,
  ServerEffectResult,
} from '../impl/core/mode-c/effects.ts';
import { ServerCore } from '../impl/core/server-core.ts';
import type { CloseReason, Session } from '../impl/core/session.ts';
import { countUrl, createBackend, serverIndexOfCountUrl } from './backends.ts';
import type { FaultEvent, SimConfig } from '../experiment/config.ts';
import {
  emptyHistory,
  type History,
  recordServerTruth,
  recordTruth,
  seriesResolutionMsFor,
  type WhoRecord,
} from '../experiment/history.ts';
import { faultTimeline, healAtMsOf } from '../experiment/nemesis.ts';
import { SimNetwork } from './network.ts';
import { RandomStreams, type SimRandom } from '../experiment/rng.ts';
import { Scheduler } from './scheduler.ts';
import { type SimClient, SimServer } from './server-node.ts';
import { SimRedis } from './sim-redis.ts';
import { nextArrival, rateSteps, sessionLengthMs } from '../experiment/workload.ts';

const whoBytes = Buffer.from('WHO\n');
/** Clients come from 256 addresses (no per-address limit is simulated by default). */
const clientAddresses = Array.from({ length: 256 }, (_, index) => `10.0.0.${index}`);

/** A Redis command in flight: what its arrival and its reply events need. */
interface KvCall {
  server: SimServer;
  epoch: number;
  effect: ModeAEffect;
  timeoutAtMs: number;
  value: KvTotal | undefined;
}

interface DiscoveryNode {
  index: number;
  core: DiscoveryCore | undefined;
  epoch: number;
  armedAtMs: number | undefined;
  deadlineToken: number;
  broadcastsBefore: number;
}

export class World {
  readonly config: SimConfig;
  readonly scheduler: Scheduler;
  readonly history: History;
  readonly servers: SimServer[] = [];
  readonly redis = new SimRedis();
  readonly discovery: DiscoveryNode[] = [];
  readonly network: SimNetwork;
  #streams: RandomStreams;
  #limits: ServerLimits;
  #connected: SimClient[] = [];
  #truth = 0;
  /** Clients connected to each server (the per-server truth the mode C checker judges by). */
  #serverTruth: number[] = [];
  #nextClientId = 0;
  #roundRobin = 0;
  #rWorkload: SimRandom;
  #rSessions: SimRandom;
  #rLb: SimRandom;
  #rWho: SimRandom;
  #rIds: SimRandom;
  /** The arrival rate steps (experiment/workload.ts), set when arrivals are first scheduled. */
  #rateSteps: ReturnType<typeof rateSteps> = [];

  constructor(config: SimConfig) {
    this.config = config;
    this.scheduler = new Scheduler(config.stepsMax);
    this.history = emptyHistory(config.durationMs);
    this.#streams = new RandomStreams(config.seed);
    this.network = new SimNetwork(config.network, this.#streams.stream('network'));
    this.#rWorkload = this.#streams.stream('arrivals');
    this.#rSessions = this.#streams.stream('sessions');
    this.#rLb = this.#streams.stream('load-balancer');
    this.#rWho = this.#streams.stream('who');
    this.#rIds = this.#streams.stream('ids');
    const { cluster } = config;
    this.#limits = Object.freeze({
      ...serverLimitsDefault,
      connectionsMax: cluster.connectionsMax,
      idleTimeoutMs: cluster.idleTimeoutMs,
      connectionAgeMsMax: cluster.connectionAgeMsMax,
    });
    const clocks = this.#streams.stream('clocks');
    for (let index = 0; index < cluster.servers; index += 1) {
      const offsetMs = Math.round((clocks.float01() * 2 - 1) * cluster.clockOffsetMsMax);
      this.servers.push(new SimServer(index, offsetMs));
      this.#serverTruth.push(0);
      recordServerTruth(this.history, index, 0, 0);
    }
    if (cluster.mode === 'c') {
      for (let index = 0; index < cluster.discoveryInstances; index += 1) {
        const node: DiscoveryNode = {
          index,
          core: undefined,
          epoch: 0,
          armedAtMs: undefined,
          deadlineToken: 0,
          broadcastsBefore: 0,
        };
        this.#bootDiscovery(node, 0);
        this.discovery.push(node);
      }
    }
  }

  run(): History {
    const { config } = this;
    for (const server of this.servers) this.#boot(server, 0);
    for (let index = 0; index < config.workload.initialClients; index += 1) this.#arrive(0);
    this.#scheduleArrival(0, rateSteps(config.workload));
    this.#scheduleWho(0);
    for (const fault of faultTimeline(config, this.#streams.stream('nemesis'))) {
      this.scheduler.at(fault.atMs, (nowMs) => this.#apply(fault, nowMs));
    }
    this.#scheduleSamples();
    this.scheduler.run(config.durationMs);
    this.#finish();
    return this.history;
  }

  // ---- servers ---------------------------------------------------------------------------

  #boot(server: SimServer, nowMs: number): void {
    server.epoch += 1;
    server.stopping = false;
    server.id = server.newId(this.config.cluster.idStrategy, this.#rIds, nowMs);
    const backend = createBackend(this.config.cluster, server.id);
    const core = new ServerCore({ serverId: server.id, version: 'sim', limits: this.#limits, backend });
    server.core = core;
    server.armedAtMs = undefined;
    core.onSessionOutput = (session) => this.#onOutput(server, session);
    const localMs = server.localNowMs(nowMs);
    core.start(localMs);
    (backend as { setCountUrl?(url: string, nowMs: number): void }).setCountUrl?.(
      countUrl(server.index),
      localMs,
    );
    this.history.boots.push({ serverIndex: server.index, id: server.id, atMs: nowMs });
    this.#pump(server);
  }

  #pump(server: SimServer): void {
    const core = server.core;
    if (core === undefined) return;
    const effects = core.backend.takeEffects();
    for (const effect of effects) this.#execute(server, effect);
    this.#arm(server, core.backend);
  }

  #arm(server: SimServer, backend: CountingBackend): void {
    const deadlineMs = backend.nextDeadlineMs();
    if (deadlineMs === undefined) {
      server.armedAtMs = undefined;
      return;
    }
    const atMs = deadlineMs - server.offsetMs;
    if (atMs === server.armedAtMs) return;
    server.armedAtMs = atMs;
    server.armedEpoch = server.epoch;
    server.armedDeadlineMs = deadlineMs;
    this.scheduler.atFor(atMs, this.#onServerDeadline, server, ++server.deadlineToken);
  }

  /** A server's armed deadline is due (one handler for all: scheduling it allocates nothing). */
  #onServerDeadline = (nowMs: number, server: SimServer, token: number): void => {
    if (token !== server.deadlineToken || server.armedEpoch !== server.epoch || server.core === undefined)
      return;
    server.armedAtMs = undefined;
    // (deadlineMs - offsetMs) + offsetMs can round one ulp below deadlineMs: the backend would
    // see itself not yet due, re-arm at the same instant and loop until stepsMax.
    server.core.backend.onDeadline(Math.max(server.localNowMs(nowMs), server.armedDeadlineMs));
    this.#pump(server);
  };

  #deliver(server: SimServer, epoch: number, opId: number, result: unknown): void {
    if (server.epoch !== epoch || server.core === undefined) return;
    server.core.backend.onResult(opId, result, server.localNowMs(this.scheduler.nowMs));
    this.#pump(server);
  }

  #execute(server: SimServer, effect: Effect): void {
    if (this.config.cluster.mode === 'a') this.#executeKv(server, effect as ModeAEffect);
    else if (this.config.cluster.mode === 'c') this.#executeDiscoveryCall(server, effect as ServerEffect);
  }

  /** Mode A: the effect crosses the link, runs on Redis by Redis's clock, the reply crosses back. */
  #executeKv(server: SimServer, effect: ModeAEffect): void {
    const scheduler = this.scheduler;
    const call: KvCall = {
      server,
      epoch: server.epoch,
      effect,
      timeoutAtMs: scheduler.nowMs + effect.timeoutMs,
      value: undefined,
    };
    const outMs = this.network.delayMs(server.index, 'redis', 'outbound');
    if (outMs < 0) {
      this.#kvTimeoutAt(server, call.epoch, effect, call.timeoutAtMs);
      return;
    }
    scheduler.atFor(scheduler.nowMs + outMs, this.#onKvArrived, call, 0);
  }

  /** The command reaches Redis (one handler for all calls: scheduling allocates no closure). */
  #onKvArrived = (arrivedAtMs: number, call: KvCall): void => {
    const { server, epoch, effect, timeoutAtMs } = call;
    if (!this.redis.up) {
      this.#kvTimeoutAt(server, epoch, effect, timeoutAtMs);
      return;
    }
    call.value = this.redis.execute(effect, arrivedAtMs);
    const backMs = this.network.delayMs(server.index, 'redis', 'inbound');
    const replyAtMs = arrivedAtMs + this.network.redisOpMs + backMs;
    if (backMs < 0 || replyAtMs > timeoutAtMs) this.#kvTimeoutAt(server, epoch, effect, timeoutAtMs);
    else this.scheduler.atFor(replyAtMs, this.#onKvReplied, call, 0);
  };

  #onKvReplied = (_nowMs: number, call: KvCall): void => {
    this.#deliver(call.server, call.epoch, call.effect.opId, { ok: true, value: call.value });
  };

  /** Hot path: no named closure here (tsx's keepNames wraps each one in a costly `__name`). */
  #kvTimeoutAt(server: SimServer, epoch: number, effect: ModeAEffect, timeoutAtMs: number): void {
    const timeout: ModeAResult = {
      ok: false,
      error: { code: 'HC_KV_TIMEOUT', definite: false, timeoutMs: effect.timeoutMs },
    };
    this.scheduler.at(timeoutAtMs, () => this.#deliver(server, epoch, effect.opId, timeout));
  }

  // ---- mode C: discovery -------------------------------------------------------------------

  /**
   * A discovery instance starts empty and refuses counts for one lease (warm-up). The instances
   * of t = 0 count as started one lease earlier: a run begins with the fleet in steady state
   * (as its initial clients are), not with a cold start of the control plane; a restart during
   * the run (`discovery-crash`) warms up for real.
   */
  #bootDiscovery(node: DiscoveryNode, nowMs: number): void {
    node.epoch += 1;
    const { leaseMs, fanoutTimeoutMs } = this.config.cluster;
    node.core = new DiscoveryCore({
      leaseMs,
      fanoutTimeoutMs,
      startedAtMs: node.epoch === 1 ? nowMs - leaseMs : nowMs,
    });
    node.armedAtMs = undefined;
  }

  #pumpDiscovery(node: DiscoveryNode): void {
    const core = node.core;
    if (core === undefined) return;
    for (const effect of core.takeEffects()) this.#askMember(node, effect);
    const deadlineMs = core.nextDeadlineMs();
    if (deadlineMs === undefined || deadlineMs === node.armedAtMs) return;
    node.armedAtMs = deadlineMs;
    const token = ++node.deadlineToken;
    const epoch = node.epoch;
    this.scheduler.at(deadlineMs, (nowMs) => {
      if (token !== node.deadlineToken || epoch !== node.epoch || node.core === undefined) return;
      node.armedAtMs = undefined;
      node.core.onDeadline(nowMs);
      this.#pumpDiscovery(node);
    });
  }

  /** A server's call to a discovery instance; a lost message gets no reply (the core's deadline decides). */
  #executeDiscoveryCall(server: SimServer, effect: ServerEffect): void {
    const scheduler = this.scheduler;
    const epoch = server.epoch;
    const node = this.discovery[effect.instanceIndex]!;
    const outMs = this.network.delayMs(server.index, 'discovery', 'outbound');
    if (outMs < 0) return;
    // Not a named closure: tsx's keepNames would wrap each one in a costly `__name`.
    const reply = this.#discoveryReply.bind(this, server, epoch, effect.opId);
    scheduler.after(outMs, (nowMs) => {
      const core = node.core;
      if (core === undefined) {
        reply({
          ok: false,
          error: {
            code: 'HC_DISCOVERY_UNREACHABLE',
            definite: true,
            instanceIndex: node.index,
            message: 'down',
          },
        });
        return;
      }
      if (effect.kind === 'discovery.register') {
        const outcome = core.register(effect.serverId, effect.countUrl, nowMs);
        reply(
          outcome.ok
            ? { ok: true, value: { leaseMs: outcome.leaseMs } }
            : {
                ok: false,
                error: {
                  code: 'HC_DISCOVERY_BAD_RESPONSE',
                  definite: false,
                  instanceIndex: node.index,
                  message: outcome.error.code,
                },
              },
        );
      } else if (effect.kind === 'discovery.deregister') {
        core.deregister(effect.serverId, nowMs);
        reply({ ok: true, value: null });
      } else {
        const nodeEpoch = node.epoch;
        core.requestCount(nowMs, (outcome) => {
          if (node.epoch !== nodeEpoch) return;
          reply(toCountResult(outcome, node.index));
        });
      }
      this.#pumpDiscovery(node);
    });
  }

  #discoveryReply(server: SimServer, epoch: number, opId: number, result: ServerEffectResult): void {
    const backMs = this.network.delayMs(server.index, 'discovery', 'inbound');
    if (backMs >= 0) this.scheduler.after(backMs, () => this.#deliver(server, epoch, opId, result));
  }

  /** A discovery instance asks a member for its count over the member's admin endpoint. */
  #askMember(node: DiscoveryNode, effect: MemberCountEffect): void {
    const server = this.servers[serverIndexOfCountUrl(effect.countUrl)]!;
    const epoch = node.epoch;
    const inMs = this.network.delayMs(server.index, 'discovery', 'inbound');
    if (inMs < 0) return;
    this.scheduler.after(inMs, () => {
      let result: MemberCountResult;
      const core = server.core;
      if (core === undefined) {
        result = {
          ok: false,
          error: {
            code: 'HC_MEMBER_UNREACHABLE',
            definite: true,
            serverId: effect.serverId,
            message: 'refused',
          },
        };
      } else if (core.serverId !== effect.serverId) {
        result = {
          ok: false,
          error: {
            code: 'HC_MEMBER_WRONG_ID',
            definite: true,
            serverId: effect.serverId,
            answeredId: core.serverId,
          },
        };
      } else result = { ok: true, value: { serverId: core.serverId, count: core.tracker.count } };
      const backMs = this.network.delayMs(server.index, 'discovery', 'outbound');
      if (backMs < 0) return;
      this.scheduler.after(backMs, (nowMs) => {
        if (node.epoch !== epoch || node.core === undefined) return;
        node.core.onResult(effect.opId, result, nowMs);
        this.#pumpDiscovery(node);
      });
    });
  }

  // ---- clients -------------------------------------------------------------------------------

  #scheduleArrival(nowMs: number, steps: ReturnType<typeof rateSteps>): void {
    const next = nextArrival(steps, nowMs, this.#rWorkload);
    if (next === undefined) return;
    const stopMs = this.config.workload.arrivalsStopAtMs;
    if (stopMs >= 0 && next.atMs >= stopMs) return;
    if (next.atMs > this.config.durationMs) return;
    this.#rateSteps = steps;
    this.scheduler.atFor(next.atMs, this.#onArrival, next, 0);
  }

  #onArrival = (atMs: number, next: { arrives: boolean }): void => {
    if (next.arrives) this.#arrive(atMs);
    this.#scheduleArrival(atMs, this.#rateSteps);
  };

  #arrive(nowMs: number): void {
    if (this.#connected.length >= this.config.workload.clientsMax) return;
    const client: SimClient = {
      id: this.#nextClientId++,
      endAtMs: nowMs + sessionLengthMs(this.config.workload.sessionLength, this.#rSessions),
      server: undefined,
      session: undefined,
      denseIndex: -1,
      pending: [],
      token: 0,
    };
    this.#connect(client, nowMs);
  }

  /** The load balancer's health check: up, not draining, reachable, and ready (/readyz). */
  #routable(server: SimServer): boolean {
    if (!server.routable || !this.network.reachableByClients(server.index)) return false;
    if (this.config.cluster.mode !== 'c') return true; // modes local and A are always ready
    return server.core!.backend.readiness(server.localNowMs(this.scheduler.nowMs)).ready;
  }

  #pickServer(): SimServer | undefined {
    const servers = this.servers;
    switch (this.config.workload.loadBalancer) {
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
          : candidates[this.#rLb.intInclusive(candidates.length - 1)];
      }
    }
  }

  #connect(client: SimClient, nowMs: number): void {
    const server = this.#pickServer();
    if (server === undefined) {
      // Nowhere to go: retry every 100 ms while the client still wants to be connected.
      if (nowMs + 100 < client.endAtMs) this.scheduler.at(nowMs + 100, (atMs) => this.#connect(client, atMs));
      return;
    }
    const admission = server.core!.admit(clientAddresses[client.id & 0xff]!, server.localNowMs(nowMs));
    if (!admission.ok) return;
    client.server = server;
    client.session = admission.session;
    server.sessions.set(admission.session, client);
    client.denseIndex = this.#connected.length;
    this.#connected.push(client);
    this.#setTruth(this.#truth + 1, nowMs, server.index, +1);
    this.#scheduleDeparture(client, nowMs);
    this.#pump(server);
  }

  #scheduleDeparture(client: SimClient, nowMs: number): void {
    const server = client.server!;
    const sessionDeadlineMs = client.session!.nextDeadlineMs();
    let atMs = client.endAtMs;
    if (sessionDeadlineMs !== undefined)
      atMs = Math.min(atMs, Math.max(nowMs, sessionDeadlineMs - server.offsetMs));
    this.scheduler.atFor(atMs, this.#onDepartureCheck, client, ++client.token);
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
      this.#onOutput(server, session);
      return;
    }
    if (deadlineMs !== undefined) {
      // Not due yet (the client spoke since): check again at the later of the two instants.
      const atMs = Math.min(client.endAtMs, Math.max(nowMs + 0.001, deadlineMs - server.offsetMs));
      this.scheduler.atFor(atMs, this.#onDepartureCheck, client, ++client.token);
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
    if (server.core !== undefined) this.#pump(server);
    if (reconnect && this.config.workload.reconnect && nowMs < client.endAtMs) {
      const delayMs = Math.max(0, this.network.delayMs(server.index, 'clients', 'inbound'));
      this.scheduler.at(nowMs + delayMs, (atMs) => this.#connect(client, atMs));
    }
  }

  /** Forget the connection on the client's side; WHOs still awaiting an answer are abandoned. */
  #detach(client: SimClient, nowMs: number): void {
    client.token += 1;
    for (const recordIndex of client.pending) {
      const record = this.history.who[recordIndex]!;
      if (record.outcome === 'timeout' && record.answeredAtMs > nowMs) record.outcome = 'abandoned';
    }
    client.pending = [];
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
    recordTruth(this.history, nowMs, count);
    const serverCount = this.#serverTruth[serverIndex]! + delta;
    this.#serverTruth[serverIndex] = serverCount;
    recordServerTruth(this.history, serverIndex, nowMs, serverCount);
  }

  // ---- WHO probes ------------------------------------------------------------------------------

  #scheduleWho(nowMs: number): void {
    const ratePerSec = this.config.workload.whoRatePerSec;
    if (ratePerSec <= 0) return;
    const atMs = nowMs + this.#rWho.exponential(1000 / ratePerSec);
    if (atMs > this.config.durationMs) return;
    this.scheduler.at(atMs, (askedAtMs) => {
      this.#probe(askedAtMs);
      this.#scheduleWho(askedAtMs);
    });
  }

  #probe(askedAtMs: number): void {
    const connected = this.#connected;
    if (connected.length === 0) return;
    const client = connected[this.#rWho.intInclusive(connected.length - 1)]!;
    const server = client.server!;
    const session = client.session!;
    const record: WhoRecord = {
      askedAtMs,
      answeredAtMs: askedAtMs + this.config.workload.whoTimeoutMs,
      outcome: 'timeout',
      value: -1,
      serverIndex: server.index,
    };
    const outMs = this.network.delayMs(server.index, 'clients', 'inbound');
    this.history.who.push(record);
    // A request lost on the way never gets a reply: it must not take the next reply's place in
    // the client's FIFO of awaited answers (that made later answered WHOs look like timeouts).
    if (outMs < 0) return;
    client.pending.push(this.history.who.length - 1);
    const epoch = server.epoch;
    this.scheduler.after(outMs, (nowMs) => {
      if (server.epoch !== epoch || client.session !== session || session.state !== 'open') return;
      session.receive(whoBytes, server.localNowMs(nowMs));
      this.#onOutput(server, session);
      this.#scheduleDeparture(client, nowMs); // the idle deadline moved
    });
  }

  /** Session output is ready: route each reply to the WHO it answers, close when it says so. */
  #onOutput(server: SimServer, session: Session): void {
    const client = server.sessions.get(session);
    if (client === undefined) return;
    const output = session.takeOutput();
    if (output !== '') {
      for (const line of output.split('\n')) {
        if (line === '' || line.startsWith('BYE')) continue;
        const recordIndex = client.pending.shift();
        if (recordIndex !== undefined) this.#reply(server, recordIndex, line);
      }
    }
    if (session.shouldClose)
      this.#disconnect(client, session.closeReason ?? 'peer', this.scheduler.nowMs, true);
    else this.#pump(server);
  }

  #reply(server: SimServer, recordIndex: number, line: string): void {
    const backMs = this.network.delayMs(server.index, 'clients', 'outbound');
    if (backMs < 0) return;
    this.scheduler.after(backMs, (nowMs) => {
      const record = this.history.who[recordIndex]!;
      if (record.outcome !== 'timeout' || nowMs > record.answeredAtMs) return; // gone, or gave up
      record.answeredAtMs = nowMs;
      if (/^\d+$/.test(line)) {
        record.outcome = 'count';
        record.value = Number(line);
      } else record.outcome = 'unavailable';
    });
  }

  // ---- faults ----------------------------------------------------------------------------------

  #event(atMs: number, kind: string, target: string, detail?: string): void {
    this.history.events.push(detail === undefined ? { atMs, kind, target } : { atMs, kind, target, detail });
  }

  #heal(fault: FaultEvent, afterMs: number | undefined, healing: (nowMs: number) => void): void {
    if (afterMs === undefined) return;
    this.scheduler.at(fault.atMs + afterMs, (nowMs) => {
      healing(nowMs);
      this.#event(nowMs, 'heal', fault.target, fault.kind);
    });
  }

  #apply(fault: FaultEvent, nowMs: number): void {
    const detail = describe(fault);
    this.#event(nowMs, fault.kind, fault.target, detail === '' ? undefined : detail);
    const server = fault.target.startsWith('server-')
      ? this.servers[Number(fault.target.slice(7))]
      : undefined;
    switch (fault.kind) {
      case 'crash':
        if (server?.core === undefined) return;
        this.#crash(server, nowMs);
        this.#heal(fault, fault.durationMs, (atMs) => this.#boot(server, atMs));
        return;
      case 'stop':
      case 'restart': {
        if (server?.core === undefined) return;
        this.#stop(server, nowMs);
        const downMs = fault.kind === 'restart' ? (fault.durationMs ?? 1_000) : fault.durationMs;
        this.#heal(fault, downMs, (atMs) => {
          if (server.core !== undefined) this.#crash(server, atMs);
          this.#boot(server, atMs);
        });
        return;
      }
      case 'partition': {
        if (server === undefined) return;
        const peer = fault.peer ?? 'redis';
        const direction = fault.direction ?? 'both';
        this.network.partition(server.index, peer, direction, true);
        this.#heal(fault, fault.durationMs, () =>
          this.network.partition(server.index, peer, direction, false),
        );
        return;
      }
      case 'redis-outage':
        this.redis.up = false;
        this.#heal(fault, fault.durationMs ?? 0, () => {
          this.redis.up = true;
        });
        return;
      case 'redis-restart':
        this.redis.flush();
        this.redis.up = false;
        this.#heal(fault, fault.durationMs ?? 0, () => {
          this.redis.up = true;
        });
        return;
      case 'discovery-crash': {
        const node = this.discovery[Number(fault.target.slice('discovery-'.length))];
        if (node?.core === undefined) return;
        node.broadcastsBefore += node.core.broadcastCount;
        node.core = undefined;
        node.epoch += 1;
        this.#heal(fault, fault.durationMs ?? 0, (atMs) => {
          this.#bootDiscovery(node, atMs);
          this.#pumpDiscovery(node);
        });
        return;
      }
      case 'latency-spike':
        this.network.addLatency(fault.peer, fault.extraMs ?? 100);
        this.#heal(fault, fault.durationMs ?? 1_000, () =>
          this.network.addLatency(fault.peer, -(fault.extraMs ?? 100)),
        );
        return;
      case 'clock-jump':
        if (server === undefined) return;
        server.offsetMs += fault.deltaMs ?? 0;
        server.armedAtMs = undefined;
        server.deadlineToken += 1;
        if (server.core !== undefined) this.#arm(server, server.core.backend);
        this.#heal(fault, Math.abs(fault.deltaMs ?? 0), () => {});
        return;
    }
  }

  /** The process dies: sockets reset, no deregistration, every in-flight result is lost. */
  #crash(server: SimServer, nowMs: number): void {
    const clients = [...server.sessions.values()];
    server.core = undefined;
    server.epoch += 1;
    server.sessions.clear();
    server.stopping = false;
    for (const client of clients) {
      this.#detach(client, nowMs);
      if (this.config.workload.reconnect && nowMs < client.endAtMs) {
        const delayMs = Math.max(0, this.network.delayMs(server.index, 'clients', 'inbound'));
        this.scheduler.at(nowMs + delayMs, (atMs) => this.#connect(client, atMs));
      }
    }
  }

  /** Graceful: drain (every client gets BYE and reconnects elsewhere), the backend deregisters. */
  #stop(server: SimServer, nowMs: number): void {
    const core = server.core!;
    server.stopping = true;
    core.drain(server.localNowMs(nowMs));
    for (const session of [...server.sessions.keys()]) this.#onOutput(server, session);
    this.#pump(server);
  }

  // ---- samples and the end -----------------------------------------------------------------

  #scheduleSamples(): void {
    const { durationMs, check } = this.config;
    const resolutionMs = seriesResolutionMsFor(durationMs, check.seriesResolutionMs);
    const buckets = Math.max(1, Math.ceil(durationMs / resolutionMs));
    const sample = (bucket: number) => {
      const atMs = Math.min(durationMs, (bucket + 1) * resolutionMs);
      this.scheduler.at(atMs, (nowMs) => {
        this.history.sampleTMs.push(nowMs);
        this.history.samplePerServer.push(
          this.servers.map((server) => (server.core === undefined ? -1 : server.sessions.size)),
        );
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
    history.redisOps = this.redis.ops;
    history.redisWrites = this.redis.writes;
    history.broadcasts = this.discovery.reduce(
      (sum, node) => sum + node.broadcastsBefore + (node.core?.broadcastCount ?? 0),
      0,
    );
    history.checks.push({
      name: 'steps-within-bound',
      ok: !scheduler.stepsExhausted,
      detail: `${scheduler.steps} events; stepsMax ${scheduler.stepsMax}`,
    });
    history.checks.push(this.#conservation(endMs));
  }

  /** With every client gone and every fault healed long enough ago, every count is 0. */
  #conservation(endMs: number): { name: string; ok: boolean; detail: string } {
    const name = 'counts-return-to-zero';
    const { cluster } = this.config;
    const lastChangeMs = this.history.truthTMs[this.history.truthTMs.length - 1]!;
    const settleMs =
      cluster.mode === 'a'
        ? cluster.ttlMs + cluster.heartbeatMs + cluster.effectTimeoutMs
        : cluster.mode === 'c'
          ? cluster.leaseMs + cluster.fanoutTimeoutMs + cluster.effectTimeoutMs
          : 0;
    const quietSinceMs = Math.max(lastChangeMs, healAtMsOf(this.config));
    if (this.#truth !== 0 || endMs - quietSinceMs < settleMs) {
      return {
        name,
        ok: true,
        detail: `not applicable: ${this.#truth} clients left, quiet since ${Math.round(quietSinceMs)} ms`,
      };
    }
    const local = this.servers.reduce((sum, server) => sum + (server.core?.tracker.count ?? 0), 0);
    if (local !== 0) return { name, ok: false, detail: `local counts sum to ${local}` };
    if (cluster.mode === 'a') {
      const { total, servers } = this.redis.total(endMs);
      if (total !== 0) return { name, ok: false, detail: `redis live entries (${servers}) sum to ${total}` };
    }
    if (cluster.mode === 'c') {
      for (const node of this.discovery) {
        for (const member of node.core?.liveMembers(endMs) ?? []) {
          const server = this.servers[serverIndexOfCountUrl(member.countUrl)];
          const count = server?.core?.serverId === member.serverId ? server.core.tracker.count : 0;
          if (count !== 0)
            return { name, ok: false, detail: `discovery-${node.index} sees ${member.serverId} at ${count}` };
        }
      }
    }
    return { name, ok: true, detail: 'every local, registry and discovery count is 0' };
  }
}

function describe(fault: FaultEvent): string {
  const parts: string[] = [];
  if (fault.peer !== undefined) parts.push(`peer=${fault.peer}`);
  if (fault.direction !== undefined) parts.push(`direction=${fault.direction}`);
  if (fault.durationMs !== undefined) parts.push(`durationMs=${fault.durationMs}`);
  if (fault.extraMs !== undefined) parts.push(`extraMs=${fault.extraMs}`);
  if (fault.deltaMs !== undefined) parts.push(`deltaMs=${fault.deltaMs}`);
  return parts.join(' ');
}

function toCountResult(
  outcome: Parameters<Parameters<DiscoveryCore['requestCount']>[1]>[0],
  instanceIndex: number,
): CountResult {
  if (outcome.ok) return { ok: true, value: outcome.value };
  if (outcome.error.code === 'HC_FANOUT_WARMING_UP') {
    return {
      ok: false,
      error: {
        code: 'HC_DISCOVERY_WARMING_UP',
        definite: true,
        instanceIndex,
        warmInMs: outcome.error.warmInMs,
      },
    };
  }
  if (outcome.error.code === 'HC_FANOUT_INCOMPLETE') {
    return {
      ok: false,
      error: {
        code: 'HC_DISCOVERY_INCOMPLETE',
        definite: true,
        instanceIndex,
        missing: outcome.error.missing,
      },
    };
  }
  return {
    ok: false,
    error: { code: 'HC_DISCOVERY_BAD_RESPONSE', definite: false, instanceIndex, message: outcome.error.code },
  };
}
