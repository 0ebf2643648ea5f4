/**
 * How a server counts the fleet: `local` (only itself), mode A (Redis registry) or mode C
 * (discovery fan-out). A backend is sans-I/O like everything in core: it is told about count
 * changes and time, and it hands out effects (data) that an adapter or the simulator carries out,
 * feeding the outcome back with `onResult`. WHO answers arrive through a callback, synchronously
 * when the backend already knows (local, a fresh cache) or later when an effect completes.
 */

export type Mode = 'local' | 'a' | 'c';

export type WhoSource = 'local' | 'redis' | 'cache' | 'last-known' | 'discovery';

export type WhoReply =
  | { kind: 'count'; total: number; source: WhoSource; ageMs: number; detail?: string }
  | { kind: 'unavailable'; reason: string };

export type WhoCallback = (reply: WhoReply, nowMs: number) => void;

/** An effect the host must carry out; `opId` identifies its result. Each mode defines its kinds. */
export interface Effect {
  opId: number;
  kind: string;
}

export interface Readiness {
  /** Ready to serve clients. Mode A stays ready when Redis is down: answering is its point. */
  ready: boolean;
  /** Problems worth showing on /readyz even when ready (e.g. "redis unreachable"). */
  reasons: string[];
}

/** Told when this server joins or leaves the set of servers whose clients the fleet counts. */
export type FleetListener = (inFleet: boolean, nowMs: number) => void;

export interface CountingBackend<E extends Effect = Effect, R = unknown> {
  readonly mode: Mode;
  /** The local count changed (a client connected or left). */
  onLocalCount(count: number, nowMs: number): void;
  /** A client asked WHO; `done` is called exactly once, now or later. */
  who(nowMs: number, done: WhoCallback): void;
  /** The next instant `onDeadline` must be called, if any. */
  nextDeadlineMs(): number | undefined;
  onDeadline(nowMs: number): void;
  /** Effects produced since the last call, in order. */
  takeEffects(): E[];
  /** The outcome of an effect. */
  onResult(opId: number, result: R, nowMs: number): void;
  /** A graceful stop begins: e.g. delete the registry entry, deregister. */
  stop(nowMs: number): void;
  readiness(nowMs: number): Readiness;
  /** Facts for INFO and /readyz. */
  info(nowMs: number): Record<string, unknown>;
  /**
   * Optional (mode C): whether this server's clients are part of the fleet's count at `nowMs`.
   * When it is not, the server must hold no clients, or counts elsewhere would silently miss
   * them: `ServerCore` refuses new clients and closes the ones it has (a fence).
   */
  inFleet?(nowMs: number): boolean;
  /** Optional (mode C): called, at the end of a backend call, whenever `inFleet` changes. */
  onFleetChange?(listener: FleetListener): void;
}
