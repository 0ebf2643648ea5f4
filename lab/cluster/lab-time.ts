/**
 * The lab's clock: real time, read and scheduled in PRODUCTION milliseconds. A cluster runs with
 * every duration multiplied by `timeScale` (0.1 = a 5 s TTL becomes 500 ms), so one real
 * millisecond is `1 / timeScale` production milliseconds. Everything the lab records (truth,
 * WHO, faults) is stamped with `nowMs()`, i.e. already scaled back up, so a real run's history and
 * result read in the same units as a simulated one and one checker serves both.
 *
 * Timers are `setTimeout` (this is an adapter room); their real-time jitter of a few ms becomes
 * `jitter / timeScale` production ms, which is why the scale has a floor (`timeScaleMin`).
 */
import { performance } from 'node:perf_hooks';

/** Below this, a 1 ms timer slip is over 100 production ms: results would measure the event loop. */
export const timeScaleMin = 0.01;

export class LabTime {
  readonly timeScale: number;
  #startedAtRealMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(timeScale: number) {
    if (!(timeScale >= timeScaleMin && timeScale <= 1))
      throw new RangeError(`timeScale ${timeScale} is outside [${timeScaleMin}, 1]`);
    this.timeScale = timeScale;
    this.#startedAtRealMs = performance.now();
  }

  /** Makes now the run's t = 0 (after start-up, before the workload); pending timers keep their real delays. */
  resetOrigin(): void {
    this.#startedAtRealMs = performance.now();
  }

  /** Production milliseconds since the lab started (or since `resetOrigin`). */
  nowMs(): number {
    return (performance.now() - this.#startedAtRealMs) / this.timeScale;
  }

  /** A production duration in real milliseconds, rounded, at least `floorMs`. */
  realMs(productionMs: number, floorMs = 1): number {
    return Math.max(floorMs, Math.round(productionMs * this.timeScale));
  }

  /** Runs `fn` at production instant `atMs` (at once when it has passed). */
  at(atMs: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        fn();
      },
      Math.max(0, (atMs - this.nowMs()) * this.timeScale),
    );
    this.#timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  /** Resolves at production instant `atMs`. */
  until(atMs: number): Promise<void> {
    return new Promise((resolve) => this.at(atMs, resolve));
  }

  /** Resolves after `durationMs` production milliseconds. */
  sleep(durationMs: number): Promise<void> {
    return this.until(this.nowMs() + durationMs);
  }

  /** Cancels every pending timer (end of run). */
  cancelAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
