/**
 * Ground truth in real time: the lab's side of `experiment/history.ts`. The client pool reports every
 * connection that opens or closes and every WHO asked and answered; the cluster reports faults,
 * heals and boots. All stamps are production milliseconds from `LabTime`, so the history is
 * judged by the simulator's own checker (`experiment/checker.ts`) exactly as a simulated one is.
 *
 * Truth is what the clients know: a connection counts from its `connect` event until its
 * `close` (or until we destroy it). The server admits it within the same loopback round trip;
 * the checker judges each WHO against the truth over its whole [asked, answered] interval.
 */
import {
  emptyHistory,
  type History,
  recordTruth,
  type WhoOutcome,
  type WhoRecord,
} from '../../experiment/history.ts';
import type { LabTime } from './lab-time.ts';

/** Bound on recorded WHO probes: at 1000/s real that is over 15 minutes of history. */
export const whoRecordsMax = 1_000_000;

export class Recorder {
  readonly history: History;
  readonly #time: LabTime;
  #truth = 0;

  constructor(time: LabTime) {
    this.#time = time;
    this.history = emptyHistory(0);
  }

  get truth(): number {
    return this.#truth;
  }

  connected(): void {
    this.#truth += 1;
    recordTruth(this.history, this.#time.nowMs(), this.#truth);
  }

  disconnected(): void {
    this.#truth -= 1;
    recordTruth(this.history, this.#time.nowMs(), this.#truth);
  }

  /** Starts a WHO record (outcome `timeout` until answered); returns its index, -1 when full. */
  asked(serverIndex: number, timeoutMs: number): number {
    if (this.history.who.length >= whoRecordsMax) return -1;
    const askedAtMs = this.#time.nowMs();
    const record: WhoRecord = {
      askedAtMs,
      answeredAtMs: askedAtMs + timeoutMs,
      outcome: 'timeout',
      value: -1,
      serverIndex,
    };
    this.history.who.push(record);
    return this.history.who.length - 1;
  }

  /** A reply line for record `index`: a number, or anything else (ERR ...) = unavailable. */
  answered(index: number, line: string): void {
    const record = this.history.who[index];
    if (record === undefined || record.outcome !== 'timeout') return;
    const nowMs = this.#time.nowMs();
    if (nowMs > record.answeredAtMs) return; // the client had given up
    record.answeredAtMs = nowMs;
    const outcome: WhoOutcome = /^\d+$/.test(line) ? 'count' : 'unavailable';
    record.outcome = outcome;
    if (outcome === 'count') record.value = Number(line);
  }

  /** The connection carrying record `index` closed before an answer. */
  abandoned(index: number): void {
    const record = this.history.who[index];
    if (record !== undefined && record.outcome === 'timeout' && record.answeredAtMs > this.#time.nowMs())
      record.outcome = 'abandoned';
  }

  event(kind: string, target: string, detail?: string): void {
    const atMs = this.#time.nowMs();
    this.history.events.push(detail === undefined ? { atMs, kind, target } : { atMs, kind, target, detail });
  }

  boot(serverIndex: number, id: string): void {
    this.history.boots.push({ serverIndex, id, atMs: this.#time.nowMs() });
  }

  sample(perServer: number[]): void {
    this.history.sampleTMs.push(this.#time.nowMs());
    this.history.samplePerServer.push(perServer);
  }

  /** Closes the history at `durationMs` (production): late answers become abandoned. */
  finish(durationMs: number): History {
    this.history.durationMs = durationMs;
    for (const record of this.history.who) {
      if (record.outcome === 'timeout' && record.answeredAtMs > durationMs) record.outcome = 'abandoned';
    }
    return this.history;
  }
}
