/**
 * Mode A's publishing policy, sans-I/O: when to write this server's count to the registry.
 *
 *   count change ──► dirty since t ──(t + publishDelayMs)──► kv.publish ──ok──► heartbeat due at send + heartbeatMs
 *   heartbeat due ─────────────────────────────────────────► kv.publish  │
 *                                                                       └─fail─► retry at now + backoff (doubling, ≤ 1 s)
 *   stop() ──(in-flight write finishes)──► kv.remove (≤ removeAttemptsMax tries) ──► stopped
 *
 * Rules: at most ONE write in flight, so this server's writes reach Redis in order; a storm of
 * changes costs at most one write per `publishDelayMs` (0: one per round trip, the latest count);
 * a failure never blocks WHO or clients, it only schedules a retry. Nothing is published after
 * `stop()`. A Redis that restarted empty is healed by the next publish, which rewrites the entry.
 */
import type { KvError, KvPublish, KvRemove } from './effects.ts';
import type { ModeAOptions } from './options.ts';

/** What `takeEffects` returns when nothing is owed (frozen: shared by every call). */
const noEffects: readonly never[] = Object.freeze([]);

export type PublisherState = 'running' | 'stopping' | 'stopped';

type Write =
  | { opId: number; kind: 'kv.publish'; count: number; sentAtMs: number }
  | { opId: number; kind: 'kv.remove' };

export class Publisher {
  readonly serverId: string;
  #options: ModeAOptions;
  #nextOpId: () => number;
  #count = 0;
  /** The count Redis holds for us after the last successful publish; undefined before. */
  #publishedCount: number | undefined;
  #lastPublishedAtMs: number | undefined;
  /** When the first change not yet written happened; undefined when nothing is owed. */
  #dirtySinceMs: number | undefined;
  #heartbeatAtMs: number | undefined;
  #retryAtMs: number | undefined;
  #failureCount = 0;
  #removeAttempts = 0;
  #inFlight: Write | undefined;
  #state: PublisherState = 'running';
  #lastError: KvError | undefined;
  #writeCount = 0;
  #out: (KvPublish | KvRemove)[] = [];

  constructor(serverId: string, options: ModeAOptions, nextOpId: () => number) {
    this.serverId = serverId;
    this.#options = options;
    this.#nextOpId = nextOpId;
  }

  get state(): PublisherState {
    return this.#state;
  }
  get count(): number {
    return this.#count;
  }
  get publishedCount(): number | undefined {
    return this.#publishedCount;
  }
  get lastPublishedAtMs(): number | undefined {
    return this.#lastPublishedAtMs;
  }
  get lastError(): KvError | undefined {
    return this.#lastError;
  }
  get failureCount(): number {
    return this.#failureCount;
  }
  /** Writes issued so far (publishes and removes), for benches and tests. */
  get writeCount(): number {
    return this.#writeCount;
  }

  onLocalCount(count: number, nowMs: number): void {
    this.#count = count;
    if (this.#state !== 'running') return;
    this.#dirtySinceMs ??= nowMs;
    this.#advance(nowMs);
  }

  stop(nowMs: number): void {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    this.#retryAtMs = undefined;
    this.#advance(nowMs);
  }

  owns(opId: number): boolean {
    return this.#inFlight?.opId === opId;
  }

  onResult(opId: number, error: KvError | undefined, nowMs: number): void {
    const write = this.#inFlight;
    if (write === undefined || write.opId !== opId) return;
    this.#inFlight = undefined;
    if (error === undefined) this.#succeeded(write, nowMs);
    else this.#failed(write, error, nowMs);
    this.#advance(nowMs);
  }

  nextDeadlineMs(): number | undefined {
    if (this.#inFlight !== undefined || this.#state === 'stopped') return undefined;
    if (this.#retryAtMs !== undefined) return this.#retryAtMs;
    if (this.#state === 'stopping') return undefined;
    const dueAtMs =
      this.#dirtySinceMs === undefined ? undefined : this.#dirtySinceMs + this.#options.publishDelayMs;
    return minDefined(dueAtMs, this.#heartbeatAtMs);
  }

  onDeadline(nowMs: number): void {
    this.#advance(nowMs);
  }

  takeEffects(): (KvPublish | KvRemove)[] {
    const out = this.#out;
    if (out.length === 0) return noEffects as never[]; // hosts ask after every event: no garbage
    this.#out = [];
    return out;
  }

  #succeeded(write: Write, nowMs: number): void {
    this.#failureCount = 0;
    this.#lastError = undefined;
    if (write.kind === 'kv.remove') {
      this.#state = 'stopped';
      this.#publishedCount = undefined;
      return;
    }
    this.#publishedCount = write.count;
    this.#lastPublishedAtMs = nowMs;
    this.#heartbeatAtMs = write.sentAtMs + this.#options.heartbeatMs;
  }

  #failed(write: Write, error: KvError, nowMs: number): void {
    this.#failureCount += 1;
    this.#lastError = error;
    if (write.kind === 'kv.remove' && this.#removeAttempts >= this.#options.removeAttemptsMax) {
      this.#state = 'stopped';
      return;
    }
    // The count is owed again; `#dirtySinceMs` is past so the retry time alone decides.
    if (write.kind === 'kv.publish') this.#dirtySinceMs ??= nowMs - this.#options.publishDelayMs;
    const backoffMs = this.#options.retryBackoffMsMin * 2 ** Math.min(this.#failureCount - 1, 20);
    this.#retryAtMs = nowMs + Math.min(backoffMs, this.#options.retryBackoffMsMax);
  }

  /** Issue the next write if one is due and none is in flight. */
  #advance(nowMs: number): void {
    if (this.#inFlight !== undefined || this.#state === 'stopped') return;
    if (this.#retryAtMs !== undefined) {
      if (nowMs < this.#retryAtMs) return;
      this.#retryAtMs = undefined;
    }
    if (this.#state === 'stopping') {
      this.#remove();
      return;
    }
    const changeDue =
      this.#dirtySinceMs !== undefined && nowMs >= this.#dirtySinceMs + this.#options.publishDelayMs;
    const heartbeatDue = this.#heartbeatAtMs !== undefined && nowMs >= this.#heartbeatAtMs;
    if (changeDue || heartbeatDue) this.#publish(nowMs);
  }

  #publish(nowMs: number): void {
    const opId = this.#nextOpId();
    this.#dirtySinceMs = undefined;
    this.#heartbeatAtMs = undefined;
    this.#inFlight = { opId, kind: 'kv.publish', count: this.#count, sentAtMs: nowMs };
    this.#writeCount += 1;
    this.#out.push({
      opId,
      kind: 'kv.publish',
      serverId: this.serverId,
      count: this.#count,
      ttlMs: this.#options.ttlMs,
      timeoutMs: this.#options.writeTimeoutMs,
    });
  }

  #remove(): void {
    const opId = this.#nextOpId();
    this.#removeAttempts += 1;
    this.#inFlight = { opId, kind: 'kv.remove' };
    this.#writeCount += 1;
    this.#out.push({
      opId,
      kind: 'kv.remove',
      serverId: this.serverId,
      timeoutMs: this.#options.writeTimeoutMs,
    });
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
