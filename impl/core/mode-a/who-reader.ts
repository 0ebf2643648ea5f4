/**
 * Mode A's WHO reader, sans-I/O: turns WHO requests into `kv.total` reads and ALWAYS answers.
 *
 *   who() ─┬─ fresh total (age ≤ whoCacheMs) ───────────────────► answer now, source `cache`
 *          ├─ whoCacheMs > 0 and a read in flight ───────────────► wait on that read
 *          └─ otherwise ─► kv.total (one per WHO) ─┬─ ok in time ─► source `redis`
 *                                                  ├─ error ──────► fallback
 *                                                  └─ whoTimeoutMs ► fallback (deadline here)
 *   fallback = last known total (source `last-known`, its age), or this server's own count
 *              (source `local`) when Redis has never answered.
 *
 * A read that answers after its deadline still refreshes the last known total (if no newer read
 * did), so a slow Redis keeps WHO as fresh as it can be without ever making a client wait longer
 * than `whoTimeoutMs`. Ages are measured from when a read was SENT: an honest upper bound.
 */
import type { WhoCallback, WhoReply, WhoSource } from '../counting-backend.ts';
import type { Result } from '../result.ts';
import type { KvError, KvTotal, KvTotalRead } from './effects.ts';
import type { ModeAOptions } from './options.ts';

interface Read {
  opId: number;
  sentAtMs: number;
  deadlineAtMs: number;
  waiters: WhoCallback[];
}

interface Known {
  total: number;
  servers: number;
  sentAtMs: number;
}

/** What `takeEffects` returns when nothing is owed (frozen: shared by every call). */
const noEffects: readonly never[] = Object.freeze([]);

export class WhoReader {
  #options: ModeAOptions;
  #nextOpId: () => number;
  #ownCount: () => number;
  #reads = new Map<number, Read>();
  #known: Known | undefined;
  #lastError: KvError | undefined;
  #lastSource: WhoSource | undefined;
  #lastAgeMs = 0;
  #out: KvTotalRead[] = [];

  constructor(options: ModeAOptions, nextOpId: () => number, ownCount: () => number) {
    this.#options = options;
    this.#nextOpId = nextOpId;
    this.#ownCount = ownCount;
  }

  get known(): Readonly<Known> | undefined {
    return this.#known;
  }
  /** The error of the latest read to finish, cleared by the next success. */
  get lastError(): KvError | undefined {
    return this.#lastError;
  }
  get lastSource(): WhoSource | undefined {
    return this.#lastSource;
  }
  get lastAgeMs(): number {
    return this.#lastAgeMs;
  }
  get readsInFlight(): number {
    return this.#reads.size;
  }

  who(nowMs: number, done: WhoCallback): void {
    const known = this.#known;
    const cacheMs = this.#options.whoCacheMs;
    if (cacheMs > 0 && known !== undefined && nowMs - known.sentAtMs <= cacheMs) {
      this.#answer(done, { total: known.total, source: 'cache', ageMs: nowMs - known.sentAtMs }, nowMs);
      return;
    }
    const shared =
      cacheMs > 0 || this.#reads.size >= this.#options.readsInFlightMax ? this.#newestRead() : undefined;
    if (shared !== undefined) {
      shared.waiters.push(done);
      return;
    }
    const opId = this.#nextOpId();
    this.#reads.set(opId, {
      opId,
      sentAtMs: nowMs,
      deadlineAtMs: nowMs + this.#options.whoTimeoutMs,
      waiters: [done],
    });
    this.#out.push({ opId, kind: 'kv.total', timeoutMs: this.#options.whoTimeoutMs });
  }

  owns(opId: number): boolean {
    return this.#reads.has(opId) || this.#late.has(opId);
  }

  onResult(opId: number, result: Result<KvTotal, KvError>, nowMs: number): void {
    const read = this.#reads.get(opId);
    const sentAtMs = read?.sentAtMs ?? this.#late.get(opId);
    this.#reads.delete(opId);
    this.#late.delete(opId);
    if (sentAtMs === undefined) return;
    if (result.ok) {
      this.#lastError = undefined;
      if (this.#known === undefined || sentAtMs >= this.#known.sentAtMs) {
        this.#known = { total: result.value.total, servers: result.value.servers, sentAtMs };
      }
    } else {
      this.#lastError = result.error;
    }
    if (read === undefined) return;
    for (const done of read.waiters) {
      if (result.ok)
        this.#answer(done, { total: result.value.total, source: 'redis', ageMs: nowMs - sentAtMs }, nowMs);
      else this.#fallback(done, nowMs, result.error.code);
    }
  }

  nextDeadlineMs(): number | undefined {
    let deadlineMs: number | undefined;
    for (const read of this.#reads.values()) {
      if (deadlineMs === undefined || read.deadlineAtMs < deadlineMs) deadlineMs = read.deadlineAtMs;
    }
    return deadlineMs;
  }

  onDeadline(nowMs: number): void {
    for (const read of [...this.#reads.values()]) {
      if (nowMs < read.deadlineAtMs) continue;
      // Stop waiting, but remember the read: its late answer may still refresh the known total.
      this.#reads.delete(read.opId);
      this.#rememberLate(read);
      for (const done of read.waiters) this.#fallback(done, nowMs, 'timeout');
    }
  }

  takeEffects(): KvTotalRead[] {
    const out = this.#out;
    if (out.length === 0) return noEffects as never[]; // hosts ask after every event: no garbage
    this.#out = [];
    return out;
  }

  /** Reads past their deadline whose answers are still welcome; bounded like reads in flight. */
  #late = new Map<number, number>();

  #rememberLate(read: Read): void {
    this.#late.set(read.opId, read.sentAtMs);
    if (this.#late.size > this.#options.readsInFlightMax) {
      const oldest = this.#late.keys().next().value as number;
      this.#late.delete(oldest);
    }
  }

  #newestRead(): Read | undefined {
    let newest: Read | undefined;
    for (const read of this.#reads.values()) newest = read;
    return newest;
  }

  #fallback(done: WhoCallback, nowMs: number, detail: string): void {
    const known = this.#known;
    if (known !== undefined) {
      this.#answer(
        done,
        { total: known.total, source: 'last-known', ageMs: nowMs - known.sentAtMs, detail },
        nowMs,
      );
    } else {
      this.#answer(done, { total: this.#ownCount(), source: 'local', ageMs: 0, detail }, nowMs);
    }
  }

  #answer(done: WhoCallback, reply: Omit<Extract<WhoReply, { kind: 'count' }>, 'kind'>, nowMs: number): void {
    const ageMs = Math.max(0, reply.ageMs);
    this.#lastSource = reply.source;
    this.#lastAgeMs = ageMs;
    done({ kind: 'count', ...reply, ageMs }, nowMs);
  }
}
