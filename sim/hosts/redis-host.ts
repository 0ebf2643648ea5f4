/**
 * The simulated Redis as a host (impl/adapters/redis's counterpart): a mode A effect crosses the
 * server's link, runs on Redis by Redis's clock, and its reply crosses back; a lost message or a
 * silent Redis becomes the effect's timeout. The store itself is `SimRedis` (sim-redis.ts).
 */
import type { KvTotal, ModeAEffect, ModeAResult } from '../../impl/core/mode-a/effects.ts';
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

export class RedisHost {
  readonly redis = new SimRedis();
  #scheduler: Scheduler;
  #network: SimNetwork;
  #deliver: Deliver;

  constructor(scheduler: Scheduler, network: SimNetwork, deliver: Deliver) {
    this.#scheduler = scheduler;
    this.#network = network;
    this.#deliver = deliver;
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
    if (flush) this.redis.flush();
    this.redis.up = false;
  }

  up(): void {
    this.redis.up = true;
  }

  /** The command reaches Redis (one handler for all calls: scheduling allocates no closure). */
  #onKvArrived = (arrivedAtMs: number, call: KvCall): void => {
    const { server, epoch, effect, timeoutAtMs } = call;
    if (!this.redis.up) {
      this.#kvTimeoutAt(server, epoch, effect, timeoutAtMs);
      return;
    }
    call.value = this.redis.execute(effect, arrivedAtMs);
    const backMs = this.#network.delayMs(server.index, 'redis', 'inbound');
    const replyAtMs = arrivedAtMs + this.#network.redisOpMs + backMs;
    if (backMs < 0 || replyAtMs > timeoutAtMs) this.#kvTimeoutAt(server, epoch, effect, timeoutAtMs);
    else this.#scheduler.atFor(replyAtMs, this.#onKvReplied, call, 0);
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
    this.#scheduler.at(timeoutAtMs, () => this.#deliver(server, epoch, effect.opId, timeout));
  }
}
