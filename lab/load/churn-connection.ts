/**
 * Churn mode: one short-lived connection that connects, sends one request, reads one reply and
 * disconnects. It measures what a server pays for connection setup and teardown (the WHO count
 * moves on every connect and close) rather than steady request throughput.
 */
import net from 'node:net';
import { recordLatencyUs } from './histograms.ts';
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

export class ChurnConnection implements LineSink {
  private readonly socket: net.Socket;
  private readonly connectStartMs: number;
  private sentAtMs = 0;
  private connected = false;
  /** True once this attempt's outcome (reply, refusal, timeout) has been counted. */
  private settled = false;
  private readonly splitter = new LineSplitter();

  constructor(
    private readonly context: ShardContext,
    target: Target,
    private readonly targetIndex: number,
    private readonly verbCode: number,
    private readonly onDone: (connection: ChurnConnection) => void,
  ) {
    const stats = context.stats;
    stats.churnStarted++;
    stats.connectsAttempted++;
    this.connectStartMs = performance.now();
    this.socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('data', (chunk: Buffer) => this.splitter.push(chunk, this));
    this.socket.on('error', () => this.settle(this.connected ? 'reset' : 'refused'));
    this.socket.on('close', () => this.onClose());
  }

  checkTimeout(nowMs: number): void {
    if (this.settled) return;
    const startedMs = this.connected ? this.sentAtMs : this.connectStartMs;
    if (nowMs - startedMs > this.context.options.timeoutMs) this.finish();
  }

  /** A timeout, or the end of the run: an unanswered attempt timed out. */
  finish(): void {
    this.settle('timeout');
    this.socket.destroy();
  }

  onLine(buffer: Buffer, start: number, end: number): void {
    if (this.settled) return;
    this.settled = true;
    const stats = this.context.stats;
    const kind = classifyReply(buffer, start, end, this.verbCode, this.context.options.check);
    stats.completed++;
    stats.completedByTarget[this.targetIndex]!++;
    stats.churnCompleted++;
    recordLatencyUs(stats.requestLatency, Math.round((performance.now() - this.sentAtMs) * 1000));
    if (kind === replyOk) stats.ok++;
    else if (kind === replyErr) stats.errors.errReply++;
    else if (kind === replyBye) stats.errors.bye++;
    else if (kind === replyBad) stats.errors.badReply++;
    this.socket.destroy();
  }

  onOverlongLine(): void {
    this.settle('badReply');
    this.socket.destroy();
  }

  private onConnect(): void {
    const stats = this.context.stats;
    this.sentAtMs = performance.now();
    this.connected = true;
    stats.connectsSucceeded++;
    recordLatencyUs(stats.connectLatency, Math.round((this.sentAtMs - this.connectStartMs) * 1000));
    if (this.settled) return void this.socket.destroy();
    stats.sent++;
    this.socket.write(this.context.encoder.bytesOf(this.verbCode));
  }

  private onClose(): void {
    this.settle(this.connected ? 'reset' : 'refused');
    if (this.connected) this.context.stats.connectsClosed++;
    this.onDone(this);
  }

  private settle(kind: 'refused' | 'reset' | 'timeout' | 'badReply'): void {
    if (this.settled) return;
    this.settled = true;
    this.context.stats.errors[kind]++;
  }
}
