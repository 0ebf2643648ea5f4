/**
 * Mode A's `CountingBackend`: the publisher (this server's entry in the Redis registry) and the
 * WHO reader (the fleet total from it), sharing one op-id space. Sans-I/O: the ioredis executor
 * (`impl/adapters/modes/a.ts`) and the simulator carry out the effects of `effects.ts`.
 *
 * Readiness: always ready (answering, possibly stale, is the point of mode A), with reasons when
 * Redis is failing or this server is not registered yet, so `/readyz` shows the trouble.
 */
import type { CountingBackend, Readiness, WhoCallback } from '../counting-backend.ts';
import type { Result } from '../result.ts';
import type { KvError, KvTotal, ModeAEffect, ModeAResult } from './effects.ts';
import { checkModeAOptions, type ModeAOptions } from './options.ts';
import { Publisher } from './publisher.ts';
import { WhoReader } from './who-reader.ts';

export class ModeABackend implements CountingBackend<ModeAEffect, ModeAResult> {
  readonly mode = 'a' as const;
  readonly publisher: Publisher;
  readonly reader: WhoReader;
  #lastOpId = 0;

  constructor(serverId: string, options: ModeAOptions) {
    checkModeAOptions(options);
    const nextOpId = () => {
      this.#lastOpId += 1;
      return this.#lastOpId;
    };
    this.publisher = new Publisher(serverId, options, nextOpId);
    this.reader = new WhoReader(options, nextOpId, () => this.publisher.count);
  }

  onLocalCount(count: number, nowMs: number): void {
    this.publisher.onLocalCount(count, nowMs);
  }

  who(nowMs: number, done: WhoCallback): void {
    this.reader.who(nowMs, done);
  }

  nextDeadlineMs(): number | undefined {
    const a = this.publisher.nextDeadlineMs();
    const b = this.reader.nextDeadlineMs();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  onDeadline(nowMs: number): void {
    this.reader.onDeadline(nowMs);
    this.publisher.onDeadline(nowMs);
  }

  takeEffects(): ModeAEffect[] {
    const writes: ModeAEffect[] = this.publisher.takeEffects();
    const reads = this.reader.takeEffects();
    if (reads.length === 0) return writes;
    return writes.length === 0 ? reads : writes.concat(reads);
  }

  onResult(opId: number, result: ModeAResult, nowMs: number): void {
    if (this.publisher.owns(opId)) {
      this.publisher.onResult(opId, result.ok ? undefined : result.error, nowMs);
    } else if (this.reader.owns(opId)) {
      this.reader.onResult(opId, result as Result<KvTotal, KvError>, nowMs);
    }
  }

  stop(nowMs: number): void {
    this.publisher.stop(nowMs);
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    const error = this.publisher.lastError ?? this.reader.lastError;
    if (error !== undefined) reasons.push(`redis trouble (${error.code}); WHO answers the last known total`);
    if (this.publisher.publishedCount === undefined && this.publisher.state === 'running') {
      reasons.push('not yet registered in redis');
    }
    return { ready: true, reasons };
  }

  info(nowMs: number): Record<string, unknown> {
    const known = this.reader.known;
    const publishedAtMs = this.publisher.lastPublishedAtMs;
    return {
      whoSource: this.reader.lastSource ?? 'none',
      whoAgeMs: Math.round(this.reader.lastAgeMs),
      knownTotal: known?.total,
      knownServers: known?.servers,
      knownAgeMs: known === undefined ? undefined : Math.round(nowMs - known.sentAtMs),
      publishedCount: this.publisher.publishedCount,
      publishedAgeMs: publishedAtMs === undefined ? undefined : Math.round(nowMs - publishedAtMs),
      publisherState: this.publisher.state,
      redisError: (this.publisher.lastError ?? this.reader.lastError)?.code,
    };
  }
}
