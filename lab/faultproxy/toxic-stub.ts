/**
 * The stub: one toxic's place in one link (one connection, one direction). It owns the queue in
 * front of the toxic and points at whatever follows; `run` starts the toxic's pipe on it and
 * `interrupt` asks the pipe to return (every pending `read` and `sleep` wakes with "interrupted"),
 * then waits for it, so the link can repoint or restart it. Port of Toxiproxy's `ToxicStub`.
 */
import { performance } from 'node:perf_hooks';
import type { ChunkQueue, ChunkSink } from './chunk-queue.ts';
import { noopToxic } from './toxics/noop.ts';
import {
  interrupted,
  type Random,
  type ReadResult,
  type StreamChunk,
  type ToxicKind,
  type ToxicStub,
} from './toxic.ts';

/** `setTimeout` keeps at most this many milliseconds; longer sleeps are clamped to it (~24.8 days). */
const sleepMsMax = 2 ** 31 - 1;

export class Stub implements ToxicStub {
  readonly input: ChunkQueue;
  output: ChunkSink;
  state: unknown;
  random: Random;
  closed = false;
  /** Called with the size of every chunk the toxic reads (metrics). */
  onChunkRead: ((bytes: number) => void) | undefined;
  private interruptRequested = false;
  private readonly wakers = new Set<() => void>();
  private running: Promise<void> = Promise.resolve();

  constructor(input: ChunkQueue, output: ChunkSink, random: Random) {
    this.input = input;
    this.output = output;
    this.random = random;
  }

  /** Starts `kind` (or noop, when the toxicity draw said no) on this stub. */
  run(kind: ToxicKind, attrs: Readonly<Record<string, number>>, active: boolean): void {
    this.interruptRequested = false;
    const pipe = active ? kind.pipe(attrs, this) : noopToxic.pipe({}, this);
    this.running = pipe.then(
      () => this.wakeAll(),
      () => {
        // A toxic that throws is a bug in the toxic; end the stream rather than stall it.
        this.wakeAll();
        this.close();
      },
    );
  }

  /** Stops the running toxic. False when the stub was already closed (nothing to move). */
  async interrupt(): Promise<boolean> {
    if (this.closed) return false;
    this.interruptRequested = true;
    this.wakeAll();
    await this.running;
    return !this.closed;
  }

  /** Stops the toxic for good (the connection is gone): timers are cleared, nothing more flows. */
  kill(): void {
    this.interruptRequested = true;
    this.closed = true;
    this.input.discarding = true;
    this.wakeAll();
  }

  read(): Promise<ReadResult> {
    if (this.interruptRequested) return Promise.resolve(interrupted);
    const item = this.input.shift();
    if (item !== undefined) return Promise.resolve(this.counted(item));
    return new Promise((resolve) => {
      const waker = (): void => {
        this.input.unpark();
        resolve(interrupted);
      };
      this.wakers.add(waker);
      this.input.park((next) => {
        this.wakers.delete(waker);
        resolve(this.counted(next));
      });
    });
  }

  write(chunk: StreamChunk): void {
    if (!this.closed) this.output.push(chunk);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.discarding = true;
    this.output.push(null);
  }

  /**
   * Sleeps at least `ms` (like Go's time.Sleep): Node's timers run on a cached loop clock and can
   * fire a fraction of a millisecond early by `performance.now()`, so an early wake re-arms for
   * the rest. Resolves false when interrupted.
   */
  sleep(ms: number): Promise<boolean> {
    if (this.interruptRequested) return Promise.resolve(false);
    if (!(ms > 0)) return Promise.resolve(true);
    const dueAtMs = performance.now() + Math.min(ms, sleepMsMax);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const arm = (delayMs: number): void => {
        timer = setTimeout(() => {
          const leftMs = dueAtMs - performance.now();
          if (leftMs > 0) {
            arm(Math.ceil(leftMs));
            return;
          }
          this.wakers.delete(waker);
          resolve(true);
        }, delayMs);
      };
      const waker = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      arm(Math.min(ms, sleepMsMax));
      this.wakers.add(waker);
    });
  }

  nowMs(): number {
    return performance.now();
  }

  private counted<T extends StreamChunk | null>(item: T): T {
    if (item !== null) this.onChunkRead?.(item.data.length);
    return item;
  }

  private wakeAll(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const waker of wakers) waker();
  }
}
