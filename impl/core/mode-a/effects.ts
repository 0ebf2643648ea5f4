/**
 * The effects mode A's backend asks its host to carry out, and the results it expects back.
 * The real host is the ioredis store (`impl/adapters/redis/`); the simulator carries the same
 * effects out against its simulated Redis. Both MUST reproduce the semantics below exactly,
 * because the core's correctness argument rests on them.
 *
 * ## The registry (three keys per fleet, one Cluster slot)
 *
 * All keys carry the `{prefix}` hash tag, so a fleet lives in one Cluster slot:
 * `{prefix}:servers` (hash serverId → count), `{prefix}:expiry` (sorted set serverId scored by
 * `expiresAtMs`) and `{prefix}:total` (the sum of the hash, kept by the scripts). `expiresAtMs`
 * is on **Redis's clock** (`TIME` inside the Lua script), never on the server's clock: a server
 * whose clock is skewed can neither keep its dead entry alive nor expire a live one early. The
 * running total makes a read O(expired entries not yet swept) instead of O(servers).
 * The simulator may store entries any way it likes; only the semantics below matter.
 *
 * - `kv.publish {serverId, count, ttlMs}`: atomically, with `redisNowMs` = Redis's `TIME`:
 *   set the entry to `(count, expiresAtMs = redisNowMs + ttlMs)`, replacing any previous value
 *   (expired or not). The same script may delete other entries already expired (housekeeping;
 *   not observable through `kv.total`). Result `ok(undefined)`.
 * - `kv.remove {serverId}`: delete the entry if present (absent is fine). Result `ok(undefined)`.
 * - `kv.total {}`: ONE round trip, read-only. With `redisNowMs` = Redis's `TIME` at execution:
 *   an entry is **live** iff `redisNowMs < expiresAtMs` (strict: at exactly `expiresAtMs` it has
 *   stopped counting). Returns `ok({ total: Σ count over live entries, servers: #live entries })`.
 *   An empty or missing registry is `ok({ total: 0, servers: 0 })`, not an error (a Redis that
 *   restarted empty is a valid, if stale, registry until the heartbeats heal it).
 *
 * Each script runs atomically: effects on the one Redis are linearizable in execution order.
 * The core keeps at most ONE write (`kv.publish` or `kv.remove`) in flight per server, so a
 * server's writes reach Redis in the order it issued them. Reads may overlap writes.
 *
 * ## Time bounds and errors
 *
 * Every effect carries `timeoutMs`: the host MUST report a result within it (ioredis's
 * `commandTimeout`; the simulator's own deadline), so nothing waits forever on a dead Redis.
 * - `HC_KV_TIMEOUT` (indefinite): no answer in time; a write may still land later.
 * - `HC_KV_UNAVAILABLE` (definite): not sent, e.g. disconnected with the offline queue off.
 * - `HC_KV_FAILED` (indefinite): Redis answered with an error, or the connection broke mid-call.
 */
import type { Result } from '../result.ts';

export interface KvPublish {
  opId: number;
  kind: 'kv.publish';
  serverId: string;
  /** This server's local connection count. */
  count: number;
  /** The entry stops counting this long after Redis executed the publish, by Redis's clock. */
  ttlMs: number;
  timeoutMs: number;
}

export interface KvRemove {
  opId: number;
  kind: 'kv.remove';
  serverId: string;
  timeoutMs: number;
}

export interface KvTotalRead {
  opId: number;
  kind: 'kv.total';
  timeoutMs: number;
}

export type ModeAEffect = KvPublish | KvRemove | KvTotalRead;

export interface KvTotal {
  /** Sum of the counts of live entries. */
  total: number;
  /** Number of live entries. */
  servers: number;
}

export type KvError =
  | { code: 'HC_KV_TIMEOUT'; definite: false; timeoutMs: number }
  | { code: 'HC_KV_UNAVAILABLE'; definite: true; message: string }
  | { code: 'HC_KV_FAILED'; definite: false; message: string };

export type KvErrorCode = KvError['code'];

/** `kv.publish` and `kv.remove` answer `ok(undefined)`; `kv.total` answers `ok(KvTotal)`. */
export type ModeAResult = Result<KvTotal | undefined, KvError>;

export type ModeAResultOf<E extends ModeAEffect> = E extends KvTotalRead
  ? Result<KvTotal, KvError>
  : Result<undefined, KvError>;

/** The registry keys of a fleet; `{prefix}` is a Redis Cluster hash tag. */
export function registryKeys(prefix: string): { counts: string; expiry: string; total: string } {
  return { counts: `{${prefix}}:servers`, expiry: `{${prefix}}:expiry`, total: `{${prefix}}:total` };
}

/** The Snowflake worker-id lease key for `workerId`, in the same slot as the registry. */
export function workerLeaseKey(prefix: string, workerId: number): string {
  return `{${prefix}}:worker:${workerId}`;
}
