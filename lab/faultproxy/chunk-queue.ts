/**
 * The channel between two stubs: a FIFO of chunks (and one `null` for end of stream) with a
 * single reader. A reader that finds it empty parks a callback, which the next push calls
 * directly. Bytes waiting here count toward the link's buffer limit (see `toxic-link.ts`).
 */
import type { StreamChunk } from './toxic.ts';

export type QueueItem = StreamChunk | null;

/** Where a stub writes: the next stub's queue, or the link's tail (the destination socket). */
export interface ChunkSink {
  push(item: QueueItem): void;
}

export class ChunkQueue implements ChunkSink {
  private readonly items: QueueItem[] = [];
  private waiter: ((item: QueueItem) => void) | undefined;
  /** Bytes of the chunks waiting in the queue. */
  bufferedBytes = 0;
  /** Set when the reader closed: nothing will read again, so pushes are dropped. */
  discarding = false;

  constructor(private readonly onShift: () => void = () => {}) {}

  push(item: QueueItem): void {
    if (this.discarding) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter(item);
      return;
    }
    this.items.push(item);
    if (item !== null) this.bufferedBytes += item.data.length;
  }

  /** The next item, or `undefined` when empty. */
  shift(): QueueItem | undefined {
    if (this.items.length === 0) return undefined;
    const item = this.items.shift()!;
    if (item !== null) this.bufferedBytes -= item.data.length;
    this.onShift();
    return item;
  }

  park(waiter: (item: QueueItem) => void): void {
    this.waiter = waiter;
  }

  unpark(): void {
    this.waiter = undefined;
  }

  /** Moves every waiting item to `sink`, in order (used when a stub leaves the chain). */
  drainTo(sink: ChunkSink): void {
    for (let item = this.shift(); item !== undefined; item = this.shift()) sink.push(item);
  }
}
