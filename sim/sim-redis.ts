/**
 * A simulated Redis holding mode A's registry, with exactly the semantics of
 * `impl/core/mode-a/effects.ts`: entries `(count, expiresAtMs)` judged by Redis's own clock,
 * `kv.total` sums the live ones (live iff redisNowMs < expiresAtMs), `kv.publish` replaces,
 * `kv.remove` deletes. Commands execute one at a time in arrival order (linearizable).
 *
 * Faults: an outage makes it silent (callers time out, data kept); a restart loses every entry.
 * A replica (the Sentinel topology, hosts/redis-host.ts) is another `SimRedis` that `replicate`s
 * the primary's writes at the primary's execution instant, a replication lag later.
 * Redis's clock is the simulation's true time (offset 0): servers' clocks may drift, Redis's
 * judgement does not.
 */
import type { KvTotal, ModeAEffect } from '../impl/core/mode-a/effects.ts';

interface Entry {
  count: number;
  expiresAtMs: number;
}

export class SimRedis {
  #entries = new Map<string, Entry>();
  up = true;
  ops = 0;
  /** Publishes executed (the registry's writes). */
  writes = 0;

  /** Executes one command at Redis time `nowMs`; returns the value part of the `ok` result. */
  execute(effect: ModeAEffect, nowMs: number): KvTotal | undefined {
    this.ops += 1;
    switch (effect.kind) {
      case 'kv.publish': {
        this.writes += 1;
        // Rewritten in place: a heartbeat per server per second need not make a new entry.
        const entry = this.#entries.get(effect.serverId);
        if (entry === undefined) {
          this.#entries.set(effect.serverId, { count: effect.count, expiresAtMs: nowMs + effect.ttlMs });
        } else {
          entry.count = effect.count;
          entry.expiresAtMs = nowMs + effect.ttlMs;
        }
        return undefined;
      }
      case 'kv.remove':
        this.#entries.delete(effect.serverId);
        return undefined;
      case 'kv.total':
        return this.total(nowMs);
    }
  }

  /** A write the primary executed at `executedAtMs`, applied on a replica (not counted as an op). */
  replicate(effect: ModeAEffect, executedAtMs: number): void {
    if (effect.kind === 'kv.publish') {
      this.#entries.set(effect.serverId, { count: effect.count, expiresAtMs: executedAtMs + effect.ttlMs });
    } else if (effect.kind === 'kv.remove') this.#entries.delete(effect.serverId);
  }

  /** The live entries at `nowMs`: serverId -> count. */
  liveEntries(nowMs: number): Map<string, number> {
    const live = new Map<string, number>();
    for (const [serverId, entry] of this.#entries)
      if (nowMs < entry.expiresAtMs) live.set(serverId, entry.count);
    return live;
  }

  /** A full resynchronisation: a replica that holds exactly what `primary` holds. */
  static copyOf(primary: SimRedis): SimRedis {
    const copy = new SimRedis();
    for (const [serverId, entry] of primary.#entries) copy.#entries.set(serverId, { ...entry });
    return copy;
  }

  total(nowMs: number): KvTotal {
    let total = 0;
    let servers = 0;
    for (const entry of this.#entries.values()) {
      if (nowMs < entry.expiresAtMs) {
        total += entry.count;
        servers += 1;
      }
    }
    return { total, servers };
  }

  /** A restart: every entry is gone. */
  flush(): void {
    this.#entries.clear();
  }
}
