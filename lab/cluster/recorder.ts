/**
 * Ground truth in real time: the lab's side of `experiment/history.ts`. The client pool reports every
 * connection that opens or closes and every WHO asked and answered; the cluster reports faults,
 * heals and boots. All stamps are production milliseconds from `LabTime`, so the history is
 * judged by the simulator's own checker (`experiment/checker.ts`) exactly as a simulated one is.
 *
 * Truth is what the clients know: a connection counts from its `connect` event until its
 * `close` (or until we destroy it). The server holds it only once its event loop has accepted
 * it, which a busy server does one connection per loop turn: until the connection's first reply
 * it is also counted `unconfirmed`, and a WHO that leaves it out is not wrong (the checker's
 * range runs down to truth minus unconfirmed). The checker judges each WHO against that range
 * over its whole [asked, answered] interval.
 */
import {
  emptyHistory,
  type History,
  recordPoint,
  recordServerTruth,
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
  /** Clients counted in the truth whose first reply has not come yet. */
  #unconfirmed = 0;
  /** Clients per server index (those whose server is known: behind HAProxy, after `WHERE`). */
  readonly #serverTruth: number[] = [];

  constructor(time: LabTime) {
    this.#time = time;
    this.history = emptyHistory(0);
  }

  get truth(): number {
    return this.#truth;
  }

  /** A connection opened (TCP): counted, and unconfirmed until `admitted`. */
  connected(serverIndex = -1): void {
    this.#truth += 1;
    const nowMs = this.#time.nowMs();
    recordTruth(this.history, nowMs, this.#truth);
    this.#stepUnconfirmed(1, nowMs);
    if (serverIndex >= 0) this.serverConnected(serverIndex, nowMs);
  }

  /** A connection's first reply arrived: its server holds it. */
  admitted(): void {
    this.#stepUnconfirmed(-1, this.#time.nowMs());
  }

  disconnected(serverIndex = -1, admitted = true): void {
    this.#truth -= 1;
    const nowMs = this.#time.nowMs();
    recordTruth(this.history, nowMs, this.#truth);
    if (!admitted) this.#stepUnconfirmed(-1, nowMs);
    if (serverIndex >= 0) this.#serverStep(serverIndex, -1, nowMs);
  }

  #stepUnconfirmed(step: number, nowMs: number): void {
    this.#unconfirmed += step;
    this.history.unconfirmed ??= { tMs: [0], count: [0] };
    recordPoint(this.history.unconfirmed, nowMs, this.#unconfirmed);
  }

  /** A connected client's server became known (the `WHERE` behind a load balancer). */
  serverConnected(serverIndex: number, nowMs = this.#time.nowMs()): void {
    this.#serverStep(serverIndex, 1, nowMs);
  }

  #serverStep(serverIndex: number, step: number, nowMs: number): void {
    while (this.#serverTruth.length <= serverIndex) this.#serverTruth.push(0);
    this.#serverTruth[serverIndex]! += step;
    recordServerTruth(this.history, serverIndex, nowMs, this.#serverTruth[serverIndex]!);
  }

  /**
   * The run starts now (t = 0, after `LabTime.resetOrigin`): what happened during start-up (the
   * initial clients connecting) collapses into the state at 0, so the run begins in steady state
   * as a simulated one does.
   */
  rebase(servers: number): void {
    const { history } = this;
    history.truthTMs = [0];
    history.truthCount = [this.#truth];
    history.unconfirmed = { tMs: [0], count: [this.#unconfirmed] };
    while (this.#serverTruth.length < servers) this.#serverTruth.push(0);
    history.serverTruth = this.#serverTruth.map((count) => ({ tMs: [0], count: [count] }));
    history.who = [];
    history.events = [];
    history.sampleTMs = [];
    history.samplePerServer = [];
    for (const boot of history.boots) boot.atMs = 0;
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
