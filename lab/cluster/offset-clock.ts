/**
 * A lab server's clock: the machine's clocks plus an offset in real milliseconds, which a clock
 * jump changes while the server runs. This is how the lab gives each in-process server the
 * simulator's per-server clock offset (`cluster.clockOffsetMsMax`) and applies `clock-jump`:
 * Redis and discovery keep the machine's clock, as in the simulator (offset 0).
 */

import { monotonicClock, wallClock } from '../../impl/adapters/system-clock.ts';
import type { Clock } from '../../impl/ports/clock.ts';

export class OffsetClock {
  /** Real milliseconds added to both clocks. */
  offsetMs: number;
  readonly monotonic: Clock;
  readonly wall: Clock;

  constructor(offsetMs = 0) {
    this.offsetMs = offsetMs;
    this.monotonic = { nowMs: () => monotonicClock.nowMs() + this.offsetMs };
    this.wall = { nowMs: () => wallClock.nowMs() + this.offsetMs };
  }

  /** Jumps by `deltaMs` real milliseconds (negative: back), permanently. */
  jump(deltaMs: number): void {
    this.offsetMs += deltaMs;
  }
}
