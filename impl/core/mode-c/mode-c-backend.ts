/**
 * Mode C on a server, sans-I/O: keep a lease with every discovery instance, and answer WHO by
 * asking one instance for a complete count, failing over to the next on error or timeout.
 * When no instance produces a complete count that includes this server, WHO answers
 * `ERR unavailable <reason>`: never a partial, cached or stale number.
 *
 * Leases: each instance grants `leaseMs` on registration; the server renews every `leaseMs / 4`
 * (at least three renewals per lease period, so one lost renewal never costs the lease). Before
 * the first grant, and after a failure, it retries every `retryMs`.
 *
 * Fencing: the server may hold clients only while every instance that can answer a count has
 * it in its table; otherwise that instance's sums silently miss its clients. It believes a lease
 * with instance i runs from when it SENT the last successful renewal (the instance starts it no
 * earlier than on receipt, so this deadline comes first, given clocks that run at the same rate).
 * An instance without a lease is excused only while it provably cannot answer: it refused a
 * connection (definitely down) at `refusedAtMs`, and a restarted instance warms up for one lease
 * before it answers, so it cannot answer before `refusedAtMs + leaseMs`. A timeout excuses
 * nothing: the instance may be alive and answering others. So the server is in the fleet while
 * it holds a lease with some instance and every instance is leased or excused; otherwise
 * `inFleet` turns false and the `ServerCore` closes its clients (`BYE lease lost`) and refuses new
 * ones, before any instance drops it. It rejoins when the condition holds again.
 *
 * WHO batching follows the discovery rule: WHOs that arrive while a count call is in flight wait
 * for the next call, so an answer never comes from a call made before the WHO was asked.
 *
 *   who ──► batch ──► discovery.count(preferred) ──ok, includes me──► total to every WHO in batch
 *                        │ error / timeout / without me
 *                        └──► discovery.count(next) ── … all failed ──► ERR unavailable <reason>
 */
import assert from 'node:assert';
import type {
  CountingBackend,
  FleetListener,
  Readiness,
  WhoCallback,
  WhoReply,
} from '../counting-backend.ts';
import type {
  CountResult,
  DiscoveryCallError,
  RegisterResult,
  ServerEffect,
  ServerEffectResult,
} from './effects.ts';
import { describeCallError } from './reasons.ts';

export interface ModeCBackendOptions {
  serverId: string;
  /** Discovery base URLs, for INFO and reasons; index = `instanceIndex`. */
  instanceUrls: readonly string[];
  /** One discovery call may take this long before the next instance is asked. */
  callTimeoutMs: number;
  /** Registration retry interval while no lease is held. @default 200 */
  retryMs?: number;
}

export interface ModeCObserver {
  failover?(fromIndex: number, toIndex: number): void;
  answered?(reply: WhoReply): void;
  /** A lease the instance granted but we refused (`HC_DISCOVERY_TOPOLOGY`, `..._SAME_INSTANCE`). */
  leaseRefused?(error: DiscoveryCallError): void;
}

interface Instance {
  leaseMs: number | undefined;
  /** Our conservative belief: the lease runs from when we sent the request. */
  leaseEndsAtMs: number;
  nextRegisterAtMs: number;
  inFlight: { opId: number; sentAtMs: number } | undefined;
  /** When we sent the last registration it definitely refused (connection refused): it was down. */
  refusedAtMs: number;
  lastError: DiscoveryCallError | undefined;
  /** The identity of the instance that granted the current lease, when it sent one. */
  instanceId: string | undefined;
}

interface Attempt {
  batch: WhoCallback[];
  askedAtMs: number;
  order: number[];
  position: number;
  opId: number;
  deadlineMs: number;
  failures: string[];
}

/** Registration is retried this often while no lease is held: fast enough for short test leases. */
const retryMsDefault = 200;

/** Renewals per lease period; the issue asks for at least three, four survives one lost renewal. */
export const renewalsPerLease = 4;

export class ModeCBackend implements CountingBackend<ServerEffect, ServerEffectResult> {
  readonly mode = 'c' as const;
  #options: Required<ModeCBackendOptions>;
  #observer: ModeCObserver;
  #countUrl: string | undefined;
  #instances: Instance[];
  #effects: ServerEffect[] = [];
  #nextOpId = 1;
  #stopped = false;
  /** `stop` was called: draining, deregistration follows when the local count reaches 0. */
  #leaving = false;
  #attempt: Attempt | undefined;
  #waiting: WhoCallback[] = [];
  #preferredIndex = 0;
  #lastAnswer: { instanceIndex: number; atMs: number } | undefined;
  #localCount = 0;
  #inFleet = false;
  #fleetListeners: FleetListener[] = [];

  constructor(options: ModeCBackendOptions, observer: ModeCObserver = {}) {
    assert(options.instanceUrls.length > 0, 'mode c needs at least one discovery instance');
    this.#options = { retryMs: retryMsDefault, ...options };
    this.#observer = observer;
    this.#instances = options.instanceUrls.map(() => ({
      leaseMs: undefined,
      leaseEndsAtMs: Number.NEGATIVE_INFINITY,
      nextRegisterAtMs: 0,
      inFlight: undefined,
      lastError: undefined,
      instanceId: undefined,
      refusedAtMs: Number.NEGATIVE_INFINITY,
    }));
  }

  /** Where discovery asks for our count; registration starts once it is known. */
  setCountUrl(countUrl: string, nowMs: number): void {
    this.#countUrl = countUrl;
    for (const instance of this.#instances) instance.nextRegisterAtMs = nowMs;
    this.onDeadline(nowMs);
  }

  get serverId(): string {
    return this.#options.serverId;
  }

  get localCount(): number {
    return this.#localCount;
  }

  onLocalCount(count: number, nowMs: number): void {
    this.#localCount = count;
    if (this.#leaving && count === 0) this.#deregister(nowMs);
  }

  /** True while some instance's lease runs and every instance is leased or excused (see above). */
  inFleet(nowMs: number): boolean {
    if (!this.#instances.some((instance) => instance.leaseEndsAtMs > nowMs)) return false;
    return this.#instances.every((instance) => this.#coveredUntilMs(instance) > nowMs);
  }

  /** Until when an instance cannot answer a count without us: our lease there, or its warm-up. */
  #coveredUntilMs(instance: Instance): number {
    const leaseMs = instance.leaseMs ?? Math.max(0, ...this.#instances.map((each) => each.leaseMs ?? 0));
    return Math.max(instance.leaseEndsAtMs, instance.refusedAtMs + leaseMs);
  }

  onFleetChange(listener: FleetListener): void {
    this.#fleetListeners.push(listener);
  }

  who(nowMs: number, done: WhoCallback): void {
    if (this.#countUrl === undefined) {
      this.#answer([done], { kind: 'unavailable', reason: 'not registered yet' }, nowMs);
      return;
    }
    if (this.#attempt !== undefined) {
      this.#waiting.push(done);
      return;
    }
    this.#startAttempt([done], nowMs);
  }

  nextDeadlineMs(): number | undefined {
    let deadlineMs = this.#attempt?.deadlineMs;
    if (this.#inFleet) {
      // The instant membership may end: the fence must go up then, not at the next event.
      const lastLeaseEndsAtMs = Math.max(...this.#instances.map((instance) => instance.leaseEndsAtMs));
      const firstUncoveredAtMs = Math.min(...this.#instances.map((each) => this.#coveredUntilMs(each)));
      const fenceAtMs = Math.min(lastLeaseEndsAtMs, firstUncoveredAtMs);
      deadlineMs = deadlineMs === undefined ? fenceAtMs : Math.min(deadlineMs, fenceAtMs);
    }
    if (this.#stopped || this.#countUrl === undefined) return deadlineMs;
    for (const instance of this.#instances) {
      const dueMs =
        instance.inFlight === undefined
          ? instance.nextRegisterAtMs
          : instance.inFlight.sentAtMs + this.#options.callTimeoutMs;
      deadlineMs = deadlineMs === undefined ? dueMs : Math.min(deadlineMs, dueMs);
    }
    return deadlineMs;
  }

  onDeadline(nowMs: number): void {
    const attempt = this.#attempt;
    if (attempt !== undefined && nowMs >= attempt.deadlineMs) {
      this.#attemptFailed(attempt, this.#timeout(attempt.order[attempt.position]!), nowMs);
    }
    this.#instances.forEach((instance, instanceIndex) => {
      if (
        instance.inFlight !== undefined &&
        nowMs >= instance.inFlight.sentAtMs + this.#options.callTimeoutMs
      ) {
        this.#registerDone(instanceIndex, { ok: false, error: this.#timeout(instanceIndex) }, nowMs);
      }
      if (this.#stopped || this.#countUrl === undefined) return;
      if (instance.inFlight === undefined && nowMs >= instance.nextRegisterAtMs)
        this.#register(instanceIndex, nowMs);
    });
    this.#checkFleet(nowMs);
  }

  takeEffects(): ServerEffect[] {
    const effects = this.#effects;
    this.#effects = [];
    return effects;
  }

  onResult(opId: number, result: ServerEffectResult, nowMs: number): void {
    const attempt = this.#attempt;
    if (attempt !== undefined && attempt.opId === opId) {
      this.#countDone(attempt, result as CountResult, nowMs);
    } else {
      const instanceIndex = this.#instances.findIndex((instance) => instance.inFlight?.opId === opId);
      if (instanceIndex >= 0) this.#registerDone(instanceIndex, result as RegisterResult, nowMs);
    }
    this.#checkFleet(nowMs);
  }

  /**
   * Graceful stop: leave the membership once the last client is gone, not before. A member that
   * deregisters while its draining clients are still connected would be missing from sums that
   * should include them; until then the server keeps renewing its leases.
   */
  stop(nowMs: number): void {
    if (this.#leaving) return;
    this.#leaving = true;
    if (this.#localCount === 0) this.#deregister(nowMs);
  }

  #deregister(nowMs: number): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#instances.forEach((instance, instanceIndex) => {
      if (instance.leaseEndsAtMs <= nowMs && instance.inFlight === undefined) return;
      const opId = this.#nextOpId++;
      this.#effects.push({
        opId,
        kind: 'discovery.deregister',
        instanceIndex,
        serverId: this.#options.serverId,
      });
    });
  }

  readiness(nowMs: number): Readiness {
    const reasons = this.#instances.flatMap((instance, instanceIndex) =>
      instance.lastError === undefined
        ? []
        : [describeCallError(instance.lastError, this.#label(instanceIndex))],
    );
    const leased = this.#instances.some((instance) => instance.leaseEndsAtMs > nowMs);
    if (!leased) reasons.unshift('not registered with any discovery instance');
    return { ready: leased && this.inFleet(nowMs) && !this.#leaving, reasons };
  }

  info(nowMs: number): Record<string, unknown> {
    const last = this.#lastAnswer;
    return {
      whoSource: 'discovery',
      whoAgeMs: last === undefined ? null : Math.round(nowMs - last.atMs),
      discoveryInstance: last === undefined ? null : this.#options.instanceUrls[last.instanceIndex],
      discoveryInstances: this.#instances.map((instance, instanceIndex) => ({
        url: this.#options.instanceUrls[instanceIndex],
        leased: instance.leaseEndsAtMs > nowMs,
        leaseMs: instance.leaseMs ?? null,
        lastError: instance.lastError?.code ?? null,
      })),
    };
  }

  /** Tells the listeners when this server joined or left the fleet (called last, once per call). */
  #checkFleet(nowMs: number): void {
    const inFleet = this.inFleet(nowMs);
    if (inFleet === this.#inFleet) return;
    this.#inFleet = inFleet;
    for (const listener of this.#fleetListeners) listener(inFleet, nowMs);
  }

  #register(instanceIndex: number, nowMs: number): void {
    const instance = this.#instances[instanceIndex]!;
    const opId = this.#nextOpId++;
    instance.inFlight = { opId, sentAtMs: nowMs };
    this.#effects.push({
      opId,
      kind: 'discovery.register',
      instanceIndex,
      serverId: this.#options.serverId,
      countUrl: this.#countUrl!,
    });
  }

  #registerDone(instanceIndex: number, received: RegisterResult, nowMs: number): void {
    const instance = this.#instances[instanceIndex]!;
    const sentAtMs = instance.inFlight!.sentAtMs;
    instance.inFlight = undefined;
    const result = this.#checkTopology(instanceIndex, received, nowMs);
    if (received.ok && !result.ok) this.#observer.leaseRefused?.(result.error);
    if (result.ok) {
      instance.instanceId = result.value.instanceId;
      instance.leaseMs = result.value.leaseMs;
      instance.leaseEndsAtMs = sentAtMs + result.value.leaseMs;
      instance.nextRegisterAtMs = sentAtMs + result.value.leaseMs / renewalsPerLease;
      instance.lastError = undefined;
    } else {
      instance.lastError = result.error;
      if (result.error.code === 'HC_DISCOVERY_UNREACHABLE') instance.refusedAtMs = sentAtMs;
      const intervalMs =
        instance.leaseMs === undefined
          ? this.#options.retryMs
          : Math.min(this.#options.retryMs, instance.leaseMs / renewalsPerLease);
      instance.nextRegisterAtMs = nowMs + intervalMs;
    }
  }

  /**
   * A lease from an instance that says the deployment runs more instances than we have addresses
   * is refused: we cannot hold a lease with every instance (we stand behind a balancer), so
   * another instance's sums would miss our clients. Without a lease we never join the fleet. So
   * is a lease from the instance that already holds our live lease through another address: two
   * addresses, one instance, and some other instance missing us.
   */
  #checkTopology(instanceIndex: number, result: RegisterResult, nowMs: number): RegisterResult {
    if (!result.ok) return result;
    const { instanceId } = result.value;
    const sameAsIndex =
      instanceId === undefined
        ? -1
        : this.#instances.findIndex(
            (other, otherIndex) =>
              otherIndex !== instanceIndex && other.instanceId === instanceId && other.leaseEndsAtMs > nowMs,
          );
    if (sameAsIndex >= 0)
      return {
        ok: false,
        error: { code: 'HC_DISCOVERY_SAME_INSTANCE', definite: true, instanceIndex, sameAsIndex },
      };
    if (result.value.instances === undefined) return result;
    const addressCount = this.#instances.length;
    if (result.value.instances <= addressCount) return result;
    return {
      ok: false,
      error: {
        code: 'HC_DISCOVERY_TOPOLOGY',
        definite: true,
        instanceIndex,
        instances: result.value.instances,
        addressCount,
      },
    };
  }

  #startAttempt(batch: WhoCallback[], nowMs: number): void {
    const count = this.#instances.length;
    const order = Array.from({ length: count }, (_, step) => (this.#preferredIndex + step) % count);
    const attempt: Attempt = {
      batch,
      askedAtMs: nowMs,
      order,
      position: 0,
      opId: 0,
      deadlineMs: 0,
      failures: [],
    };
    this.#attempt = attempt;
    this.#ask(attempt, nowMs);
  }

  #ask(attempt: Attempt, nowMs: number): void {
    attempt.opId = this.#nextOpId++;
    attempt.deadlineMs = nowMs + this.#options.callTimeoutMs;
    const instanceIndex = attempt.order[attempt.position]!;
    this.#effects.push({ opId: attempt.opId, kind: 'discovery.count', instanceIndex });
  }

  #countDone(attempt: Attempt, result: CountResult, nowMs: number): void {
    const instanceIndex = attempt.order[attempt.position]!;
    if (!result.ok) {
      this.#attemptFailed(attempt, result.error, nowMs);
      return;
    }
    if (result.value.counts[this.#options.serverId] === undefined) {
      // A total without us is not the fleet's total: this instance has no lease for us (yet).
      this.#instances[instanceIndex]!.leaseEndsAtMs = Number.NEGATIVE_INFINITY;
      this.#instances[instanceIndex]!.nextRegisterAtMs = nowMs;
      attempt.failures.push(`${this.#label(instanceIndex)}: this server not registered`);
      this.#nextInstance(attempt, nowMs);
      return;
    }
    this.#preferredIndex = instanceIndex;
    this.#lastAnswer = { instanceIndex, atMs: nowMs };
    const reply: WhoReply = {
      kind: 'count',
      total: result.value.total,
      source: 'discovery',
      ageMs: nowMs - attempt.askedAtMs,
      detail: this.#options.instanceUrls[instanceIndex],
    };
    this.#finishAttempt(attempt, reply, nowMs);
  }

  #attemptFailed(attempt: Attempt, error: DiscoveryCallError, nowMs: number): void {
    const instanceIndex = attempt.order[attempt.position]!;
    attempt.failures.push(describeCallError(error, this.#label(instanceIndex)));
    if (error.code === 'HC_DISCOVERY_UNAUTHORIZED') this.#instances[instanceIndex]!.lastError = error;
    this.#nextInstance(attempt, nowMs);
  }

  #nextInstance(attempt: Attempt, nowMs: number): void {
    if (attempt.position + 1 >= attempt.order.length) {
      const reason = attempt.failures.join('; ');
      this.#finishAttempt(attempt, { kind: 'unavailable', reason }, nowMs);
      return;
    }
    const fromIndex = attempt.order[attempt.position]!;
    attempt.position += 1;
    this.#observer.failover?.(fromIndex, attempt.order[attempt.position]!);
    this.#ask(attempt, nowMs);
  }

  #finishAttempt(attempt: Attempt, reply: WhoReply, nowMs: number): void {
    assert(this.#attempt === attempt, 'only the current attempt finishes');
    this.#attempt = undefined;
    this.#answer(attempt.batch, reply, nowMs);
    if (this.#waiting.length > 0 && this.#attempt === undefined) {
      const batch = this.#waiting;
      this.#waiting = [];
      this.#startAttempt(batch, nowMs);
    }
  }

  #answer(batch: WhoCallback[], reply: WhoReply, nowMs: number): void {
    this.#observer.answered?.(reply);
    for (const done of batch) done(reply, nowMs);
  }

  #timeout(instanceIndex: number): DiscoveryCallError {
    return {
      code: 'HC_DISCOVERY_TIMEOUT',
      definite: false,
      instanceIndex,
      timeoutMs: this.#options.callTimeoutMs,
    };
  }

  #label(instanceIndex: number): string {
    return `discovery ${instanceIndex}`;
  }
}
