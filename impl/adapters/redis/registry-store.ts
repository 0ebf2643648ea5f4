/**
 * Carries out mode A's effects (`impl/core/mode-a/effects.ts`) on a real Redis through ioredis,
 * one Lua script per effect, each bounded by the effect's `timeoutMs`. Never throws: every
 * failure becomes a `KvError` (STYLE §7), and every call is timed into the Redis metrics.
 */
import {
  type KvError,
  type KvTotal,
  type ModeAEffect,
  type ModeAResult,
  registryKeys,
} from '../../core/mode-a/effects.ts';
import { err, ok } from '../../core/result.ts';
import type { RedisClient } from './connect.ts';
import { publishScript, removeScript, totalScript } from './registry-scripts.ts';

interface RegistryCommands {
  hcPublish(
    counts: string,
    expiry: string,
    total: string,
    serverId: string,
    count: string,
    ttlMs: string,
  ): Promise<number>;
  hcRemove(counts: string, expiry: string, total: string, serverId: string): Promise<number>;
  hcTotal(counts: string, expiry: string, total: string): Promise<[number, number]>;
}

export interface CallObserver {
  call(op: string, durationMs: number, error: KvError | undefined): void;
}

export class RedisRegistry {
  readonly keys: ReturnType<typeof registryKeys>;
  #client: RedisClient & RegistryCommands;
  #observer: CallObserver | undefined;
  #now: () => number;

  constructor(client: RedisClient, prefix: string, now: () => number, observer?: CallObserver) {
    this.keys = registryKeys(prefix);
    client.defineCommand('hcPublish', { numberOfKeys: 3, lua: publishScript });
    client.defineCommand('hcRemove', { numberOfKeys: 3, lua: removeScript });
    client.defineCommand('hcTotal', { numberOfKeys: 3, lua: totalScript });
    this.#client = client as RedisClient & RegistryCommands;
    this.#observer = observer;
    this.#now = now;
  }

  execute = async (effect: ModeAEffect): Promise<ModeAResult> => {
    const { counts, expiry, total } = this.keys;
    switch (effect.kind) {
      case 'kv.publish': {
        const call = this.#client.hcPublish(
          counts,
          expiry,
          total,
          effect.serverId,
          String(effect.count),
          String(effect.ttlMs),
        );
        return this.#timed(
          'publish',
          effect.timeoutMs,
          call.then(() => undefined),
        );
      }
      case 'kv.remove': {
        const call = this.#client.hcRemove(counts, expiry, total, effect.serverId);
        return this.#timed(
          'remove',
          effect.timeoutMs,
          call.then(() => undefined),
        );
      }
      case 'kv.total': {
        const call = this.#client.hcTotal(counts, expiry, total);
        return this.#timed(
          'total',
          effect.timeoutMs,
          call.then(([sum, servers]): KvTotal => ({ total: Number(sum), servers: Number(servers) })),
        );
      }
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
