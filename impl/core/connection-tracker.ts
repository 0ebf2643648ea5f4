/**
 * Owns this server's count of connected clients and tells listeners on every change: mode A
 * hangs its publishing on it, mode C serves it to discovery. Pair assertions keep it honest: a
 * count can never go below zero, so a double close is a programmer error, not a drift.
 */
import assert from 'node:assert';

export type CountListener = (count: number, nowMs: number) => void;

export class ConnectionTracker {
  #count = 0;
  #acceptedTotal = 0;
  #listeners: CountListener[] = [];

  get count(): number {
    return this.#count;
  }

  get acceptedTotal(): number {
    return this.#acceptedTotal;
  }

  onChange(listener: CountListener): void {
    this.#listeners.push(listener);
  }

  connect(nowMs: number): void {
    this.#count += 1;
    this.#acceptedTotal += 1;
    this.#notify(nowMs);
  }

  disconnect(nowMs: number): void {
    assert(this.#count > 0, 'disconnect without a matching connect');
    this.#count -= 1;
    this.#notify(nowMs);
  }

  #notify(nowMs: number): void {
    for (const listener of this.#listeners) listener(this.#count, nowMs);
  }
}
