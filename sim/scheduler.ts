/**
 * The simulator's event loop: a virtual clock and a binary min-heap of events ordered by
 * (atMs, insertion sequence), so ties run in the order they were scheduled and a run replays
 * exactly. `run(untilMs)` jumps the clock straight to the next event (quinn's `Pair.step()`);
 * nothing waits on a wall clock or a real timer.
 *
 * Limit: `stepsMax` events per run bounds a runaway loop (an event that reschedules itself at
 * the same instant forever); hitting it stops the run and is reported, never silently ignored.
 *
 * The heap stores three parallel arrays (time, sequence, callback) to avoid one object per event.
 */
import assert from 'node:assert';

export type EventCallback = (nowMs: number) => void;

export class Scheduler {
  #nowMs = 0;
  #sequence = 0;
  #times: number[] = [];
  #sequences: number[] = [];
  #callbacks: EventCallback[] = [];
  #steps = 0;
  readonly stepsMax: number;
  #stepsExhausted = false;

  constructor(stepsMax: number) {
    this.stepsMax = stepsMax;
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  get steps(): number {
    return this.#steps;
  }

  get pending(): number {
    return this.#times.length;
  }

  get stepsExhausted(): boolean {
    return this.#stepsExhausted;
  }

  /** Runs `callback` at `atMs` (never before now: a past instant runs now, after what is due). */
  at(atMs: number, callback: EventCallback): void {
    assert(!Number.isNaN(atMs), 'an event at NaN');
    const time = Math.max(atMs, this.#nowMs);
    const sequence = this.#sequence++;
    const times = this.#times;
    const sequences = this.#sequences;
    const callbacks = this.#callbacks;
    let index = times.length;
    times.push(time);
    sequences.push(sequence);
    callbacks.push(callback);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < time || (parentTime === time && sequences[parent]! < sequence)) break;
      times[index] = parentTime;
      sequences[index] = sequences[parent]!;
      callbacks[index] = callbacks[parent]!;
      index = parent;
    }
    times[index] = time;
    sequences[index] = sequence;
    callbacks[index] = callback;
  }

  after(delayMs: number, callback: EventCallback): void {
    this.at(this.#nowMs + delayMs, callback);
  }

  /** Processes events up to and including `untilMs`; the clock ends at `untilMs`. */
  run(untilMs: number): void {
    const times = this.#times;
    while (times.length > 0 && times[0]! <= untilMs) {
      if (this.#steps >= this.stepsMax) {
        this.#stepsExhausted = true;
        return;
      }
      this.#steps += 1;
      const time = times[0]!;
      const callback = this.#pop();
      this.#nowMs = time;
      callback(time);
    }
    if (untilMs > this.#nowMs) this.#nowMs = untilMs;
  }

  #pop(): EventCallback {
    const times = this.#times;
    const sequences = this.#sequences;
    const callbacks = this.#callbacks;
    const top = callbacks[0]!;
    const lastTime = times.pop()!;
    const lastSequence = sequences.pop()!;
    const lastCallback = callbacks.pop()!;
    const size = times.length;
    if (size === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (
        right < size &&
        (times[right]! < times[left]! ||
          (times[right] === times[left] && sequences[right]! < sequences[left]!))
      ) {
        child = right;
      }
      const childTime = times[child]!;
      if (childTime > lastTime || (childTime === lastTime && sequences[child]! > lastSequence)) break;
      times[index] = childTime;
      sequences[index] = sequences[child]!;
      callbacks[index] = callbacks[child]!;
      index = child;
    }
    times[index] = lastTime;
    sequences[index] = lastSequence;
    callbacks[index] = lastCallback;
    return top;
  }
}
