/**
 * A discovery instance, sans-I/O: the membership table plus count requests answered by
 * broadcasts. The HTTP adapter (`impl/adapters/discovery/`) and the simulator both drive it:
 * they call `register`/`deregister`/`requestCount` when a request arrives, carry out the
 * `member.count` effects, feed back results, and call `onDeadline` when asked to.
 *
 * Warm-up: an instance refuses counts (`HC_FANOUT_WARMING_UP`) for one lease after it starts,
 * because until then its table may lack members that have not renewed yet (the other instance
 * answers meanwhile; servers fail over).
 *
 * Many readers, few broadcasts: requests that arrive while no broadcast runs start one at once;
 * requests that arrive while one runs wait and share the next. So an answer never comes from a
 * broadcast that started before its request arrived (it would miss changes made before the
 * request), and N concurrent readers cost at most two broadcasts, not N.
 *
 *   requestCount ──► idle? ──yes──► start broadcast(batch = [request])
 *                      │no
 *                      └──► next batch ── current broadcast done ──► answer current batch,
 *                                                                    start broadcast(next batch)
 */
import assert from 'node:assert';
import { Broadcast } from './broadcast.ts';
import type { DiscoveryEffect, FanoutOutcome, MemberCountResult } from './effects.ts';
import { type Member, MembershipTable, type RegisterOutcome } from './membership.ts';

/**
 * Count requests waiting for the next broadcast. Each holds an open HTTP request; beyond this
 * the instance answers HC_FANOUT_BUSY at once instead of holding sockets without bound.
 */
export const requestsWaitingMax = 10_000;

export type FanoutCallback = (outcome: FanoutOutcome, nowMs: number) => void;

export interface DiscoveryCoreOptions {
  /** A member not renewed for this long is dropped. */
  leaseMs: number;
  /**
   * When this instance started (its own clock). It refuses counts until one full lease has
   * passed since: an instance that starts empty (first start, or a restart that lost its table)
   * knows only the members that re-registered so far, and a sum over them would be an
   * undercount. Every live server renews at least three times per lease, so after `leaseMs`
   * every server that can reach this instance is in its table.
   */
  startedAtMs: number;
  /** A broadcast waits this long for every member, then fails naming the silent ones. */
  fanoutTimeoutMs: number;
}

/** What the adapter turns into metrics and logs. */
export interface DiscoveryObserver {
  leaseExpired?(serverId: string): void;
  broadcastDone?(durationMs: number, outcome: FanoutOutcome, requests: number): void;
  memberJoined?(serverId: string, countUrl: string): void;
  memberLeft?(serverId: string, reason: 'deregistered' | 'replaced'): void;
}

export class DiscoveryCore {
  readonly options: Readonly<DiscoveryCoreOptions>;
  readonly members: MembershipTable;
  #observer: DiscoveryObserver;
  #effects: DiscoveryEffect[] = [];
  #nextOpId = 1;
  #current: { broadcast: Broadcast; batch: FanoutCallback[] } | undefined;
  #next: FanoutCallback[] = [];
  #broadcastCount = 0;

  constructor(options: DiscoveryCoreOptions, observer: DiscoveryObserver = {}) {
    assert(Number.isInteger(options.fanoutTimeoutMs) && options.fanoutTimeoutMs > 0, 'fanoutTimeoutMs > 0');
    this.options = Object.freeze({ ...options });
    this.members = new MembershipTable(options.leaseMs);
    this.#observer = observer;
  }

  /** Broadcasts started so far (for the bench's broadcasts-per-WHO ratio). */
  get broadcastCount(): number {
    return this.#broadcastCount;
  }

  register(serverId: string, countUrl: string, nowMs: number): RegisterOutcome {
    this.#expire(nowMs);
    const outcome = this.members.register(serverId, countUrl, nowMs);
    if (outcome.ok && outcome.replaced !== undefined) {
      this.#current?.broadcast.excuse(outcome.replaced);
      this.#observer.memberLeft?.(outcome.replaced, 'replaced');
    }
    if (outcome.ok && outcome.isNew) this.#observer.memberJoined?.(serverId, countUrl);
    this.#finishIfDone(nowMs);
    return outcome;
  }

  deregister(serverId: string, nowMs: number): boolean {
    const removed = this.members.remove(serverId);
    if (removed) {
      this.#current?.broadcast.excuse(serverId);
      this.#observer.memberLeft?.(serverId, 'deregistered');
    }
    this.#finishIfDone(nowMs);
    return removed;
  }

  liveMembers(nowMs: number): Member[] {
    return this.members.live(nowMs);
  }

  /** The instant this instance starts answering counts (one lease after it started). */
  get warmAtMs(): number {
    return this.options.startedAtMs + this.options.leaseMs;
  }

  /** Ask for the fleet's total; `done` is called exactly once, now (no members) or later. */
  requestCount(nowMs: number, done: FanoutCallback): void {
    if (nowMs < this.warmAtMs) {
      const warmInMs = this.warmAtMs - nowMs;
      done({ ok: false, error: { code: 'HC_FANOUT_WARMING_UP', definite: true, warmInMs } }, nowMs);
      return;
    }
    if (this.#current === undefined) {
      this.#start([done], nowMs);
      return;
    }
    if (this.#next.length >= requestsWaitingMax) {
      done({ ok: false, error: { code: 'HC_FANOUT_BUSY', definite: true, requestsWaitingMax } }, nowMs);
      return;
    }
    this.#next.push(done);
  }

  nextDeadlineMs(): number | undefined {
    const expiryMs = this.members.nextExpiryAtMs();
    const broadcastMs = this.#current?.broadcast.deadlineMs;
    if (expiryMs === undefined) return broadcastMs;
    return broadcastMs === undefined ? expiryMs : Math.min(expiryMs, broadcastMs);
  }

  onDeadline(nowMs: number): void {
    this.#expire(nowMs);
    this.#finishIfDone(nowMs);
  }

  takeEffects(): DiscoveryEffect[] {
    const effects = this.#effects;
    this.#effects = [];
    return effects;
  }

  onResult(opId: number, result: MemberCountResult, nowMs: number): void {
    const current = this.#current;
    if (current === undefined || !current.broadcast.asks(opId)) return; // from a finished broadcast
    current.broadcast.settle(opId, result);
    this.#finishIfDone(nowMs);
  }

  #expire(nowMs: number): void {
    for (const serverId of this.members.expire(nowMs)) this.#observer.leaseExpired?.(serverId);
  }

  #start(batch: FanoutCallback[], nowMs: number): void {
    this.#expire(nowMs);
    const broadcast = new Broadcast(nowMs, this.options.fanoutTimeoutMs);
    this.#broadcastCount += 1;
    for (const member of this.members.live(nowMs)) {
      const opId = this.#nextOpId++;
      broadcast.ask(opId, member.serverId);
      this.#effects.push({
        opId,
        kind: 'member.count',
        serverId: member.serverId,
        countUrl: member.countUrl,
      });
    }
    this.#current = { broadcast, batch };
    this.#finishIfDone(nowMs);
  }

  #finishIfDone(nowMs: number): void {
    const current = this.#current;
    if (current === undefined || !current.broadcast.isDone(nowMs)) return;
    this.#current = undefined;
    const outcome = current.broadcast.outcome();
    this.#observer.broadcastDone?.(nowMs - current.broadcast.startedAtMs, outcome, current.batch.length);
    for (const done of current.batch) done(outcome, nowMs);
    if (this.#next.length > 0 && this.#current === undefined) {
      const batch = this.#next;
      this.#next = [];
      this.#start(batch, nowMs);
    }
  }
}
