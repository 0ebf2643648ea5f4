/**
 * Runs a sans-I/O `CountingBackend` in real time: one timer for its next deadline, and an
 * executor that carries out its effects (Redis calls, HTTP to discovery) and feeds each outcome
 * back. The simulator has its own driver on virtual time; the backend cannot tell them apart.
 *
 * Rule: an executor never throws; a failure is a result value the backend understands.
 */
import type { Clock } from '../ports/clock.ts';
import type { CountingBackend, Effect } from '../core/counting-backend.ts';

export type EffectExecutor<E extends Effect, R> = (effect: E) => Promise<R>;

export class BackendDriver<E extends Effect, R> {
  #backend: CountingBackend<E, R>;
  #execute: EffectExecutor<E, R>;
  #clock: Clock;
  #timer: NodeJS.Timeout | undefined;
  #timerAtMs: number | undefined;
  #stopped = false;
  #inFlight = new Set<Promise<void>>();

  constructor(backend: CountingBackend<E, R>, execute: EffectExecutor<E, R>, clock: Clock) {
    this.#backend = backend;
    this.#execute = execute;
    this.#clock = clock;
  }

  /** Carry out new effects and re-arm the deadline timer; call after anything that told the backend news. */
  pump(): void {
    const effects = this.#backend.takeEffects();
    // Indexed: this runs after every read, and most calls have nothing to do.
    for (let index = 0; index < effects.length; index += 1) this.#run(effects[index]!);
    if (!this.#stopped) this.#arm();
  }

  /** Effects still running (e.g. the final delete on a graceful stop). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all([...this.#inFlight]), deadline]);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(effect: E): void {
    const running = this.#execute(effect).then((result) => {
      this.#inFlight.delete(running);
      this.#backend.onResult(effect.opId, result, this.#clock.nowMs());
      this.pump();
    });
    this.#inFlight.add(running);
  }

  #arm(): void {
    const deadlineMs = this.#backend.nextDeadlineMs();
    if (deadlineMs === this.#timerAtMs) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAtMs = deadlineMs;
    if (deadlineMs === undefined) return;
    const delayMs = Math.max(0, deadlineMs - this.#clock.nowMs());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAtMs = undefined;
      this.#backend.onDeadline(this.#clock.nowMs());
      this.pump();
    }, Math.ceil(delayMs));
    this.#timer.unref();
  }
}
