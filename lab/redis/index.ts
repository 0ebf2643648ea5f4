/** Real Redis processes for tests, benches and the lab. */

export { type RedisCluster, startRedisCluster } from './redis-cluster.ts';
export { type SentinelGroup, type SentinelGroupOptions, startSentinelGroup } from './redis-sentinel.ts';
export {
  assertRedisInstalled,
  freePort,
  type RedisServer,
  redisServerMissing,
  startRedisServer,
} from './redis-server.ts';
export { type ReplicationLag, startReplicationLag } from './replication-lag.ts';
