/**
 * Every bound the load driver keeps, with its reason (STYLE §5). Options are checked against
 * these in `options.ts`; the clients assert them where they allocate.
 */

/** Latencies are recorded in microseconds; 1 µs is the finest step `performance.now()` gives us. */
export const latencyUsLowest = 1;
/** 60 s: longer than the longest allowed timeout, so every answered request fits; larger values clamp. */
export const latencyUsHighest = 60_000_000;
/** Three digits keep p99.9 within 0.1% while a histogram stays ~30 KB in memory and a few KB encoded. */
export const latencySignificantDigits = 3;

/** Requests one connection may keep in flight in the closed loop; deeper adds no realism, only memory. */
export const pipelineDepthMax = 1024;
/**
 * Requests one connection may have in flight in the open loop. When a stalled server fills it, later
 * sends wait; their latency still counts from the intended send time, so the stall is not hidden.
 */
export const openLoopInFlightMax = 4096;
/** Held connections per run: file descriptors are finite (ulimit -n is often 1024..65536). */
export const connectionsMax = 20_000;
/** Churn connections open at once; a stalled server must not make us exhaust file descriptors. */
export const churnOpenMax = 1_000;
/** A reply line longer than this is a bad reply; WHO/WHERE/WHY/ERR lines are far shorter. */
export const replyBytesMax = 4096;
/** A run lasts at most a day; longer runs belong to a soak harness with rotation. */
export const durationMsMax = 86_400_000;
/** The timeout must stay below the histogram ceiling so a latency near it is still recorded exactly. */
export const timeoutMsMax = 60_000;
/** Worker threads: more than the cores we have only adds contention. */
export const workerCountMax = 64;
/** Pause before a held connection reconnects, so a refusing server is not hammered in a busy loop. */
export const reconnectDelayMs = 100;
/** Ticker period in the open loop and churn: sends are at most this late (the lag is measured). */
export const openLoopTickMs = 1;
/** Timeouts are checked this often; scanning every connection each 1 ms tick would cost O(connections). */
export const timeoutCheckIntervalMs = 10;
/** Ticker period in the closed loop, which only checks timeouts, ramp and the end of the run. */
export const closedLoopTickMs = 5;
