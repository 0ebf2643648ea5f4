/**
 * One client connection, sans-I/O (quinn-proto's shape): the host feeds it bytes and the time,
 * and takes out the reply bytes and whether to close. It never touches a socket or a clock.
 *
 *   receive(bytes, nowMs) ──► LineDecoder ──► verb ──► reply slot ──► in-order queue ──► takeOutput()
 *                                                        │ WHO
 *                                                        └──► host.who(nowMs, done) ── later ──┘
 *
 * Replies leave in request order: while a WHO is being answered, later replies wait behind it in
 * `#queue` (at most `pendingRepliesMax` slots, plus the lines of one read chunk); the host stops
 * reading while `wantsInput()` is false. After QUIT, an overlong line, the maximum age or a
 * drain, the session accepts no more input, flushes what it owes and is `closing`; the host
 * ends the socket once `takeOutput()` returned everything.
 */
import assert from 'node:assert';
import type { WhoCallback, WhoReply } from './counting-backend.ts';
import type { ServerLimits } from './limits.ts';
import { type DecodeStatus, LineDecoder, type LineVisitor } from './line-decoder.ts';
import {
  byeReply,
  closeReplies,
  errors,
  helpReply,
  unknownCommandReply,
  type Verb,
  whyReply,
} from './protocol.ts';

export type ProtocolErrorKind = 'line-too-long' | 'invalid-bytes' | 'unknown-command';

export interface SessionObserver {
  command(verb: Verb, durationMs: number): void;
  protocolError(kind: ProtocolErrorKind): void;
}

export interface SessionHost {
  readonly serverId: string;
  who(nowMs: number, done: WhoCallback): void;
  info(nowMs: number): Record<string, unknown>;
  readonly observer?: SessionObserver;
  /** Output became ready outside `receive` (a late WHO answer): the host should send it. */
  wake?(session: Session): void;
}

export type SessionState = 'open' | 'closing' | 'closed';

export type CloseReason =
  | 'quit'
  | 'line-too-long'
  | 'idle'
  | 'max-age'
  | 'draining'
  | 'fenced'
  | 'peer'
  | 'error';

interface Slot {
  text: string | undefined;
  closes: boolean;
}

/**
 * The queue of a session with nothing owed, shared: most clients never have a reply waiting, and
 * an empty array each is 32 bytes per idle client. Frozen, so a push onto it fails loudly.
 */
const noSlots: Slot[] = Object.freeze([]) as unknown as Slot[];

/**
 * The session decoding input right now and the time it was given, set by `receive` and
 * `continueInput` for the commands they decode (WHO's asked-at time, INFO) and restored after:
 * one pair for the whole process instead of two fields in every session (16 bytes and a boxed
 * number per client), which is safe because decoding runs to completion and never awaits.
 */
let decodingSession: Session | undefined;
let decodingAtMs = 0;

/**
 * A time a session keeps, rounded up to a whole millisecond: a small integer is stored in the
 * object itself, while a fractional one (a real clock's `performance.now()`) is a separate boxed
 * number, 16 bytes more per client. Rounding up, a deadline computed from it never fires early.
 */
function wholeMs(nowMs: number): number {
  return Math.ceil(nowMs);
}

export type SessionLimits = Pick<
  ServerLimits,
  'lineBytesMax' | 'pendingRepliesMax' | 'outputBytesMax' | 'idleTimeoutMs' | 'connectionAgeMsMax'
>;

export class Session implements LineVisitor {
  readonly openedAtMs: number;
  /**
   * The host's own record of this client (the TCP adapter's socket and flags), kept here so the
   * host needs no map from sessions to it: a map entry and its share of the table's growth cost
   * about 50 bytes per client. The session never reads it.
   */
  hostRecord: unknown = undefined;
  #host: SessionHost;
  #limits: SessionLimits;
  /** Made on the first bytes received: most simulated clients never send any. */
  #decoder: LineDecoder | undefined;
  #state: SessionState = 'open';
  #acceptsInput = true;
  #closeReason: CloseReason | undefined;
  #out = '';
  #queue: Slot[] = noSlots;
  #lastInputAtMs: number;
  #fenced = false;

  constructor(host: SessionHost, limits: SessionLimits, nowMs: number) {
    this.#host = host;
    this.#limits = limits;
    this.openedAtMs = wholeMs(nowMs);
    this.#lastInputAtMs = this.openedAtMs;
  }

  get state(): SessionState {
    return this.#state;
  }

  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  /** Replies owed but not yet answerable (WHO in flight and what queues behind it). */
  get pendingReplies(): number {
    return this.#queue.length;
  }

  /** Bytes of a partial line held for this client. */
  get partialLineBytes(): number {
    return this.#decoder?.partialBytes ?? 0;
  }

  wantsInput(): boolean {
    return this.#acceptsInput && this.#hasRoom() && (this.#decoder?.backlogBytes ?? 0) === 0;
  }

  /** Input received but not decoded yet, because replies were piling up (see `continueInput`). */
  get hasBacklog(): boolean {
    return this.#acceptsInput && (this.#decoder?.backlogBytes ?? 0) > 0;
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    if (!this.#acceptsInput) return;
    this.#lastInputAtMs = wholeMs(nowMs);
    this.#decoder ??= new LineDecoder(this.#limits.lineBytesMax);
    this.#decodeAt(nowMs, this.#decoder, bytes);
  }

  /** Decodes input held back while replies piled up; call after taking the output. */
  continueInput(nowMs: number): void {
    const decoder = this.#decoder;
    if (decoder === undefined || !this.hasBacklog) return;
    this.#decodeAt(nowMs, decoder, undefined);
  }

  /**
   * Decodes `bytes` (or, without them, the backlog) as the session decoding at `nowMs`, restoring
   * the outer pair after. No closure per chunk: this runs once per read, 30,000 times a second.
   */
  #decodeAt(nowMs: number, decoder: LineDecoder, bytes: Uint8Array | undefined): void {
    const outerSession = decodingSession;
    const outerAtMs = decodingAtMs;
    decodingSession = this;
    decodingAtMs = nowMs;
    try {
      this.#decoded(bytes === undefined ? decoder.resume(this) : decoder.push(bytes, this));
    } finally {
      decodingSession = outerSession;
      decodingAtMs = outerAtMs;
    }
  }

  #decoded(status: DecodeStatus): void {
    if (status === 'too-long' && this.#acceptsInput) {
      this.#host.observer?.protocolError('line-too-long');
      this.#finish(errors.lineTooLong, 'line-too-long');
    }
  }

  /**
   * Room for more replies: unsent output under `outputBytesMax` (one ASCII reply char is one
   * byte) and fewer than `pendingRepliesMax` replies waiting. Decoding pauses without room, so
   * memory per client is bounded by these limits plus one reply and one read chunk.
   */
  #hasRoom(): boolean {
    return (
      this.#out.length < this.#limits.outputBytesMax && this.#queue.length < this.#limits.pendingRepliesMax
    );
  }

  /** Reply bytes ready to send, in order; '' when none. */
  takeOutput(): string {
    const out = this.#out;
    this.#out = '';
    return out;
  }

  /** True once everything owed has been taken and the host should end the connection. */
  get shouldClose(): boolean {
    return this.#state === 'closing' && this.#queue.length === 0 && this.#out === '';
  }

  nextDeadlineMs(): number | undefined {
    if (!this.#acceptsInput) return undefined;
    let deadlineMs: number | undefined;
    if (this.#limits.idleTimeoutMs > 0) deadlineMs = this.#lastInputAtMs + this.#limits.idleTimeoutMs;
    if (this.#limits.connectionAgeMsMax > 0) {
      const ageDeadlineMs = this.openedAtMs + this.#limits.connectionAgeMsMax;
      deadlineMs = deadlineMs === undefined ? ageDeadlineMs : Math.min(deadlineMs, ageDeadlineMs);
    }
    return deadlineMs;
  }

  onDeadline(nowMs: number): void {
    if (!this.#acceptsInput) return;
    const { idleTimeoutMs, connectionAgeMsMax } = this.#limits;
    if (connectionAgeMsMax > 0 && nowMs >= this.openedAtMs + connectionAgeMsMax) {
      this.#finish(closeReplies.maxAge, 'max-age');
    } else if (idleTimeoutMs > 0 && nowMs >= this.#lastInputAtMs + idleTimeoutMs) {
      this.#finish(closeReplies.idle, 'idle');
    }
  }

  /** The server is shutting down: owe what is pending, then say so and close. */
  drain(): void {
    if (this.#acceptsInput) this.#finish(closeReplies.draining, 'draining');
  }

  /**
   * The server left the fleet (mode C lease lost): end now, without waiting for owed WHOs. They
   * are refused (a count taken later could no longer include this server's clients), and the
   * session closes with `BYE lease lost` (or the close line it already owed, e.g. a drain's).
   */
  fence(): void {
    if (this.#state !== 'open' || this.#fenced) return;
    this.#fenced = true;
    for (const slot of this.#queue) {
      if (slot.text === undefined) slot.text = `${errors.unavailable} lease lost`;
    }
    if (this.#acceptsInput) this.#finish(closeReplies.leaseLost, 'fenced');
    else this.#flush();
  }

  /** The socket is gone (peer closed, reset, or we ended it). Late WHO answers are dropped. */
  closed(reason: CloseReason): void {
    this.#closeReason ??= reason;
    this.#state = 'closed';
    this.#acceptsInput = false;
    this.#queue = noSlots;
    this.#out = '';
  }

  // LineVisitor: called by the decoder for each line; false pauses decoding (no room).
  /** A line naming no verb: the decoder routes every line that names one to `verb`. */
  line(text: string): boolean {
    if (!this.#acceptsInput) return true;
    this.#host.observer?.protocolError('unknown-command');
    this.#reply(unknownCommandReply(text));
    return this.#hasRoom();
  }

  /** A line the decoder recognised as a verb from its bytes (the hot path: no string made). */
  verb(verb: Verb): boolean {
    if (!this.#acceptsInput) return true;
    this.#command(verb);
    return this.#hasRoom();
  }

  invalid(): boolean {
    if (!this.#acceptsInput) return true;
    this.#host.observer?.protocolError('invalid-bytes');
    this.#reply(errors.invalidBytes);
    return this.#hasRoom();
  }

  #command(verb: Verb): void {
    const observer = this.#host.observer;
    switch (verb) {
      case 'WHO':
        this.#who();
        return;
      case 'WHERE':
        this.#reply(this.#host.serverId);
        break;
      case 'WHY':
        this.#replyLine(whyLine);
        break;
      case 'HELP':
        this.#replyLine(helpLine);
        break;
      case 'INFO':
        this.#reply(JSON.stringify(this.#host.info(decodingAtMs)));
        break;
      case 'QUIT':
        this.#finish(byeReply, 'quit');
        break;
    }
    observer?.command(verb, 0);
  }

  #who(): void {
    const slot: Slot = { text: undefined, closes: false };
    this.#owe(slot);
    const askedAtMs = decodingAtMs;
    this.#host.who(askedAtMs, (reply, nowMs) => {
      if (this.#state === 'closed') return;
      if (slot.text !== undefined) {
        assert(this.#fenced, 'a WHO answered twice');
        return; // already refused by the fence
      }
      slot.text = formatWho(reply);
      this.#host.observer?.command('WHO', Math.max(0, nowMs - askedAtMs));
      this.#flush();
      if (decodingSession !== this) this.#host.wake?.(this);
    });
  }

  #reply(text: string): void {
    if (this.#queue.length === 0) this.#out += `${text}\n`;
    else this.#queue.push({ text, closes: false });
  }

  /** `#reply` of a constant reply with its newline made once: one string join per reply, not two. */
  #replyLine(line: string): void {
    if (this.#queue.length === 0) this.#out += line;
    else this.#queue.push({ text: line.slice(0, -1), closes: false });
  }

  #finish(text: string, reason: CloseReason): void {
    this.#acceptsInput = false;
    this.#closeReason ??= reason;
    this.#owe({ text, closes: true });
    this.#flush();
  }

  #owe(slot: Slot): void {
    if (this.#queue === noSlots) this.#queue = [slot];
    else this.#queue.push(slot);
  }

  #flush(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.text === undefined) return;
      this.#queue.shift();
      if (this.#queue.length === 0) this.#queue = noSlots; // an emptied queue is not kept
      this.#out += `${head.text}\n`;
      if (head.closes) {
        this.#state = 'closing';
        this.#queue = noSlots;
        return;
      }
    }
  }
}

const whyLine = `${whyReply}\n`;
const helpLine = `${helpReply}\n`;

export function formatWho(reply: WhoReply): string {
  if (reply.kind === 'count') return String(reply.total);
  return reply.reason === '' ? errors.unavailable : `${errors.unavailable} ${reply.reason}`;
}
