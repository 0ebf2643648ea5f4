/**
 * Mode A wired for real: an ioredis connection from `--redis`, the registry store that carries
 * out the core's effects, the sans-I/O `ModeABackend`, metrics (Redis call durations and
 * failures, WHO answers by source, staleness) and, for `--id snowflake`, a worker id leased
 * from Redis. A Redis that is down at start delays nothing: the server serves, WHO answers its
 * own count, and the publisher keeps retrying until Redis appears.
 */
import type { CountingBackend, Effect, WhoCallback } from '../../core/counting-backend.ts';
import type { ModeAEffect, ModeAResult } from '../../core/mode-a/effects.ts';
import { ModeABackend } from '../../core/mode-a/mode-a-backend.ts';
import { modeAOptionsFrom } from '../../core/mode-a/options.ts';
import type { Metrics } from '../metrics.ts';
import { connectRedis } from '../redis/connect.ts';
import { type CallObserver, RedisRegistry } from '../redis/registry-store.ts';
import { WorkerLease } from '../redis/worker-lease.ts';
import type { ModeFactory, ModeRuntime } from './mode-runtime.ts';

/** How long start-up waits for Redis before serving anyway (WHO then answers its own count). */
const readyWaitMs = 1_000;

/** A disconnected client logs its error at most this often, not once per reconnect attempt. */
const errorLogIntervalMs = 5_000;

export const createModeRuntime: ModeFactory = async (context) => {
  const { options, logger, metrics, clock } = context;
  const connection = connectRedis(options.redis, { retryMaxMs: options.redisRetryMaxMs });
  if (connection.kind === 'memory') {
    logger.warn(
      { redis: 'memory' },
      'MODE A ON AN IN-PROCESS FAKE REDIS (ioredis-mock): WHO counts only this process; a demo, never production',
    );
  }
  let lastErrorLogAtMs = Number.NEGATIVE_INFINITY;
  connection.client.on('error', (error: Error) => {
    const nowMs = clock.nowMs();
    if (nowMs - lastErrorLogAtMs < errorLogIntervalMs) return;
    lastErrorLogAtMs = nowMs;
    logger.warn(
      { redis: connection.safeUrl, error: error.message },
      'redis unreachable; WHO answers last known totals',
    );
  });
  connection.client.on('ready', () =>
    logger.info({ redis: connection.safeUrl, kind: connection.kind }, 'redis ready'),
  );
  const ready = connection.kind === 'memory' || (await connection.waitReady(readyWaitMs));
  if (!ready) logger.warn({ redis: connection.safeUrl }, 'redis not reachable at start; serving anyway');
  const store = new RedisRegistry(
    connection.client,
    options.redisPrefix,
    () => clock.nowMs(),
    callMetrics(metrics),
  );
  let lease: WorkerLease | undefined;
  const runtime: ModeRuntime<ModeAEffect, ModeAResult> = {
    workerId: async () => {
      const acquired = await WorkerLease.acquire(connection.client, {
        prefix: options.redisPrefix,
        clock,
        onLost: (message) => logger.error({ code: 'HC_WORKER_LEASE_LOST' }, message),
      }).catch((error: Error) => {
        throw new Error(`cannot lease a snowflake worker id from ${connection.safeUrl}: ${error.message}`);
      });
      if (!acquired.ok) throw new Error(acquired.error.message);
      lease = acquired.value;
      logger.info({ workerId: lease.workerId }, 'snowflake worker id leased from redis');
      return lease.workerId;
    },
    backend: (serverId) => withWhoMetrics(new ModeABackend(serverId, modeAOptionsFrom(options)), metrics),
    execute: store.execute,
    close: async () => {
      await lease?.release();
      await connection.close();
    },
  };
  return runtime as unknown as ModeRuntime<Effect, unknown>;
};

function callMetrics(metrics: Metrics): CallObserver {
  const durations = metrics.histogram('headcount_redis_call_duration_seconds');
  const failures = metrics.counter('headcount_redis_failures_total');
  return {
    call(op, durationMs, error) {
      durations.observe({ op }, durationMs / 1000);
      if (error !== undefined) failures.inc({ op, code: error.code });
    },
  };
}

/** Counts WHO answers by source and keeps the staleness gauge, without touching the core. */
function withWhoMetrics<E extends Effect, R>(
  backend: CountingBackend<E, R>,
  metrics: Metrics,
): CountingBackend<E, R> {
  const answers = metrics.counter('headcount_who_answers_total');
  const staleness = metrics.gauge('headcount_who_staleness_seconds');
  const who = backend.who.bind(backend);
  backend.who = (nowMs: number, done: WhoCallback) =>
    who(nowMs, (reply, answeredAtMs) => {
      if (reply.kind === 'count') {
        answers.inc({ source: reply.source });
        staleness.set(reply.ageMs / 1000);
      }
      done(reply, answeredAtMs);
    });
  return backend;
}
