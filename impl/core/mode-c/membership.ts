/**
 * The discovery service's membership table: which servers are live and where to ask them for
 * their count. A server holds a lease it must renew; a lease that runs out drops the member,
 * because a failure detector cannot tell a slow server from a dead one. The lease is therefore
 * the design's declared limit of consistency: until it runs out, a member that does not answer
 * makes a count impossible (never a number without it); after it, the count is exact without it.
 *
 * Sans-I/O: every call takes `nowMs`; `nextExpiryAtMs` tells the host when to call `expire`.
 */
import assert from 'node:assert';

/** Enough for any fleet we fan out to in one broadcast; bounds memory and a broadcast's width. */
export const membersMax = 10_000;

export interface Member {
  serverId: string;
  countUrl: string;
  expiresAtMs: number;
}

export type RegisterOutcome =
  | { ok: true; leaseMs: number; replaced: string | undefined; isNew: boolean }
  | { ok: false; error: { code: 'HC_MEMBERS_FULL'; definite: true; membersMax: number } };

export class MembershipTable {
  readonly leaseMs: number;
  #members = new Map<string, Member>();
  #byUrl = new Map<string, string>();

  constructor(leaseMs: number) {
    assert(Number.isInteger(leaseMs) && leaseMs > 0, 'leaseMs must be a positive integer');
    this.leaseMs = leaseMs;
  }

  get size(): number {
    return this.#members.size;
  }

  /**
   * Register or renew (an upsert). A different server registering the address of an existing
   * member replaces it: two processes cannot listen on one address, so the old one is gone.
   */
  register(serverId: string, countUrl: string, nowMs: number): RegisterOutcome {
    const existing = this.#members.get(serverId);
    if (existing === undefined && this.#members.size >= membersMax) {
      return { ok: false, error: { code: 'HC_MEMBERS_FULL', definite: true, membersMax } };
    }
    let replaced: string | undefined;
    const holder = this.#byUrl.get(countUrl);
    if (holder !== undefined && holder !== serverId) {
      this.remove(holder);
      replaced = holder;
    }
    if (existing !== undefined && existing.countUrl !== countUrl) this.#byUrl.delete(existing.countUrl);
    const expiresAtMs = nowMs + this.leaseMs;
    this.#members.set(serverId, { serverId, countUrl, expiresAtMs });
    this.#byUrl.set(countUrl, serverId);
    return { ok: true, leaseMs: this.leaseMs, replaced, isNew: existing === undefined };
  }

  remove(serverId: string): boolean {
    const member = this.#members.get(serverId);
    if (member === undefined) return false;
    this.#members.delete(serverId);
    if (this.#byUrl.get(member.countUrl) === serverId) this.#byUrl.delete(member.countUrl);
    return true;
  }

  /** Drops every member whose lease ran out at `nowMs`; returns their ids. */
  expire(nowMs: number): string[] {
    const expired: string[] = [];
    for (const member of this.#members.values()) {
      if (member.expiresAtMs <= nowMs) expired.push(member.serverId);
    }
    for (const serverId of expired) this.remove(serverId);
    return expired;
  }

  nextExpiryAtMs(): number | undefined {
    let earliestMs: number | undefined;
    for (const member of this.#members.values()) {
      if (earliestMs === undefined || member.expiresAtMs < earliestMs) earliestMs = member.expiresAtMs;
    }
    return earliestMs;
  }

  /** Members with a live lease at `nowMs` (call `expire` first to drop the others). */
  live(nowMs: number): Member[] {
    return [...this.#members.values()].filter((member) => member.expiresAtMs > nowMs);
  }

  has(serverId: string): boolean {
    return this.#members.has(serverId);
  }
}
