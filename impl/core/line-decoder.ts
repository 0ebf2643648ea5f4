/**
 * An incremental line decoder: fed arbitrary byte chunks, it reports each complete line once.
 *
 * Theory of operation (h11's `receive_data` / `next_event`, as a visitor):
 *
 *   chunk ──► scan for '\n' ──► [partial ++ bytes] ──► drop a final '\r' ──► validate ──► trim
 *                 │ none                                                          │
 *                 └──► keep as partial (bounded by lineBytesMax + 1)             └──► onLine
 *
 * A line is its bytes before '\n', less one '\r' right before it. A byte outside printable
 * ASCII (other than tab) makes the line invalid; the decoder reports that and goes on. A line
 * longer than `lineBytesMax` is fatal: the decoder reports it as soon as the buffered partial
 * line is too long, without waiting for the newline, and then ignores all further input.
 *
 * A visitor whose host is full (replies piling up for a client that does not read) returns false
 * from `line`: the decoder stops after that line, keeps the rest of the input as its backlog, and
 * `resume` carries on once the host has room. Input is never dropped or reordered.
 *
 * A visitor with a `verb` method is told a line that names a protocol verb as that verb, read
 * from the bytes: no string is made for the lines the server answers most (a pipelined WHY).
 * Every other line still reaches `line` as text, so both routes see exactly what one would.
 */
import assert from 'node:assert';
import { type Verb, verbOfBytes } from './protocol.ts';

/** A visitor returns false to pause decoding after this line (its host is full); see `resume`. */
export interface LineVisitor {
  /** A valid line, trimmed of spaces and tabs; never empty. */
  line(text: string): boolean;
  /** A valid line naming a verb (`parseVerb` of its text); without this method, `line` gets it. */
  verb?(verb: Verb): boolean;
  /** A line that held a byte outside printable ASCII and tab. */
  invalid(): boolean;
}

/** `paused`: the visitor asked to stop; the rest of the input waits in the backlog. */
export type DecodeStatus = 'ok' | 'too-long' | 'paused';

const newline = 0x0a;
const carriageReturn = 0x0d;
const tab = 0x09;
const space = 0x20;
const tilde = 0x7e;

/**
 * The parts of a decoder holding no partial line, shared: a client's decoder outlives its first
 * line, and an empty array of its own would be 32 bytes per client that spoke once. Frozen, so a
 * push onto it fails loudly.
 */
const noParts: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

export class LineDecoder {
  readonly lineBytesMax: number;
  #partial: Uint8Array[] = noParts;
  #partialBytes = 0;
  #failed = false;
  /** Input not yet decoded because the visitor paused: at most the chunks pushed while paused. */
  #backlog: Uint8Array | undefined;

  constructor(lineBytesMax: number) {
    assert(Number.isInteger(lineBytesMax) && lineBytesMax > 0);
    this.lineBytesMax = lineBytesMax;
  }

  /** Bytes held for a line not yet terminated; at most lineBytesMax + 1. */
  get partialBytes(): number {
    return this.#partialBytes;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes received but not decoded yet, because the visitor paused. */
  get backlogBytes(): number {
    return this.#backlog?.length ?? 0;
  }

  /** Decodes the backlog a paused visitor left; the same statuses as `push`. */
  resume(visitor: LineVisitor): DecodeStatus {
    const backlog = this.#backlog;
    if (backlog === undefined) return this.#failed ? 'too-long' : 'ok';
    this.#backlog = undefined;
    return this.push(backlog, visitor);
  }

  /**
   * Decodes `chunk`, calling the visitor for each complete line in order. Returns 'too-long'
   * once a line exceeds the limit (lines before it in the chunk have been reported).
   */
  push(chunk: Uint8Array, visitor: LineVisitor): DecodeStatus {
    if (this.#failed) return 'too-long';
    if (this.#backlog !== undefined) {
      // Still paused: keep the order of bytes; the host is expected to stop reading meanwhile.
      this.#backlog = concat([this.#backlog, chunk], this.#backlog.length + chunk.length);
      return 'paused';
    }
    let start = 0;
    while (start < chunk.length) {
      const end = indexOfNewline(chunk, start);
      if (end === -1) return this.#keepPartial(chunk.subarray(start));
      let emitted: Emitted;
      if (this.#partialBytes === 0) {
        emitted = this.#emit(chunk, start, end, visitor);
      } else {
        this.#partial.push(chunk.subarray(start, end));
        const joined = concat(this.#partial, this.#partialBytes + end - start);
        this.#partial = noParts;
        this.#partialBytes = 0;
        emitted = this.#emit(joined, 0, joined.length, visitor);
      }
      if (emitted === 'too-long') return this.#fail();
      start = end + 1;
      if (emitted === 'pause' && start < chunk.length) {
        this.#backlog = Uint8Array.prototype.slice.call(chunk, start);
        return 'paused';
      }
    }
    return 'ok';
  }

  #keepPartial(rest: Uint8Array): DecodeStatus {
    // Copy: the caller may reuse its buffer. A '\r' at the very end may belong to "\r\n".
    const part = Uint8Array.prototype.slice.call(rest);
    if (this.#partial === noParts) this.#partial = [part];
    else this.#partial.push(part);
    this.#partialBytes += rest.length;
    const lastByte = rest[rest.length - 1];
    const allowance = lastByte === carriageReturn ? 1 : 0;
    if (this.#partialBytes > this.lineBytesMax + allowance) return this.#fail();
    return 'ok';
  }

  #fail(): DecodeStatus {
    this.#failed = true;
    this.#partial = noParts;
    this.#partialBytes = 0;
    this.#backlog = undefined;
    return 'too-long';
  }

  /** Reports bytes [start, end) as a line. */
  #emit(bytes: Uint8Array, start: number, end: number, visitor: LineVisitor): Emitted {
    let last = end;
    if (last > start && bytes[last - 1] === carriageReturn) last -= 1;
    if (last - start > this.lineBytesMax) return 'too-long';
    let first = start;
    let valid = true;
    for (let index = start; index < last; index += 1) {
      const byte = bytes[index]!;
      if ((byte < space || byte > tilde) && byte !== tab) {
        valid = false;
        break;
      }
    }
    if (!valid) return visitor.invalid() ? 'go-on' : 'pause';
    while (first < last && isBlank(bytes[first]!)) first += 1;
    while (last > first && isBlank(bytes[last - 1]!)) last -= 1;
    if (last === first) return 'go-on';
    const verb = visitor.verb === undefined ? undefined : verbOfBytes(bytes, first, last);
    const goOn = verb === undefined ? visitor.line(latin1(bytes, first, last)) : visitor.verb!(verb);
    return goOn ? 'go-on' : 'pause';
  }
}

/**
 * The first '\n' at or after `start`, or -1. A loop in JavaScript, not `indexOf`: both Buffer's
 * and the typed array's `indexOf` call into C++ on every line, which cost more than the scan
 * itself for the short lines this protocol carries (a pipelined `WHY\n` is four bytes).
 */
function indexOfNewline(bytes: Uint8Array, start: number): number {
  for (let index = start; index < bytes.length; index += 1) {
    if (bytes[index] === newline) return index;
  }
  return -1;
}

type Emitted = 'go-on' | 'pause' | 'too-long';

function isBlank(byte: number): boolean {
  return byte === space || byte === tab;
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  // Validated bytes are printable ASCII, so one char code per byte is exact.
  if (end - start <= 16) {
    let text = '';
    for (let index = start; index < end; index += 1) text += String.fromCharCode(bytes[index]!);
    return text;
  }
  return asciiDecoder.decode(bytes.subarray(start, end));
}

const asciiDecoder = new TextDecoder('ascii');
