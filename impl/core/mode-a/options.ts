/**
 * Mode A's timing settings as the core sees them, with the limits that are not CLI flags. The
 * CLI's `ServeOptions` carries the flags (ttl, heartbeat, publish delay, who timeout, who cache);
 * `modeAOptionsFrom` adds the fixed ones here, each with its reason.
 */
import assert from 'node:assert';

export interface ModeAOptions {
  /** An entry not refreshed for this long stops counting (Redis's clock). */
  ttlMs: number;
  /** Re-publish interval while nothing changes. */
  heartbeatMs: number;
  /** Coalesce count changes within this window; 0 = publish each change (one write in flight). */
  publishDelayMs: number;
  /** A WHO read slower than this answers the last known total. */
  whoTimeoutMs: number;
  /** Serve WHO from a total at most this old; 0 = one read per WHO. */
  whoCacheMs: number;
  /** How long a publish or remove may take before it counts as failed (indefinite). */
  writeTimeoutMs: number;
  /** First retry delay after a failed write; doubles per consecutive failure. */
  retryBackoffMsMin: number;
  /** Retry delays stop growing here, so a healed Redis is written to within a second. */
  retryBackoffMsMax: number;
  /** Reads in flight at once; beyond it a WHO shares the newest read (bounds load on a slow Redis). */
  readsInFlightMax: number;
  /** A graceful stop tries the delete this many times before giving up (TTL then cleans up). */
  removeAttemptsMax: number;
}

export type ModeAFlags = Pick<
  ModeAOptions,
  'ttlMs' | 'heartbeatMs' | 'publishDelayMs' | 'whoTimeoutMs' | 'whoCacheMs'
> & {
  /** `--redis-retry-max-ms`: the retry backoff's cap (its start is a 20th of it). @default 1000 */
  redisRetryMaxMs?: number;
};

/** The retry backoff starts at this fraction of its cap (50 ms of 1 s). */
const retryBackoffStartPerMax = 20;

/**
 * The Redis client's reconnect schedule (impl/adapters/redis/connect.ts): attempt n waits
 * n x (a 20th of the cap), at most the cap; 50 ms, 100 ms, ... 1 s by default. Written here, as a
 * pure calculation, so the simulator reconnects its servers on the same schedule after a failover.
 */
export function reconnectDelayMs(attempt: number, retryMaxMs = 1_000): number {
  return Math.min(Math.max(1, Math.round(retryMaxMs / retryBackoffStartPerMax)) * attempt, retryMaxMs);
}

export function modeAOptionsFrom(flags: ModeAFlags): ModeAOptions {
  // The issue bounds reconnection to 1 s apart; retrying writes faster than that is pointless.
  const retryBackoffMsMax = flags.redisRetryMaxMs ?? 1_000;
  const options: ModeAOptions = {
    ttlMs: flags.ttlMs,
    heartbeatMs: flags.heartbeatMs,
    publishDelayMs: flags.publishDelayMs,
    whoTimeoutMs: flags.whoTimeoutMs,
    whoCacheMs: flags.whoCacheMs,
    // A write slower than the heartbeat is as good as lost: the next heartbeat supersedes it.
    // 2 s caps it for long heartbeats; 50 ms floors it for tiny lab settings.
    writeTimeoutMs: Math.max(50, Math.min(2_000, flags.heartbeatMs)),
    retryBackoffMsMin: Math.max(1, Math.round(retryBackoffMsMax / retryBackoffStartPerMax)),
    retryBackoffMsMax,
    readsInFlightMax: 64,
    removeAttemptsMax: 3,
  };
  checkModeAOptions(options);
  return Object.freeze(options);
}

export function checkModeAOptions(options: ModeAOptions): void {
  assert(options.ttlMs > 0 && options.heartbeatMs > 0, 'ttlMs and heartbeatMs must be positive');
  assert(options.publishDelayMs >= 0 && options.whoCacheMs >= 0, 'delays cannot be negative');
  assert(options.whoTimeoutMs > 0 && options.writeTimeoutMs > 0, 'timeouts must be positive');
  assert(
    options.retryBackoffMsMin > 0 && options.retryBackoffMsMin <= options.retryBackoffMsMax,
    'retryBackoffMsMin must be positive and at most retryBackoffMsMax',
  );
  assert(
    options.readsInFlightMax >= 1 && options.removeAttemptsMax >= 1,
    'readsInFlightMax and removeAttemptsMax must be at least 1',
  );
}
