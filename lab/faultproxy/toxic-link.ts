/**
 * A link carries one direction of one connection through that direction's chain of toxics, from
 * its source socket to its destination socket (Toxiproxy's `ToxicLink`):
 *
 *     source ─data─▶ queue ▶ [noop] ─▶ queue ▶ [toxic 1] ─▶ ... ─▶ tail ─write─▶ destination
 *
 * The hidden noop at the head gives every toxic a predecessor to repoint. Toxics are added at the
 * end, updated by interrupting and restarting their stub, and removed by moving the chunks queued
 * in front of them on, all under live traffic. When the end of stream reaches the tail the
 * destination is closed (reset, if a reset_peer toxic is in the chain), which ends the other link.
 *
 * Limit: when more than `linkBufferedBytesMax` wait in the queues and the destination's write
 * buffer, the source socket is paused until half of it has drained.
 */
import type { Socket } from 'node:net';
import { ChunkQueue, type ChunkSink, type QueueItem } from './chunk-queue.ts';
import { Stub } from './toxic-stub.ts';
import type { ToxicEntry } from './toxic-entry.ts';
import { noopToxic } from './toxics/noop.ts';
import type { Random } from './toxic.ts';

/** 1 MiB per direction bounds memory per connection while a slow toxic holds data back. */
export const linkBufferedBytesMax = 1024 * 1024;

export interface LinkHooks {
  /** Bytes read from the source. */
  onReceived(bytes: number): void;
  /** Bytes written to the destination. */
  onSent(bytes: number): void;
  /** Bytes that entered an active toxic's stub. */
  onToxicBytes(entry: ToxicEntry, bytes: number): void;
  /** A toxic won its toxicity draw on this link. */
  onToxicApplied(entry: ToxicEntry): void;
  nowMs(): number;
}

const headRandom: Random = { nextRatio: () => 0, rangeInclusive: (min) => min };

export class ToxicLink {
  private readonly stubs: Stub[] = [];
  private readonly entries: (ToxicEntry | undefined)[] = [];
  private readonly tail: ChunkSink;
  private sourcePaused = false;
  private sourceEnded = false;
  private ended = false;
  /** Set once a reset_peer toxic is active here: Toxiproxy sets SO_LINGER 0 on such links. */
  private resetOnClose = false;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    chain: readonly ToxicEntry[],
    private readonly hooks: LinkHooks,
    private readonly onReset: () => void,
  ) {
    this.tail = { push: (item) => this.toDest(item) };
    const head = new Stub(this.newQueue(), this.tail, headRandom);
    this.stubs.push(head);
    this.entries.push(undefined);
    head.run(noopToxic, {}, true);
    for (const entry of chain) this.addToxic(entry);
    source.on('data', (data: Buffer) => this.fromSource(data));
    source.on('end', () => this.endOfSource());
    source.on('close', () => this.endOfSource());
    dest.on('drain', () => this.maybeResume());
  }

  addToxic(entry: ToxicEntry): void {
    const last = this.stubs[this.stubs.length - 1]!;
    if (last.closed) return;
    const stub = new Stub(this.newQueue(), last.output, entry.random);
    // Chunks the last stub already wrote are ahead of everything it writes from now on, so
    // repointing it in one synchronous step keeps the order without stopping it.
    last.output = stub.input;
    stub.state = entry.kind.newState?.();
    this.stubs.push(stub);
    this.entries.push(entry);
    this.start(stub, entry);
  }

  async updateToxic(index: number, entry: ToxicEntry): Promise<void> {
    const stub = this.stubs[index];
    if (stub === undefined) return;
    this.entries[index] = entry;
    if (await stub.interrupt()) this.start(stub, entry);
  }

  async removeToxic(index: number): Promise<void> {
    const stub = this.stubs[index];
    const entry = this.entries[index];
    const previous = this.stubs[index - 1];
    if (stub === undefined || previous === undefined || entry === undefined) return;
    if (await stub.interrupt()) {
      entry.kind.cleanup?.(stub);
      if (!stub.closed) {
        stub.input.drainTo(stub.output);
        previous.output = stub.output;
      }
    }
    this.stubs.splice(index, 1);
    this.entries.splice(index, 1);
  }

  /** The connection is gone: stop every toxic and its timers. */
  destroy(): void {
    this.ended = true;
    for (const stub of this.stubs) stub.kill();
  }

  private start(stub: Stub, entry: ToxicEntry): void {
    const active = entry.random.nextRatio() < entry.toxicity;
    if (active) {
      this.hooks.onToxicApplied(entry);
      if (entry.kind.resetsOnClose === true) this.resetOnClose = true;
    }
    stub.onChunkRead = active ? (bytes) => this.hooks.onToxicBytes(entry, bytes) : undefined;
    stub.run(entry.kind, entry.attrs, active);
  }

  private endOfSource(): void {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    this.stubs[0]!.input.push(null);
  }

  private newQueue(): ChunkQueue {
    return new ChunkQueue(() => this.maybeResume());
  }

  private fromSource(data: Buffer): void {
    this.hooks.onReceived(data.length);
    this.stubs[0]!.input.push({ data, timestampMs: this.hooks.nowMs() });
    if (!this.sourcePaused && this.bufferedBytes() > linkBufferedBytesMax) {
      this.sourcePaused = true;
      this.source.pause();
    }
  }

  private maybeResume(): void {
    if (this.sourcePaused && this.bufferedBytes() <= linkBufferedBytesMax / 2) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }

  private bufferedBytes(): number {
    let bytes = this.dest.writableLength;
    for (const stub of this.stubs) bytes += stub.input.bufferedBytes;
    return bytes;
  }

  private toDest(item: QueueItem): void {
    if (this.ended || this.dest.destroyed || this.dest.writableEnded) return;
    if (item !== null) {
      this.dest.write(item.data);
      this.hooks.onSent(item.data.length);
      return;
    }
    this.ended = true;
    if (this.resetOnClose) {
      this.onReset();
      return;
    }
    this.dest.end(() => this.dest.destroy());
  }
}
