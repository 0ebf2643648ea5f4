/**
 * Carries out mode A's effects (`impl/core/mode-a/effects.ts`) on a real Redis through ioredis,
 * one Lua script per effect, each bounded by the effect's `timeoutMs`. Never throws: every
 * failure becomes a `KvError` (STYLE §7), and every call is timed into the Redis metrics.
 */
import type { Redis } from 'ioredis';
import {
  type KvError,
  type KvTotal,
  type ModeAEffect,
  type ModeAResult,
  registryKey,
} from '../../core/mode-a/effects.ts';
import { err, ok } from '../../core/result.ts';
import type { RedisClient } from './connect.ts';
import { publishScript, totalScript } from './registry-scripts.ts';

/** Expired entries are swept on one publish in this many: sweeping is O(servers), publishing O(1). */
export const housekeepEveryPublishes = 16;

interface RegistryCommands {
  hcPublish(key: string, serverId: string, count: string, ttlMs: string, housekeep: string): Promise<number>;
  hcTotal(key: string): Promise<[number, number]>;
}

export interface CallObserver {
  call(op: string, durationMs: number, error: KvError | undefined): void;
}

export class RedisRegistry {
  readonly key: string;
  #client: RedisClient & RegistryCommands;
  #observer: CallObserver | undefined;
  #publishes = 0;
  #now: () => number;

  constructor(client: RedisClient, prefix: string, now: () => number, observer?: CallObserver) {
    this.key = registryKey(prefix);
    client.defineCommand('hcPublish', { numberOfKeys: 1, lua: publishScript });
    client.defineCommand('hcTotal', { numberOfKeys: 1, lua: totalScript });
    this.#client = client as RedisClient & RegistryCommands;
    this.#observer = observer;
    this.#now = now;
  }

  execute = async (effect: ModeAEffect): Promise<ModeAResult> => {
    switch (effect.kind) {
      case 'kv.publish': {
        this.#publishes += 1;
        const housekeep = this.#publishes % housekeepEveryPublishes === 1 ? '1' : '0';
        const call = this.#client.hcPublish(
          this.key,
          effect.serverId,
          String(effect.count),
          String(effect.ttlMs),
          housekeep,
        );
        return this.#timed(
          'publish',
          effect.timeoutMs,
          call.then(() => undefined),
        );
      }
      case 'kv.remove':
        return this.#timed(
          'remove',
          effect.timeoutMs,
          (this.#client as Redis).hdel(this.key, effect.serverId).then(() => undefined),
        );
      case 'kv.total':
        return this.#timed(
          'total',
          effect.timeoutMs,
          this.#client
            .hcTotal(this.key)
            .then(([total, servers]): KvTotal => ({ total: Number(total), servers: Number(servers) })),
        );
    }
  };

  async #timed<T>(op: string, timeoutMs: number, call: Promise<T>): Promise<ModeAResult> {
    const startedAtMs = this.#now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ ok: false; error: KvError }>((resolve) => {
      timer = setTimeout(
        () => resolve(err({ code: 'HC_KV_TIMEOUT', definite: false, timeoutMs })),
        timeoutMs,
      );
    });
    const outcome = call.then(
      (value) => ok(value) as ModeAResult,
      (error: unknown) => err(kvErrorOf(error)),
    );
    const result = await Promise.race([outcome, timeout]);
    clearTimeout(timer);
    this.#observer?.call(op, this.#now() - startedAtMs, result.ok ? undefined : result.error);
    return result as ModeAResult;
  }
}

/** ioredis's errors, sorted into definite (never sent) and indefinite (may have run). */
export function kvErrorOf(error: unknown): KvError {
  const message = error instanceof Error ? error.message : String(error);
  const neverSent =
    /enableOfflineQueue|isn't ready|Stream isn't writeable|Connection is closed|ECONNREFUSED/i;
  if (neverSent.test(message) && !/MaxRetriesPerRequest/i.test(message)) {
    return { code: 'HC_KV_UNAVAILABLE', definite: true, message };
  }
  return { code: 'HC_KV_FAILED', definite: false, message };
}
