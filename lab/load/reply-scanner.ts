/**
 * Splits a TCP byte stream into reply lines and classifies each one, without allocating a string
 * per line: lines are handed out as (buffer, start, end) views of the received chunk. A line cut in
 * two by the network is copied into a small carry buffer bounded by `replyBytesMax`.
 *
 *   chunk:  |..reply\n|reply\n|rep|      next chunk: |ly\n|reply\n|
 *            ^ views handed to the sink   ^ carry ──────┘
 *
 * Sans-I/O: fed bytes, calls a sink; the clients own the sockets.
 */
import { replyBytesMax } from './limits.ts';

export interface LineSink {
  /** One reply line: `buffer[start..end)`, the `\n` excluded (a trailing `\r` is left in). */
  onLine(buffer: Buffer, start: number, end: number): void;
  /** The server sent a line longer than `replyBytesMax`; the stream cannot be trusted after it. */
  onOverlongLine(): void;
}

export class LineSplitter {
  private readonly carry = Buffer.allocUnsafe(replyBytesMax);
  private carryBytes = 0;

  /** Feeds `chunk[0..length)` (default: all of it), so a reused read buffer needs no slice. */
  push(chunk: Buffer, sink: LineSink, length: number = chunk.length): void {
    let start = 0;
    if (this.carryBytes > 0) {
      const newline = newlineAt(chunk, 0, length);
      if (newline === -1) {
        this.append(chunk, 0, length, sink);
        return;
      }
      if (!this.append(chunk, 0, newline, sink)) return;
      const carried = this.carryBytes;
      this.carryBytes = 0;
      sink.onLine(this.carry, 0, carried);
      start = newline + 1;
    }
    while (start < length) {
      const newline = newlineAt(chunk, start, length);
      if (newline === -1) {
        this.append(chunk, start, length, sink);
        return;
      }
      sink.onLine(chunk, start, newline);
      start = newline + 1;
    }
  }

  /** Forget a partial line (after a reconnect the old stream's tail is meaningless). */
  reset(): void {
    this.carryBytes = 0;
  }

  private append(chunk: Buffer, start: number, end: number, sink: LineSink): boolean {
    if (this.carryBytes + end - start > replyBytesMax) {
      this.carryBytes = 0;
      sink.onOverlongLine();
      return false;
    }
    chunk.copy(this.carry, this.carryBytes, start, end);
    this.carryBytes += end - start;
    return true;
  }
}

/**
 * The next `\n` at or after `start`, or -1. A plain loop: replies are a few bytes long, and
 * `Buffer.indexOf` is a native call whose fixed cost is larger than scanning them here.
 */
function newlineAt(chunk: Buffer, start: number, length: number): number {
  for (let index = start; index < length; index++) if (chunk[index] === 10) return index;
  return -1;
}

/** What a reply line was. Numbers, not strings: this runs once per reply on the hot path. */
export const replyOk = 0;
export const replyErr = 1;
export const replyBye = 2;
export const replyBad = 3;
export type ReplyKind = typeof replyOk | typeof replyErr | typeof replyBye | typeof replyBad;

const verbWho = 0;
const verbWhere = 1;
const verbWhy = 2;

/**
 * Classifies one reply line for the verb that asked for it. `ERR ` (line) and `-` (Redis) are error
 * replies, `BYE` is the server leaving; with `check` the content is validated: WHY is `42`, WHO a
 * decimal integer, WHERE non-empty printable ASCII, PING `+PONG`.
 */
export function classifyReply(
  buffer: Buffer,
  start: number,
  end: number,
  verbCode: number,
  check: boolean,
): ReplyKind {
  if (end > start && buffer[end - 1] === 13) end--;
  const first = buffer[start];
  if (first === 0x45 && end - start >= 4 && buffer[start + 1] === 0x52 && buffer[start + 2] === 0x52) {
    if (buffer[start + 3] === 0x20) return replyErr; // "ERR "
  }
  if (first === 0x42 && end - start >= 3 && buffer[start + 1] === 0x59 && buffer[start + 2] === 0x45) {
    return replyBye; // "BYE"
  }
  if (first === 0x2d && verbCode === 3) return replyErr; // Redis "-ERR ..."
  if (!check) return replyOk;
  return isValidReply(buffer, start, end, verbCode) ? replyOk : replyBad;
}

function isValidReply(buffer: Buffer, start: number, end: number, verbCode: number): boolean {
  const length = end - start;
  if (verbCode === verbWhy) return length === 2 && buffer[start] === 0x34 && buffer[start + 1] === 0x32;
  if (verbCode === verbWho) return length > 0 && everyByteIn(buffer, start, end, 0x30, 0x39);
  if (verbCode === verbWhere) return length > 0 && everyByteIn(buffer, start, end, 0x20, 0x7e);
  // Byte by byte: Buffer.compare is a native call, which costs more than the compare on a 5-byte line.
  return (
    length === 5 &&
    buffer[start] === 0x2b &&
    buffer[start + 1] === 0x50 &&
    buffer[start + 2] === 0x4f &&
    buffer[start + 3] === 0x4e &&
    buffer[start + 4] === 0x47
  );
}

function everyByteIn(buffer: Buffer, start: number, end: number, low: number, high: number): boolean {
  for (let index = start; index < end; index++) {
    const byte = buffer[index]!;
    if (byte < low || byte > high) return false;
  }
  return true;
}
