/** Real Redis processes for tests, benches and the lab. */
export {
  assertRedisInstalled,
  freePort,
  type RedisServer,
  redisServerMissing,
  startRedisServer,
} from './redis-server.ts';
export { type RedisCluster, startRedisCluster } from './redis-cluster.ts';
