/**
 * Makes each mode's REAL backend for a simulated server, plus the deliberately broken variants
 * the property tests must catch (`brokenVariant` in SimConfig). A broken variant wraps the real
 * backend and changes one thing; it is never used outside tests and the checker's demos.
 */

import type { ClusterConfig } from '../experiment/config.ts';
import type { CountingBackend, Effect, FleetListener, WhoCallback } from '../impl/core/counting-backend.ts';
import { LocalBackend } from '../impl/core/local-backend.ts';
import type { ModeAEffect } from '../impl/core/mode-a/effects.ts';
import { ModeABackend } from '../impl/core/mode-a/mode-a-backend.ts';
import { modeAOptionsFrom } from '../impl/core/mode-a/options.ts';
import { ModeCBackend, renewalsPerLease } from '../impl/core/mode-c/mode-c-backend.ts';

const dayMs = 86_400_000;

export function discoveryUrl(instanceIndex: number): string {
  return `sim://discovery-${instanceIndex}`;
}

export function countUrl(serverIndex: number): string {
  return `sim://server-${serverIndex}/count`;
}

export function serverIndexOfCountUrl(url: string): number {
  return Number(url.slice('sim://server-'.length, url.length - '/count'.length));
}

export function createBackend(cluster: ClusterConfig, serverId: string): CountingBackend {
  switch (cluster.mode) {
    case 'local':
      return new LocalBackend();
    case 'a': {
      const backend = new ModeABackend(
        serverId,
        modeAOptionsFrom({
          ttlMs: cluster.ttlMs,
          heartbeatMs: cluster.heartbeatMs,
          publishDelayMs: cluster.publishDelayMs,
          whoTimeoutMs: cluster.effectTimeoutMs,
          whoCacheMs: cluster.whoCacheMs,
          redisRetryMaxMs: cluster.redis.reconnectMsMax,
        }),
      );
      return cluster.brokenVariant === 'a-never-expires' ? new NeverExpires(backend) : backend;
    }
    case 'c': {
      const backend = new ModeCBackend({
        serverId,
        // Behind a load balancer a server is given one address, the balancer's.
        instanceUrls: Array.from(
          { length: cluster.discoveryTopology === 'behind-lb' ? 1 : cluster.discoveryInstances },
          (_, index) => discoveryUrl(index),
        ),
        callTimeoutMs: cluster.effectTimeoutMs,
      });
      return cluster.brokenVariant === 'c-stale-cache' ? new StaleCache(backend) : backend;
    }
  }
}

/**
 * The period of a server's own timer in its mode: mode C renews its leases every
 * `leaseMs / renewalsPerLease` from its first registration, mode A republishes `heartbeatMs` after
 * its last write; mode local has no timer. A real server's timer runs from when its process came
 * up, so its phase is that start instant modulo the period (sim/hosts/server-host.ts draws it).
 */
export function timerPeriodMs(cluster: ClusterConfig): number {
  switch (cluster.mode) {
    case 'local':
      return 0;
    case 'a':
      return cluster.heartbeatMs;
    case 'c':
      return cluster.leaseMs / renewalsPerLease;
  }
}

/**
 * Restarts the backend's periodic timer at `nowMs` with the call its start makes, so it runs from
 * then on: mode C is handed its count URL again and registers with every instance at once (a
 * renewal), mode A is told its count again and publishes it (a heartbeat). The core is not told a
 * phase: it is made to act at the instant the phase names, as a process started then would.
 */
export function restartTimer(
  cluster: ClusterConfig,
  backend: CountingBackend,
  serverIndex: number,
  localCount: number,
  nowMs: number,
): void {
  if (cluster.mode === 'a') backend.onLocalCount(localCount, nowMs);
  if (cluster.mode === 'c') (backend as Partial<ModeCBackend>).setCountUrl?.(countUrl(serverIndex), nowMs);
}

/** Forwards everything to the real backend; a broken variant overrides one method. */
class Delegate implements CountingBackend {
  readonly inner: CountingBackend;
  constructor(inner: CountingBackend) {
    this.inner = inner;
  }
  get mode() {
    return this.inner.mode;
  }
  onLocalCount(count: number, nowMs: number): void {
    this.inner.onLocalCount(count, nowMs);
  }
  who(nowMs: number, done: WhoCallback): void {
    this.inner.who(nowMs, done);
  }
  nextDeadlineMs(): number | undefined {
    return this.inner.nextDeadlineMs();
  }
  onDeadline(nowMs: number): void {
    this.inner.onDeadline(nowMs);
  }
  takeEffects(): Effect[] {
    return this.inner.takeEffects();
  }
  onResult(opId: number, result: unknown, nowMs: number): void {
    this.inner.onResult(opId, result, nowMs);
  }
  stop(nowMs: number): void {
    this.inner.stop(nowMs);
  }
  readiness(nowMs: number) {
    return this.inner.readiness(nowMs);
  }
  info(nowMs: number): Record<string, unknown> {
    return this.inner.info(nowMs);
  }
  inFleet(nowMs: number): boolean {
    return this.inner.inFleet?.(nowMs) ?? true;
  }
  onFleetChange(listener: FleetListener): void {
    this.inner.onFleetChange?.(listener);
  }
  setCountUrl(url: string, nowMs: number): void {
    (this.inner as Partial<ModeCBackend>).setCountUrl?.(url, nowMs);
  }
}

/** Broken on purpose: entries live a day and are never removed, so dead servers count forever. */
class NeverExpires extends Delegate {
  override takeEffects(): Effect[] {
    return (this.inner.takeEffects() as ModeAEffect[])
      .filter((effect) => effect.kind !== 'kv.remove')
      .map((effect) => (effect.kind === 'kv.publish' ? { ...effect, ttlMs: dayMs } : effect));
  }
}

/** Broken on purpose: WHO answers the first complete total forever after. */
class StaleCache extends Delegate {
  #cached: number | undefined;
  override who(nowMs: number, done: WhoCallback): void {
    if (this.#cached !== undefined) {
      done({ kind: 'count', total: this.#cached, source: 'cache', ageMs: 0 }, nowMs);
      return;
    }
    this.inner.who(nowMs, (reply, answeredAtMs) => {
      if (reply.kind === 'count') this.#cached = reply.total;
      done(reply, answeredAtMs);
    });
  }
}
