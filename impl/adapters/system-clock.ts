/** The real clock: monotonic milliseconds since an arbitrary origin, plus wall time for ids. */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../ports/clock.ts';

/** Monotonic: never jumps with NTP, so deadlines and latencies stay honest. */
export const monotonicClock: Clock = { nowMs: () => performance.now() };

/** Wall time: for ids and anything another machine must read (Snowflake timestamps). */
export const wallClock: Clock = { nowMs: () => Date.now() };
