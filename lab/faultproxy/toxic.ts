/**
 * The toxic contract, a port of Toxiproxy's `toxics/toxic.go` to promises. A toxic is a small
 * async function, `pipe(attrs, stub)`, that reads chunks from its stub, does something to them
 * (delay, slice, drop, close) and writes them on. A connection has one chain of stubs per
 * direction; the toxic itself holds no per-connection state, so one toxic serves every connection:
 *
 *     client ─▶ [noop] ─▶ [latency] ─▶ [bandwidth] ─▶ upstream      (the upstream link)
 *     client ◀─ [noop] ◀─ [slicer] ◀──────────────── upstream       (the downstream link)
 *
 * The rule of the contract: pass every chunk along unless dropping it is the toxic's point, and
 * return promptly when `read()` or `sleep()` reports an interrupt, writing on any chunk you hold,
 * so the chain can be rebuilt under live connections (a toxic added, updated or removed).
 */

/** One read from a socket on its way through the chain. */
export interface StreamChunk {
  readonly data: Buffer;
  /** When the bytes entered the proxy (or left the previous delay); latency counts from here. */
  timestampMs: number;
}

/** What `read()` gives back when the toxic must stop so the chain can be changed. */
export const interrupted: unique symbol = Symbol('interrupted');

/** A chunk, `null` for end of stream (the source closed), or the interrupt marker. */
export type ReadResult = StreamChunk | null | typeof interrupted;

/** The random draws a toxic may make; each toxic has its own stream derived from the root seed. */
export interface Random {
  /** A ratio in [0, 1). */
  nextRatio(): number;
  /** An integer in [min, max]. */
  rangeInclusive(min: number, max: number): number;
}

/** A toxic's view of one connection in one direction. */
export interface ToxicStub {
  /** Waits for the next chunk, `null` at end of stream, or `interrupted`. */
  read(): Promise<ReadResult>;
  /** Passes a chunk to the next toxic. */
  write(chunk: StreamChunk): void;
  /** Ends the stream here: the next toxics see end of stream and the connection closes. */
  close(): void;
  /** Resolves true after `ms`, or false as soon as the toxic is interrupted. */
  sleep(ms: number): Promise<boolean>;
  /** A monotonic clock in milliseconds (the same one that stamps chunks). */
  nowMs(): number;
  /** This toxic's random stream. */
  readonly random: Random;
  /** Per-connection state for toxics that declare `newState` (kept across updates). */
  state: unknown;
}

/** The Go type of an attribute, for Go-compatible decoding errors. */
export type GoIntType = 'int64' | 'int';

/** An attribute as clients send it (`wire`) and as our code names it (`field`, with its unit). */
export interface AttributeSpec<F extends string = string> {
  readonly wire: string;
  readonly field: F;
  readonly goType: GoIntType;
  /**
   * The largest value accepted (the smallest is 0); a value outside is refused with a 400 in
   * Toxiproxy's error shape. Toxiproxy itself accepts any int64, so -5000 or 1e18 ms "work" there.
   */
  readonly max: number;
}

/** An hour: no lab run holds a chunk, a close or a connection longer than that. */
export const attributeMsMax = 3_600_000;

/** A kind of toxic: its wire type name, its attributes and its pipe. One per file in `toxics/`. */
export interface ToxicKind<F extends string = string> {
  readonly type: string;
  readonly attributes: readonly AttributeSpec<F>[];
  pipe(attrs: Readonly<Record<F, number>>, stub: ToxicStub): Promise<void>;
  /** Creates the per-connection state (Toxiproxy's `StatefulToxic`). */
  newState?(): unknown;
  /** Runs when the toxic is removed from a live connection (Toxiproxy's `CleanupToxic`). */
  cleanup?(stub: ToxicStub): void;
  /** Closing a link that holds this toxic resets (RST) instead of closing (FIN). */
  readonly resetsOnClose?: boolean;
}
