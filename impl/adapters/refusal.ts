/**
 * Turning clients away without spending the descriptors kept for everything else (admin HTTP,
 * Redis, discovery, logs: `fdReserve` in fd-limit.ts). A refused socket gets its one line
 * written at once (a fresh socket's send buffer is empty, so the write goes straight to the
 * kernel) and is destroyed in the same call, which closes its descriptor there and then: a
 * storm of refusals holds no descriptor past the turn that accepted it. A refusal that lingered
 * for its peer's FIN (as it once did, up to 1 s) let 400 connects at `ulimit -n 256` eat the
 * reserve, and `/metrics` hung up.
 *
 * Accept errors at the limit (EMFILE, ENFILE) come in bursts; libuv drains the queue itself
 * (its reserve-descriptor trick), so all that is left to do is count them and say so, once per
 * `acceptErrorLogIntervalMs`, never once per error: a log line per failed accept is a busy loop
 * of its own.
 */
import type net from 'node:net';

/**
 * Refused sockets whose 'close' has not fired yet. Their descriptors are already closed, so this
 * bounds handles and memory, not descriptors; past it a refused socket is closed without its
 * reply line (the client sees a plain close, as it would from a full accept queue).
 */
export const refusalsInFlightMax = 256;

/** At most one "accept failed" log line per this long; the line says how many were folded in. */
export const acceptErrorLogIntervalMs = 1_000;

export class Refuser {
  #inFlight = 0;
  readonly #onClose = () => {
    this.#inFlight -= 1;
  };

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Writes `line` (when under the bound) and closes the socket now, without waiting for the peer. */
  refuse(socket: net.Socket, line: string): void {
    if (this.#inFlight < refusalsInFlightMax) {
      this.#inFlight += 1;
      socket.once('close', this.#onClose);
      socket.end(line);
    }
    socket.destroy();
  }
}

/** Folds a burst of accept errors into one log line per interval. */
export class AcceptErrorLog {
  #lastLogAtMs = Number.NEGATIVE_INFINITY;
  #folded = 0;

  /** Returns the number of errors to report now (this one plus those folded since), or 0. */
  note(nowMs: number): number {
    this.#folded += 1;
    if (nowMs - this.#lastLogAtMs < acceptErrorLogIntervalMs) return 0;
    this.#lastLogAtMs = nowMs;
    const errors = this.#folded;
    this.#folded = 0;
    return errors;
  }
}
