/**
 * The Lua scripts of the mode A registry, one per effect of `impl/core/mode-a/effects.ts`, whose
 * semantics they implement. Every script reads Redis's own `TIME`, so expiry is judged by ONE
 * clock whatever the servers' clocks say.
 *
 * KEYS (all under the `{prefix}` hash tag, one Cluster slot):
 *   KEYS[1] `{p}:servers` hash serverId → count
 *   KEYS[2] `{p}:expiry`  sorted set serverId scored by expiresAtMs (Redis clock)
 *   KEYS[3] `{p}:total`   sum of KEYS[1], kept by publish/remove/sweep
 * A read is then GET + the expired-but-unswept entries + ZCOUNT: O(log n), not O(servers).
 */

/** Redis's clock in integer milliseconds. */
const redisNowMs = `
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Entries swept per write: bounds a script's run time when many servers died at once. */
export const sweepEntriesMax = 64;

const sweepAndDelete = `
local function drop(serverId)
  local old = redis.call('HGET', KEYS[1], serverId)
  if old then
    redis.call('HDEL', KEYS[1], serverId)
    redis.call('DECRBY', KEYS[3], tonumber(old))
  end
  redis.call('ZREM', KEYS[2], serverId)
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', nowMs, 'LIMIT', 0, ${sweepEntriesMax})
for i = 1, #expired do drop(expired[i]) end
`;

/**
 * ARGV: serverId, count, ttlMs. The keys expire when the last entry does (their TTL is only ever
 * extended, all three together), so a fleet that is entirely gone leaves nothing behind.
 */
export const publishScript = `${redisNowMs}${sweepAndDelete}
local ttlMs = tonumber(ARGV[3])
local count = tonumber(ARGV[2])
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HSET', KEYS[1], ARGV[1], count)
redis.call('ZADD', KEYS[2], nowMs + ttlMs, ARGV[1])
redis.call('INCRBY', KEYS[3], count - old)
if redis.call('PTTL', KEYS[2]) < ttlMs then
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttlMs) end
end
return 1
`;

/** ARGV: serverId. */
export const removeScript = `${redisNowMs}${sweepAndDelete}
drop(ARGV[1])
return 1
`;

/** Returns {total, servers} over entries with nowMs < expiresAtMs. Read-only. */
export const totalScript = `${redisNowMs}
local total = tonumber(redis.call('GET', KEYS[3]) or '0')
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', nowMs)
for i = 1, #expired do
  total = total - tonumber(redis.call('HGET', KEYS[1], expired[i]) or '0')
end
local servers = redis.call('ZCOUNT', KEYS[2], '(' .. nowMs, '+inf')
return {total, servers}
`;

/** Worker-id lease renewal: ARGV token, leaseMs. 1 = renewed, 0 = not ours any more. */
export const renewLeaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
`;

/** Worker-id lease release: ARGV token. Deletes only our own lease. */
export const releaseLeaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
