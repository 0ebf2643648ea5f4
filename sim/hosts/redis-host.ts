/**
 * The simulated Redis as a host (impl/adapters/redis's counterpart): a mode A effect crosses the
 * server's link, runs on Redis by Redis's clock, and its reply crosses back; a lost message or a
 * silent Redis becomes the effect's timeout. The store itself is `SimRedis` (sim-redis.ts).
 *
 * Sentinel topology (`cluster.redis.topology: sentinel`): a replica applies each write
 * `replicationLagMs` after the primary executed it. A failover (fault `redis-failover`) kills the
 * primary: the writes still in the lag window are lost, every call is refused at once (a dead
 * process refuses connections; the client's offline queue is off), Sentinel promotes the replica
 * with what it had `downAfterMs + electionMs` later, and every server's client finds it at its
 * next reconnect attempt (the adapter's schedule, `reconnectDelayMs`, counted from the death).
 */

import type { RedisConfig } from '../../experiment/config.ts';
import type { FailoverRecord, History } from '../../experiment/history.ts';
import type { KvTotal, ModeAEffect, ModeAResult } from '../../impl/core/mode-a/effects.ts';
import { reconnectDelayMs } from '../../impl/core/mode-a/options.ts';
import type { SimNetwork } from '../network.ts';
import type { Scheduler } from '../scheduler.ts';
import type { SimServer } from '../server-node.ts';
import { SimRedis } from '../sim-redis.ts';
import type { Deliver } from './deliver.ts';

/** A Redis command in flight: what its arrival and its reply events need. */
interface KvCall {
  server: SimServer;
  epoch: number;
  effect: ModeAEffect;
  timeoutAtMs: number;
  value: KvTotal | undefined;
}

/** The failover in progress or done: who is refused until when, and what it recorded. */
interface Failover {
  record: FailoverRecord;
  /** Every call is refused until the servers' clients reconnect to the promoted replica. */
  reconnectAtMs: number;
  liveAtDeath: boolean[];
  /** The old primary came back before the promotion: the promotion is called off. */
  cancelled: boolean;
}

/** The instant a client whose connection broke at `brokeAtMs` first reaches a primary up from `upAtMs`. */
export function reconnectAtMsOf(brokeAtMs: number, upAtMs: number, retryMaxMs: number): number {
  let atMs = brokeAtMs;
  for (let attempt = 1; atMs < upAtMs; attempt += 1) atMs += reconnectDelayMs(attempt, retryMaxMs);
  return atMs;
}

export class RedisHost {
  #primary = new SimRedis();
  #replica: SimRedis | undefined;
  #primaryDead = false;
  /** Bumped at a primary's death: replication events of the dead primary are dropped. */
  #replicationEpoch = 0;
  #carried = { ops: 0, writes: 0 };
  #failover: Failover | undefined;
  #scheduler: Scheduler;
  #network: SimNetwork;
  #deliver: Deliver;
  #config: RedisConfig | undefined;
  #history: History | undefined;

  constructor(
    scheduler: Scheduler,
    network: SimNetwork,
    deliver: Deliver,
    config?: RedisConfig,
    history?: History,
  ) {
    this.#scheduler = scheduler;
    this.#network = network;
    this.#deliver = deliver;
    this.#config = config;
    this.#history = history;
    if (config?.topology === 'sentinel') this.#replica = new SimRedis();
  }

  /** The current primary. */
  get redis(): SimRedis {
    return this.#primary;
  }

  /** The replica, when there is one (Sentinel topology, not mid-failover). */
  get replica(): SimRedis | undefined {
    return this.#replica;
  }

  /** Commands executed by every primary of the run. */
  get ops(): number {
    return this.#carried.ops + this.#primary.ops;
  }

  get writes(): number {
    return this.#carried.writes + this.#primary.writes;
  }

  /** Mode A: the effect crosses the link, runs on Redis by Redis's clock, the reply crosses back. */
  execute(server: SimServer, effect: ModeAEffect): void {
    const scheduler = this.#scheduler;
    const call: KvCall = {
      server,
      epoch: server.epoch,
      effect,
      timeoutAtMs: scheduler.nowMs + effect.timeoutMs,
      value: undefined,
    };
    if (this.#refusing(scheduler.nowMs)) {
      this.#refuseAt(call, scheduler.nowMs);
      return;
    }
    const stalled = this.#network.serverCallStalled(server.index, 'redis');
    const outMs = this.#network.delayMs(server.index, 'redis', 'outbound', stalled);
    if (outMs < 0) {
      this.#kvTimeoutAt(server, call.epoch, effect, call.timeoutAtMs);
      return;
    }
    scheduler.atFor(scheduler.nowMs + outMs, this.#onKvArrived, call, 0);
  }

  /** Redis stops answering (an outage keeps the data; a restart loses it). */
  down(flush: boolean): void {
    if (flush) this.#primary.flush();
    this.#primary.up = false;
  }

  up(): void {
    this.#primary.up = true;
  }

  /**
   * The primary dies (Sentinel topology). Returns false when there is no replica to promote
   * (a single Redis, or a failover already in progress).
   */
  failover(nowMs: number, servers: readonly SimServer[]): boolean {
    const config = this.#config;
    const replica = this.#replica;
    if (config === undefined || replica === undefined || this.#primaryDead) return false;
    const record = lossAtDeath(this.#primary, replica, nowMs, servers);
    const history = this.#history!;
    history.failovers = [...(history.failovers ?? []), record];
    this.#primaryDead = true;
    this.#replicationEpoch += 1;
    const promoteAtMs = nowMs + config.downAfterMs + config.electionMs;
    const failover: Failover = {
      record,
      reconnectAtMs: reconnectAtMsOf(nowMs, promoteAtMs, config.reconnectMsMax),
      liveAtDeath: servers.map((server) => server.core !== undefined),
      cancelled: false,
    };
    this.#failover = failover;
    this.#scheduler.at(promoteAtMs, (atMs) => this.#promote(failover, atMs));
    return true;
  }

  /**
   * The old primary starts again, empty. After the promotion it becomes the new primary's
   * replica (a full resynchronisation); before it, it is the primary again, empty, and the
   * replica resynchronises from it (the promotion is called off).
   */
  oldPrimaryReturns(): void {
    const failover = this.#failover;
    if (failover !== undefined && this.#primaryDead) {
      failover.cancelled = true;
      failover.reconnectAtMs = this.#scheduler.nowMs;
      this.#primary.flush();
      this.#primaryDead = false;
    }
    this.#replica = SimRedis.copyOf(this.#primary);
  }

  #promote(failover: Failover, atMs: number): void {
    if (failover.cancelled || this.#replica === undefined) return;
    this.#carried.ops += this.#primary.ops;
    this.#carried.writes += this.#primary.writes;
    this.#primary = this.#replica;
    this.#replica = undefined;
    this.#primaryDead = false;
    failover.record.promotedAtMs = atMs;
  }

  #refusing(nowMs: number): boolean {
    return this.#primaryDead || (this.#failover !== undefined && nowMs < this.#failover.reconnectAtMs);
  }

  /** The command reaches Redis (one handler for all calls: scheduling allocates no closure). */
  #onKvArrived = (arrivedAtMs: number, call: KvCall): void => {
    const { server, epoch, effect, timeoutAtMs } = call;
    if (this.#primaryDead) {
      this.#refuseAt(call, arrivedAtMs);
      return;
    }
    if (!this.#primary.up) {
      this.#kvTimeoutAt(server, epoch, effect, timeoutAtMs);
      return;
    }
    call.value = this.#primary.execute(effect, arrivedAtMs);
    if (effect.kind !== 'kv.total') this.#onWrite(server, effect, arrivedAtMs);
    const backMs = this.#network.delayMs(server.index, 'redis', 'inbound');
    const replyAtMs = arrivedAtMs + this.#network.redisOpMs + backMs;
    if (backMs < 0 || replyAtMs > timeoutAtMs) this.#kvTimeoutAt(server, epoch, effect, timeoutAtMs);
    else this.#scheduler.atFor(replyAtMs, this.#onKvReplied, call, 0);
  };

  /** A write executed on the primary: replicated a lag later, and noted as a server's first since a failover. */
  #onWrite(server: SimServer, effect: ModeAEffect, executedAtMs: number): void {
    const failover = this.#failover;
    if (failover !== undefined && failover.liveAtDeath[server.index] === true) {
      const writes = failover.record.firstWriteAtMs;
      if (writes[server.index] === undefined) writes[server.index] = executedAtMs;
    }
    const replica = this.#replica;
    if (replica === undefined) return;
    const lagMs = this.#config!.replicationLagMs;
    if (lagMs <= 0) {
      replica.replicate(effect, executedAtMs);
      return;
    }
    const epoch = this.#replicationEpoch;
    this.#scheduler.at(executedAtMs + lagMs, () => {
      if (epoch === this.#replicationEpoch) this.#replica?.replicate(effect, executedAtMs);
    });
  }

  #onKvReplied = (_nowMs: number, call: KvCall): void => {
    this.#deliver(call.server, call.epoch, call.effect.opId, { ok: true, value: call.value });
  };

  /** A refused connection: the client fails the call at once (its offline queue is off). */
  #refuseAt(call: KvCall, atMs: number): void {
    const refused: ModeAResult = {
      ok: false,
      error: { code: 'HC_KV_UNAVAILABLE', definite: true, message: 'no Redis primary reachable' },
    };
    const { server, epoch, effect } = call;
    this.#scheduler.at(atMs, () => this.#deliver(server, epoch, effect.opId, refused));
  }

  /** Hot path: no named closure here (tsx's keepNames wraps each one in a costly `__name`). */
  #kvTimeoutAt(server: SimServer, epoch: number, effect: ModeAEffect, timeoutAtMs: number): void {
    const timeout: ModeAResult = {
      ok: false,
      error: { code: 'HC_KV_TIMEOUT', definite: false, timeoutMs: effect.timeoutMs },
    };
    this.#scheduler.at(timeoutAtMs, () => this.#deliver(server, epoch, effect.opId, timeout));
  }
}

/** What the primary held live at its death that the replica it leaves behind did not. */
function lossAtDeath(
  primary: SimRedis,
  replica: SimRedis,
  nowMs: number,
  servers: readonly SimServer[],
): FailoverRecord {
  const held = primary.liveEntries(nowMs);
  const kept = replica.liveEntries(nowMs);
  let entriesLost = 0;
  let clientsLost = 0;
  for (const [serverId, count] of held) {
    if (kept.get(serverId) !== count) entriesLost += 1;
    clientsLost += count;
  }
  for (const count of kept.values()) clientsLost -= count;
  return {
    atMs: nowMs,
    entriesAtPrimary: held.size,
    entriesLost,
    clientsLost,
    serversLive: servers.filter((server) => server.core !== undefined).length,
    firstWriteAtMs: servers.map(() => undefined),
  };
}
