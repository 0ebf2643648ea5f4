/**
 * One fan-out: "how many clients do you have?" asked of every member that was live when it
 * started, with one deadline for all. It completes when every member answered or the deadline
 * passed; it succeeds only if every member answered, so its total is never a partial sum.
 *
 *   start ──► member.count × N ──► answers / errors ──► all settled or deadline ──► outcome
 *
 * A member that deregisters during the broadcast is excused (it left the fleet; a graceful
 * server deregisters only after its clients are gone), so a clean shutdown costs no error.
 */
import assert from 'node:assert';
import type { FanoutOutcome, MemberCallErrorCode, MemberCountResult, MissingMember } from './effects.ts';

interface Ask {
  serverId: string;
  answer: { count: number } | { code: MemberCallErrorCode } | 'excused' | undefined;
}

export class Broadcast {
  readonly startedAtMs: number;
  readonly deadlineMs: number;
  #asks = new Map<number, Ask>();
  #unsettled = 0;

  constructor(startedAtMs: number, fanoutTimeoutMs: number) {
    this.startedAtMs = startedAtMs;
    this.deadlineMs = startedAtMs + fanoutTimeoutMs;
  }

  ask(opId: number, serverId: string): void {
    assert(!this.#asks.has(opId), 'an opId asked twice in one broadcast');
    this.#asks.set(opId, { serverId, answer: undefined });
    this.#unsettled += 1;
  }

  asks(opId: number): boolean {
    return this.#asks.has(opId);
  }

  /** The member's answer; a late or repeated one is ignored. */
  settle(opId: number, result: MemberCountResult): void {
    const ask = this.#asks.get(opId);
    if (ask === undefined || ask.answer !== undefined) return;
    if (result.ok) {
      assert(Number.isInteger(result.value.count) && result.value.count >= 0, 'a count is a natural number');
      ask.answer =
        result.value.serverId === ask.serverId
          ? { count: result.value.count }
          : { code: 'HC_MEMBER_WRONG_ID' };
    } else {
      ask.answer = { code: result.error.code };
    }
    this.#unsettled -= 1;
  }

  excuse(serverId: string): void {
    for (const ask of this.#asks.values()) {
      if (ask.serverId === serverId && ask.answer === undefined) {
        ask.answer = 'excused';
        this.#unsettled -= 1;
      }
    }
  }

  isDone(nowMs: number): boolean {
    return this.#unsettled === 0 || nowMs >= this.deadlineMs;
  }

  /** The outcome once done: the sum if every member answered, otherwise who did not. */
  outcome(): FanoutOutcome {
    const counts: Record<string, number> = {};
    const missing: MissingMember[] = [];
    let total = 0;
    for (const ask of this.#asks.values()) {
      if (ask.answer === 'excused') continue;
      if (ask.answer === undefined) missing.push({ serverId: ask.serverId, code: 'HC_MEMBER_TIMEOUT' });
      else if ('code' in ask.answer) missing.push({ serverId: ask.serverId, code: ask.answer.code });
      else {
        counts[ask.serverId] = ask.answer.count;
        total += ask.answer.count;
      }
    }
    const broadcastStartedAtMs = this.startedAtMs;
    if (missing.length > 0) {
      return {
        ok: false,
        error: { code: 'HC_FANOUT_INCOMPLETE', definite: true, missing, broadcastStartedAtMs },
      };
    }
    return { ok: true, value: { total, counts, broadcastStartedAtMs } };
  }
}
