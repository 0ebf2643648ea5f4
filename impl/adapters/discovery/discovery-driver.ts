/**
 * Runs the sans-I/O `DiscoveryCore` in real time: one timer for its next deadline (lease expiry
 * or fan-out deadline) and the member client for its effects. The simulator drives the same core
 * on virtual time instead. Call `pump()` after telling the core anything.
 */
import type { DiscoveryCore } from '../../core/mode-c/discovery-core.ts';
import type { MemberCountEffect, MemberCountResult } from '../../core/mode-c/effects.ts';
import { err } from '../../core/result.ts';
import type { Clock } from '../../ports/clock.ts';

/** What the driver needs of a member client: one call per effect (the tests pass a hostile one). */
export interface MemberCaller {
  execute(effect: MemberCountEffect): Promise<MemberCountResult>;
}

export class DiscoveryDriver {
  #core: DiscoveryCore;
  #members: MemberCaller;
  #clock: Clock;
  #timer: NodeJS.Timeout | undefined;
  #timerAtMs: number | undefined;
  #stopped = false;

  constructor(core: DiscoveryCore, members: MemberCaller, clock: Clock) {
    this.#core = core;
    this.#members = members;
    this.#clock = clock;
  }

  pump(): void {
    if (this.#stopped) return;
    for (const effect of this.#core.takeEffects()) {
      void this.#call(effect).then((result) => {
        if (this.#stopped) return;
        this.#core.onResult(effect.opId, result, this.#clock.nowMs());
        this.pump();
      });
    }
    this.#arm();
  }

  /**
   * One member call whose failure, thrown or rejected, is that member's bad answer: a member (or
   * a bug in how we ask it) can fail its own answer, never the process.
   */
  async #call(effect: MemberCountEffect): Promise<MemberCountResult> {
    try {
      return await this.#members.execute(effect);
    } catch (error) {
      const message = `member call threw: ${String(error).slice(0, 200)}`;
      return err({ code: 'HC_MEMBER_BAD_RESPONSE', definite: false, serverId: effect.serverId, message });
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    const deadlineMs = this.#core.nextDeadlineMs();
    if (deadlineMs === this.#timerAtMs) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAtMs = deadlineMs;
    if (deadlineMs === undefined) return;
    // +1 ms: a timer may fire a fraction early against the monotonic clock; the core then
    // sees the deadline as not yet due, and nothing would re-arm it.
    const delayMs = Math.max(0, deadlineMs - this.#clock.nowMs()) + 1;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAtMs = undefined;
      this.#core.onDeadline(this.#clock.nowMs());
      this.pump();
    }, Math.ceil(delayMs));
    this.#timer.unref();
  }
}
