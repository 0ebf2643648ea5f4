/**
 * The simulator's event loop: a virtual clock and a binary min-heap of events ordered by
 * (atMs, insertion sequence), so ties run in the order they were scheduled and a run replays
 * exactly. `run(untilMs)` jumps the clock straight to the next event (quinn's `Pair.step()`);
 * nothing waits on a wall clock or a real timer.
 *
 * Limit: `stepsMax` events per run bounds a runaway loop (an event that reschedules itself at
 * the same instant forever); hitting it stops the run and is reported, never silently ignored.
 *
 * The heap holds numbers only: times, sequences and slot indexes in typed arrays (doubled when
 * full). Callbacks stay put in `#callbacks[slot]` (freed slots are reused), so sifting never
 * moves a pointer: moving young callbacks around an old array cost a write barrier per move and
 * made the heap ~20% of a one-hour run (measured with --cpu-prof).
 */
import assert from 'node:assert';

export type EventCallback = (nowMs: number) => void;

/** A handler made once and scheduled many times: each event passes its own target and stamp. */
export type EventHandler<T> = (nowMs: number, target: T, stamp: number) => void;

/** Initial heap capacity; it doubles as needed (a one-hour bench holds ~5,500 pending events). */
const capacityInitial = 1024;

export class Scheduler {
  #nowMs = 0;
  #sequence = 0;
  #size = 0;
  #times = new Float64Array(capacityInitial);
  #sequences = new Float64Array(capacityInitial);
  #slots = new Int32Array(capacityInitial);
  /** Callbacks (and their handler arguments) by slot; `#freeSlots` lists the empty ones. */
  #callbacks: (EventHandler<unknown> | undefined)[] = [];
  #targets: unknown[] = [];
  #stamps: number[] = [];
  #freeSlots: number[] = [];
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
    return this.#size;
  }

  get stepsExhausted(): boolean {
    return this.#stepsExhausted;
  }

  /** Runs `callback` at `atMs` (never before now: a past instant runs now, after what is due). */
  at(atMs: number, callback: EventCallback): void {
    this.atFor(atMs, callback, undefined, 0);
  }

  /**
   * Runs `handler(nowMs, target, stamp)` at `atMs`. For hot paths: one handler made once serves
   * every event, so scheduling allocates no closure (the world's deadlines and departures).
   */
  atFor<T>(atMs: number, handler: EventHandler<T>, target: T, stamp: number): void {
    if (Number.isNaN(atMs)) assert(false, 'an event at NaN');
    const time = Math.max(atMs, this.#nowMs);
    const sequence = this.#sequence++;
    let slot = this.#freeSlots.pop();
    if (slot === undefined) {
      slot = this.#callbacks.length;
      this.#callbacks.push(handler as EventHandler<unknown>);
      this.#targets.push(target);
      this.#stamps.push(stamp);
    } else {
      this.#callbacks[slot] = handler as EventHandler<unknown>;
      this.#targets[slot] = target;
      this.#stamps[slot] = stamp;
    }
    if (this.#size === this.#times.length) this.#grow();
    const times = this.#times;
    const sequences = this.#sequences;
    const slots = this.#slots;
    let index = this.#size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < time || (parentTime === time && sequences[parent]! < sequence)) break;
      times[index] = parentTime;
      sequences[index] = sequences[parent]!;
      slots[index] = slots[parent]!;
      index = parent;
    }
    times[index] = time;
    sequences[index] = sequence;
    slots[index] = slot;
  }

  after(delayMs: number, callback: EventCallback): void {
    this.at(this.#nowMs + delayMs, callback);
  }

  /** Processes events up to and including `untilMs`; the clock ends at `untilMs`. */
  run(untilMs: number): void {
    while (this.#size > 0 && this.#times[0]! <= untilMs) {
      if (this.#steps >= this.stepsMax) {
        this.#stepsExhausted = true;
        return;
      }
      this.#steps += 1;
      const time = this.#times[0]!;
      const slot = this.#pop();
      const callback = this.#callbacks[slot]!;
      const target = this.#targets[slot];
      // Let the callback and what it holds be collected; the slot is free for the next event.
      this.#callbacks[slot] = undefined;
      this.#targets[slot] = undefined;
      this.#freeSlots.push(slot);
      this.#nowMs = time;
      callback(time, target, this.#stamps[slot]!);
    }
    if (untilMs > this.#nowMs) this.#nowMs = untilMs;
  }

  #grow(): void {
    const capacity = this.#times.length * 2;
    const times = new Float64Array(capacity);
    const sequences = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.#times);
    sequences.set(this.#sequences);
    slots.set(this.#slots);
    this.#times = times;
    this.#sequences = sequences;
    this.#slots = slots;
  }

  /** Removes the earliest event from the heap; returns its slot. */
  #pop(): number {
    const times = this.#times;
    const sequences = this.#sequences;
    const slots = this.#slots;
    const topSlot = slots[0]!;
    const size = --this.#size;
    if (size === 0) return topSlot;
    const lastTime = times[size]!;
    const lastSequence = sequences[size]!;
    const lastSlot = slots[size]!;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      let childTime = times[left]!;
      if (right < size) {
        const rightTime = times[right]!;
        if (rightTime < childTime || (rightTime === childTime && sequences[right]! < sequences[left]!)) {
          child = right;
          childTime = rightTime;
        }
      }
      if (childTime > lastTime || (childTime === lastTime && sequences[child]! > lastSequence)) break;
      times[index] = childTime;
      sequences[index] = sequences[child]!;
      slots[index] = slots[child]!;
      index = child;
    }
    times[index] = lastTime;
    sequences[index] = lastSequence;
    slots[index] = lastSlot;
    return topSlot;
  }
}
