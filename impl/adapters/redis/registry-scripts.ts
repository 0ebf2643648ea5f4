/**
 * The Lua scripts of the mode A registry, one per effect of `impl/core/mode-a/effects.ts`, whose
 * semantics they implement. Every script reads Redis's own `TIME`, so expiry is judged by ONE
 * clock whatever the servers' clocks say. Each touches only `KEYS[1]` (`{prefix}:servers`), so it
 * runs in one slot of a Redis Cluster.
 */

/** Redis's clock in integer milliseconds. */
const redisNowMs = `
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * ARGV: serverId, count, ttlMs, housekeep ('1' deletes entries already expired). The hash key
 * itself expires when its last entry does (its TTL is only ever extended), so a fleet that is
 * entirely gone leaves nothing behind.
 */
export const publishScript = `${redisNowMs}
local ttlMs = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. string.format('%d', nowMs + ttlMs))
if ARGV[4] == '1' then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local expiresAtMs = tonumber(string.match(all[i + 1], ':(%d+)$'))
    if expiresAtMs == nil or expiresAtMs <= nowMs then redis.call('HDEL', KEYS[1], all[i]) end
  end
end
if redis.call('PTTL', KEYS[1]) < ttlMs then redis.call('PEXPIRE', KEYS[1], ttlMs) end
return 1
`;

/** Returns {total, servers} over entries with nowMs < expiresAtMs. Read-only. */
export const totalScript = `${redisNowMs}
local values = redis.call('HVALS', KEYS[1])
local total = 0
local servers = 0
for i = 1, #values do
  local count, expiresAtMs = string.match(values[i], '^(%d+):(%d+)$')
  if count ~= nil and tonumber(expiresAtMs) > nowMs then
    total = total + tonumber(count)
    servers = servers + 1
  end
end
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
