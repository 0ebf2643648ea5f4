/**
 * One held connection (capacity mode), in either loop:
 *
 * - closed loop: keeps `pipelineDepth` requests in flight; after each received chunk it refills the
 *   pipeline with one write;
 * - open loop: sends on a fixed schedule (every `intervalMs`, from `anchorMs`); each request's
 *   latency counts from its INTENDED send time, so a stalled server delays the clock of every
 *   request queued behind it (wrk2's coordinated-omission correction).
 *
 * In-flight requests sit in a ring of (send time, verb) pairs; replies arrive in order, so the
 * oldest entry belongs to the next reply line. The connection reconnects after a loss until the
 * shard stops.
 */
import net from 'node:net';
import { recordLatenciesUs, recordLatencyUs } from './histograms.ts';
import { openLoopInFlightMax, reconnectDelayMs } from './limits.ts';
import type { Target } from './options.ts';
import {
  classifyReply,
  LineSplitter,
  type LineSink,
  replyBad,
  replyBye,
  replyErr,
  replyOk,
} from './reply-scanner.ts';
import type { ShardContext } from './shard-context.ts';

type State = 'idle' | 'connecting' | 'open' | 'finished';

export interface Schedule {
  /** Intended time of this connection's first request (`performance.now()` ms). */
  anchorMs: number;
  /** Time between intended sends on this connection (ms). */
  intervalMs: number;
}

export class HeldConnection implements LineSink {
  private state: State = 'idle';
  private socket: net.Socket | null = null;
  private connectStartMs = 0;
  private readonly capacity: number;
  private readonly sentAtMs: Float64Array;
  private readonly verbs: Uint8Array;
  private head = 0;
  private inFlight = 0;
  /** Sequence number of the oldest request in flight; picks each request's verb from the mix cycle. */
  private sequence = 0;
  private readonly splitter = new LineSplitter();
  private nowMs = 0;
  /**
   * Replies of one pipelined batch usually arrive in one chunk with the same send time, so they
   * share one latency: we count the run and record it with one call (16x fewer at depth 16).
   */
  private heldLatencyUs = -1;
  private heldLatencyCount = 0;
  /** Open loop: index of the next intended send. */
  private nextSendIndex = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** 64 KB: one read holds ~9000 PONG replies, more than any pipeline we keep in flight. */
  private readonly readBuffer = Buffer.allocUnsafe(65_536);
  private readonly onRead = (bytes: number, buffer: Uint8Array): boolean => {
    this.onData(buffer as Buffer, bytes);
    return true;
  };

  constructor(
    private readonly context: ShardContext,
    private readonly target: Target,
    private readonly targetIndex: number,
    private readonly schedule: Schedule | null,
  ) {
    this.capacity = schedule ? openLoopInFlightMax : context.options.pipelineDepth;
    this.sentAtMs = new Float64Array(this.capacity);
    this.verbs = new Uint8Array(this.capacity);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  connect(): void {
    const stats = this.context.stats;
    this.state = 'connecting';
    stats.connectsAttempted++;
    this.connectStartMs = performance.now();
    // `onread` reads into this connection's own buffer instead of allocating one per chunk; the
    // splitter consumes it synchronously (a partial line is copied out), so reuse is safe.
    const socket = net.connect({
      host: this.target.host,
      port: this.target.port,
      noDelay: true,
      onread: { buffer: this.readBuffer, callback: this.onRead },
    });
    this.socket = socket;
    socket.on('connect', () => this.onConnect());
    socket.on('error', () => {
      if (this.state === 'connecting' && this.socket === socket) stats.errors.refused++;
    });
    socket.on('close', () => this.onClose(socket));
  }

  /** The shard's timing-wheel slot (whole ms) this connection is filed under; -1 when not filed. */
  wakeSlotMs = -1;

  /**
   * Open loop: sends every request whose intended time has come, then files this connection for
   * its next intended time. A closed or full connection is not filed: its connect or its next reply
   * calls sendDue again.
   */
  sendDue(nowMs: number): void {
    if (this.state !== 'open' || this.context.stopping || !this.schedule) return;
    const { anchorMs, intervalMs } = this.schedule;
    const untilMs = nowMs < this.context.sendEndMs ? nowMs : this.context.sendEndMs - 1e-9;
    let due = 0;
    while (
      anchorMs + (this.nextSendIndex + due) * intervalMs <= untilMs &&
      this.inFlight + due < this.capacity
    )
      due++;
    const first = this.nextSendIndex;
    const measureStartMs = this.context.measureStartMs;
    const count = due === 0 ? 0 : this.context.takeBudget(due);
    for (let index = 0; index < count; index++) {
      const intendedMs = anchorMs + (first + index) * intervalMs;
      if (intendedMs >= measureStartMs)
        recordLatencyUs(this.context.stats.sendLag, Math.round((nowMs - intendedMs) * 1000));
      this.push(intendedMs);
    }
    this.nextSendIndex += count;
    this.write(count);
    if (this.inFlight < this.capacity) this.context.wakeAt(this, anchorMs + this.nextSendIndex * intervalMs);
  }

  /** Open loop: intended sends in [fromMs, untilMs) that never went out. */
  unsentBetween(fromMs: number, untilMs: number): number {
    if (!this.schedule) return 0;
    const firstCounted = Math.max(this.nextSendIndex, this.firstIndexAtOrAfter(fromMs));
    return Math.max(0, this.firstIndexAtOrAfter(untilMs) - firstCounted);
  }

  /** The first send index whose intended time is >= atMs, computed with the same arithmetic as sendDue. */
  private firstIndexAtOrAfter(atMs: number): number {
    const { anchorMs, intervalMs } = this.schedule!;
    let index = Math.max(0, Math.ceil((atMs - anchorMs) / intervalMs));
    while (index > 0 && anchorMs + (index - 1) * intervalMs >= atMs) index--;
    while (anchorMs + index * intervalMs < atMs) index++;
    return index;
  }

  /** Gives up on a connect or the oldest request once it has waited longer than timeoutMs. */
  checkTimeout(nowMs: number): void {
    const timeoutMs = this.context.options.timeoutMs;
    if (this.state === 'connecting' && nowMs - this.connectStartMs > timeoutMs) {
      this.context.stats.errors.timeout++;
      this.drop();
    } else if (this.state === 'open' && this.inFlight > 0 && nowMs - this.sentAtMs[this.head]! > timeoutMs) {
      this.context.stats.errors.timeout += this.forgetInFlight();
      this.drop();
    }
  }

  /** End of run: whatever is still in flight timed out; close without reconnecting. */
  finish(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.context.stats.errors.timeout += this.forgetInFlight();
    const wasConnected = this.state === 'open';
    this.state = 'finished';
    if (this.socket && !this.socket.destroyed) {
      this.socket.destroy();
      if (wasConnected) this.context.stats.connectsClosed++;
    }
    this.socket = null;
  }

  onLine(buffer: Buffer, start: number, end: number): void {
    const context = this.context;
    const stats = context.stats;
    if (this.inFlight === 0) {
      stats.errors.badReply++; // a reply nobody asked for
      return;
    }
    const slot = this.head;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    this.inFlight--;
    this.sequence++;
    const kind = classifyReply(buffer, start, end, this.verbs[slot]!, context.options.check);
    const sentAtMs = this.sentAtMs[slot]!;
    if (sentAtMs < context.measureStartMs) return;
    stats.completed++;
    stats.completedByTarget[this.targetIndex]!++;
    const latencyUs = Math.round((this.nowMs - sentAtMs) * 1000);
    if (latencyUs === this.heldLatencyUs) this.heldLatencyCount++;
    else {
      this.flushLatencies();
      this.heldLatencyUs = latencyUs;
      this.heldLatencyCount = 1;
    }
    if (kind === replyOk) stats.ok++;
    else if (kind === replyErr) stats.errors.errReply++;
    else if (kind === replyBye) stats.errors.bye++;
    else if (kind === replyBad) stats.errors.badReply++;
  }

  onOverlongLine(): void {
    this.context.stats.errors.badReply++;
    this.context.stats.errors.reset += this.forgetInFlight();
    this.drop();
  }

  private onConnect(): void {
    const nowMs = performance.now();
    const stats = this.context.stats;
    this.state = 'open';
    stats.connectsSucceeded++;
    recordLatencyUs(stats.connectLatency, Math.round((nowMs - this.connectStartMs) * 1000));
    if (this.schedule) this.sendDue(nowMs);
    else this.refill(nowMs);
  }

  private onData(chunk: Buffer, length: number): void {
    this.nowMs = performance.now();
    this.splitter.push(chunk, this, length);
    this.flushLatencies();
    if (this.state !== 'open') return;
    this.context.noteReply(this.nowMs);
    if (this.schedule) this.sendDue(this.nowMs);
    else this.refill(this.nowMs);
  }

  /** Closed loop: tops the pipeline up to its depth with one write. */
  private refill(nowMs: number): void {
    if (this.context.stopping || nowMs >= this.context.sendEndMs) return;
    const wanted = this.capacity - this.inFlight;
    if (wanted === 0) return;
    const count = this.context.takeBudget(wanted);
    for (let index = 0; index < count; index++) this.push(nowMs);
    this.write(count);
  }

  private flushLatencies(): void {
    if (this.heldLatencyCount === 0) return;
    recordLatenciesUs(this.context.stats.requestLatency, this.heldLatencyUs, this.heldLatencyCount);
    this.heldLatencyCount = 0;
    this.heldLatencyUs = -1;
  }

  private push(sentAtMs: number): void {
    let slot = this.head + this.inFlight;
    if (slot >= this.capacity) slot -= this.capacity;
    this.sentAtMs[slot] = sentAtMs;
    this.verbs[slot] = this.context.encoder.verbAt(this.sequence + this.inFlight);
    this.inFlight++;
    if (sentAtMs >= this.context.measureStartMs) this.context.stats.sent++;
  }

  private write(count: number): void {
    if (count === 0) return;
    const first = this.sequence + this.inFlight - count;
    this.socket!.write(this.context.encoder.encode(first, count));
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket || this.state === 'finished') return;
    const stats = this.context.stats;
    if (this.state === 'open') {
      stats.connectsClosed++;
      stats.errors.reset += this.forgetInFlight();
    }
    this.socket = null;
    this.state = 'idle';
    this.splitter.reset();
    if (!this.context.stopping) this.reconnectTimer = setTimeout(() => this.connect(), reconnectDelayMs);
  }

  private drop(): void {
    this.socket?.destroy();
  }

  /** Empties the ring; returns how many of the forgotten requests were in the measured window. */
  private forgetInFlight(): number {
    let measured = 0;
    for (let index = 0; index < this.inFlight; index++) {
      const slot = (this.head + index) % this.capacity;
      if (this.sentAtMs[slot]! >= this.context.measureStartMs) measured++;
    }
    this.sequence += this.inFlight;
    this.head = 0;
    this.inFlight = 0;
    return measured;
  }
}
