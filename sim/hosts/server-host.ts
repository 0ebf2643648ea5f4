/**
 * The simulated servers as a host (impl/adapters/server's counterpart): each runs the real
 * `ServerCore` with its mode's real backend on its own clock offset. The host boots, stops and
 * crashes them, arms their backends' deadlines and hands their effects to Redis or discovery.
 * What a server's sessions say goes to `sessionOutput` (the clients, sim/clients/).
 *
 * Timer phase: a server's periodic timer (mode C's lease renewal, mode A's heartbeat) runs from
 * when its process came up. The lab starts its servers one after another before t = 0 and each
 * timer slips by its event loop's delay at every firing, so the real renewals of a fleet fall
 * anywhere in the period; booted at one instant, simulated ones would renew in lockstep, and a
 * fault at a round instant would land on every server's renewal at once. So each server draws a
 * phase, uniform in one period, from its own `timer-phases` stream (no other stream's draws
 * move), and its first boot restarts the timer that long after t = 0 (`phaseTimer`).
 */
import type { CountingBackend, Effect } from '../../impl/core/counting-backend.ts';
import { serverLimitsDefault, type ServerLimits } from '../../impl/core/limits.ts';
import type { ModeAEffect } from '../../impl/core/mode-a/effects.ts';
import type { ServerEffect } from '../../impl/core/mode-c/effects.ts';
import { ServerCore } from '../../impl/core/server-core.ts';
import type { Session } from '../../impl/core/session.ts';
import type { ClusterConfig } from '../../experiment/config.ts';
import { type History, recordServerTruth } from '../../experiment/history.ts';
import type { RandomStreams, SimRandom } from '../../experiment/rng.ts';
import { countUrl, createBackend, restartTimer, timerPeriodMs } from '../backends.ts';
import type { Scheduler } from '../scheduler.ts';
import { type SimClient, SimServer } from '../server-node.ts';
import type { DiscoveryHost } from './discovery-host.ts';
import type { RedisHost } from './redis-host.ts';

export type SessionOutput = (server: SimServer, session: Session) => void;

export class ServerHost {
  readonly servers: SimServer[] = [];
  /** Where session output goes; set by the world once the clients exist. */
  sessionOutput: SessionOutput = () => {};
  #cluster: ClusterConfig;
  #scheduler: Scheduler;
  #history: History;
  #limits: ServerLimits;
  #rIds: SimRandom;
  #redis: RedisHost | undefined;
  #discovery: DiscoveryHost | undefined;

  constructor(cluster: ClusterConfig, scheduler: Scheduler, history: History, streams: RandomStreams) {
    this.#cluster = cluster;
    this.#scheduler = scheduler;
    this.#history = history;
    this.#rIds = streams.stream('ids');
    this.#limits = Object.freeze({
      ...serverLimitsDefault,
      connectionsMax: cluster.connectionsMax,
      idleTimeoutMs: cluster.idleTimeoutMs,
      connectionAgeMsMax: cluster.connectionAgeMsMax,
    });
    const clocks = streams.stream('clocks');
    const phases = streams.stream('timer-phases');
    const periodMs = timerPeriodMs(cluster);
    for (let index = 0; index < cluster.servers; index += 1) {
      const offsetMs = Math.round((clocks.float01() * 2 - 1) * cluster.clockOffsetMsMax);
      this.servers.push(new SimServer(index, offsetMs, phases.float01() * periodMs));
      recordServerTruth(history, index, 0, 0);
    }
  }

  /** Told of every boot: the server's Redis and discovery connections are new (sim/network.ts). */
  connectionsOpened: (serverIndex: number) => void = () => {};

  /** The hosts a server's effects go to (mode A: Redis, mode C: discovery). */
  connect(redis: RedisHost, discovery: DiscoveryHost): void {
    this.#redis = redis;
    this.#discovery = discovery;
  }

  /** A result for `server`, dropped when it is addressed to an earlier boot. */
  deliver = (server: SimServer, epoch: number, opId: number, result: unknown): void => {
    if (server.epoch !== epoch || server.core === undefined) return;
    server.core.backend.onResult(opId, result, server.localNowMs(this.#scheduler.nowMs));
    this.pump(server);
  };

  boot(server: SimServer, nowMs: number): void {
    server.epoch += 1;
    server.stopping = false;
    this.connectionsOpened(server.index);
    server.id = server.newId(this.#cluster.idStrategy, this.#rIds, nowMs);
    const backend = createBackend(this.#cluster, server.id);
    const core = new ServerCore({ serverId: server.id, version: 'sim', limits: this.#limits, backend });
    server.core = core;
    server.armedAtMs = undefined;
    core.onSessionOutput = (session) => this.sessionOutput(server, session);
    const localMs = server.localNowMs(nowMs);
    core.start(localMs);
    (backend as { setCountUrl?(url: string, nowMs: number): void }).setCountUrl?.(
      countUrl(server.index),
      localMs,
    );
    this.#history.boots.push({ serverIndex: server.index, id: server.id, atMs: nowMs });
    this.pump(server);
  }

  /**
   * Restarts the periodic timer of the boot that runs now `server.timerPhaseMs` later (see the
   * top of the file); called for the boots of t = 0 only: a later boot is at its own instant.
   */
  phaseTimer(server: SimServer, nowMs: number): void {
    const epoch = server.epoch;
    this.#scheduler.at(nowMs + server.timerPhaseMs, (atMs) => {
      const core = server.core;
      if (server.epoch !== epoch || core === undefined || server.stopping) return;
      restartTimer(this.#cluster, core.backend, server.index, core.tracker.count, server.localNowMs(atMs));
      this.pump(server);
    });
  }

  /** Carries out the backend's pending effects and re-arms its deadline. */
  pump(server: SimServer): void {
    const core = server.core;
    if (core === undefined) return;
    const effects = core.backend.takeEffects();
    for (const effect of effects) this.#execute(server, effect);
    this.arm(server, core.backend);
  }

  arm(server: SimServer, backend: CountingBackend): void {
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
    this.#scheduler.atFor(atMs, this.#onServerDeadline, server, ++server.deadlineToken);
  }

  /** The process dies: no deregistration, every in-flight result is lost. Returns its clients. */
  crash(server: SimServer): SimClient[] {
    const clients = [...server.sessions.values()];
    server.core = undefined;
    server.epoch += 1;
    server.sessions.clear();
    server.stopping = false;
    return clients;
  }

  /** Graceful: drain (every client gets BYE and reconnects elsewhere), the backend deregisters. */
  stop(server: SimServer, nowMs: number): void {
    const core = server.core!;
    server.stopping = true;
    core.drain(server.localNowMs(nowMs));
    for (const session of [...server.sessions.keys()]) this.sessionOutput(server, session);
    this.pump(server);
  }

  /** The server's clock jumps; its armed deadline is re-armed on the new clock. */
  jumpClock(server: SimServer, deltaMs: number): void {
    server.offsetMs += deltaMs;
    server.armedAtMs = undefined;
    server.deadlineToken += 1;
    if (server.core !== undefined) this.arm(server, server.core.backend);
  }

  /** A server's armed deadline is due (one handler for all: scheduling it allocates nothing). */
  #onServerDeadline = (nowMs: number, server: SimServer, token: number): void => {
    if (token !== server.deadlineToken || server.armedEpoch !== server.epoch || server.core === undefined)
      return;
    server.armedAtMs = undefined;
    // (deadlineMs - offsetMs) + offsetMs can round one ulp below deadlineMs: the backend would
    // see itself not yet due, re-arm at the same instant and loop until stepsMax.
    server.core.backend.onDeadline(Math.max(server.localNowMs(nowMs), server.armedDeadlineMs));
    this.pump(server);
  };

  #execute(server: SimServer, effect: Effect): void {
    if (this.#cluster.mode === 'a') this.#redis!.execute(server, effect as ModeAEffect);
    else if (this.#cluster.mode === 'c') this.#discovery!.execute(server, effect as ServerEffect);
  }
}
