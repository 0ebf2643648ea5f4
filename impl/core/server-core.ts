/**
 * One server's logic, sans-I/O: admission (connection limits), the session per client, the
 * connection tracker and the counting backend of its mode. The TCP adapter and the simulator
 * both drive this class; neither re-implements any of it.
 *
 * Rule: every admitted session is released exactly once, whatever ends it, so that when every
 * client is gone the count is back to zero (asserted by the tracker, tested by properties).
 */
import assert from 'node:assert';
import { ConnectionTracker } from './connection-tracker.ts';
import type { CountingBackend, WhoCallback } from './counting-backend.ts';
import type { ServerLimits } from './limits.ts';
import { type CloseReason, Session, type SessionHost, type SessionObserver } from './session.ts';

export type AdmitRefusal = 'server-full' | 'per-ip' | 'draining' | 'fenced';

export type Admission = { ok: true; session: Session } | { ok: false; reason: AdmitRefusal };

export interface ServerCoreOptions {
  serverId: string;
  version: string;
  limits: ServerLimits;
  backend: CountingBackend;
  observer?: SessionObserver;
}

export class ServerCore implements SessionHost {
  readonly serverId: string;
  readonly tracker = new ConnectionTracker();
  readonly backend: CountingBackend;
  readonly limits: ServerLimits;
  readonly observer: SessionObserver | undefined;
  #version: string;
  #startedAtMs: number | undefined;
  /** Each admitted session and the address it came from (one map: admit and release are hot). */
  #sessions = new Map<Session, string>();
  #perAddress = new Map<string, number>();
  #draining = false;
  /** Set by the host: called when a session has output ready outside `receive`. */
  onSessionOutput: ((session: Session) => void) | undefined;

  constructor(options: ServerCoreOptions) {
    this.serverId = options.serverId;
    this.#version = options.version;
    this.limits = options.limits;
    this.backend = options.backend;
    this.observer = options.observer;
    this.tracker.onChange((count, nowMs) => this.backend.onLocalCount(count, nowMs));
    this.backend.onFleetChange?.((inFleet, nowMs) => {
      if (!inFleet) this.fence(nowMs);
    });
  }

  start(nowMs: number): void {
    this.#startedAtMs = nowMs;
    this.backend.onLocalCount(0, nowMs);
  }

  get draining(): boolean {
    return this.#draining;
  }

  get sessions(): ReadonlyMap<Session, string> {
    return this.#sessions;
  }

  admit(address: string, nowMs: number): Admission {
    if (this.#draining) return { ok: false, reason: 'draining' };
    if (this.backend.inFleet?.(nowMs) === false) return { ok: false, reason: 'fenced' };
    if (this.#sessions.size >= this.limits.connectionsMax) return { ok: false, reason: 'server-full' };
    const fromAddress = this.#perAddress.get(address) ?? 0;
    const perIpMax = this.limits.connectionsPerIpMax;
    if (perIpMax > 0 && fromAddress >= perIpMax) return { ok: false, reason: 'per-ip' };
    const session = new Session(this, this.limits, nowMs);
    this.#sessions.set(session, address);
    this.#perAddress.set(address, fromAddress + 1);
    this.tracker.connect(nowMs);
    return { ok: true, session };
  }

  release(session: Session, reason: CloseReason, nowMs: number): void {
    const address = this.#sessions.get(session);
    assert(address !== undefined, 'a session released twice or never admitted');
    this.#sessions.delete(session);
    session.closed(reason);
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left === 0) this.#perAddress.delete(address);
    else this.#perAddress.set(address, left);
    this.tracker.disconnect(nowMs);
  }

  /** Stop admitting; every session finishes what it owes with `BYE shutting down`. */
  drain(nowMs: number): void {
    if (this.#draining) return;
    this.#draining = true;
    for (const session of this.#sessions.keys()) session.drain();
    this.backend.stop(nowMs);
  }

  /**
   * The backend says this server's clients are no longer counted (mode C: no lease with any
   * discovery instance). Every session ends now: owed WHOs get `ERR unavailable lease lost`,
   * then `BYE lease lost`, so the clients leave (and reconnect elsewhere) before discovery drops
   * this server from its sums. New clients are refused until the backend is in the fleet again.
   */
  fence(_nowMs: number): void {
    for (const session of [...this.#sessions.keys()]) {
      session.fence();
      this.wake(session);
    }
  }

  wake(session: Session): void {
    this.onSessionOutput?.(session);
  }

  who(nowMs: number, done: WhoCallback): void {
    this.backend.who(nowMs, done);
  }

  info(nowMs: number): Record<string, unknown> {
    return {
      serverId: this.serverId,
      mode: this.backend.mode,
      localConnections: this.tracker.count,
      version: this.#version,
      uptimeMs: Math.max(0, Math.round(nowMs - (this.#startedAtMs ?? nowMs))),
      ...this.backend.info(nowMs),
    };
  }
}
