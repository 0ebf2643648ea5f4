/**
 * Mode `local`: WHO is this server's own count. No effects, no deadlines; the base case the
 * other modes extend, and the one a single-node deployment needs.
 */
import type { CountingBackend, Effect, Readiness, WhoCallback } from './counting-backend.ts';

/** What `takeEffects` returns, always (frozen: shared by every call; hosts ask after every read). */
const noEffects: readonly never[] = Object.freeze([]);

export class LocalBackend implements CountingBackend {
  readonly mode = 'local' as const;
  #count = 0;

  onLocalCount(count: number): void {
    this.#count = count;
  }

  who(nowMs: number, done: WhoCallback): void {
    done({ kind: 'count', total: this.#count, source: 'local', ageMs: 0 }, nowMs);
  }

  nextDeadlineMs(): number | undefined {
    return undefined;
  }

  onDeadline(): void {}

  takeEffects(): Effect[] {
    return noEffects as never[];
  }

  onResult(): void {}

  stop(): void {}

  readiness(): Readiness {
    return { ready: true, reasons: [] };
  }

  info(): Record<string, unknown> {
    return { whoSource: 'local', whoAgeMs: 0 };
  }
}
