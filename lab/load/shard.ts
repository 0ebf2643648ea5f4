/**
 * One shard of a load run: the connections one thread drives, on one timeline.
 *
 *   startMs ── warmup ──> measureStartMs ── durationMs ──> stopMs ── drain (≤ timeoutMs) ──> result
 *
 * A ticker (1 ms in the open loop and churn, 5 ms otherwise) opens held connections as the ramp
 * allows, sends due open-loop requests, starts churn attempts, checks timeouts and ends the run.
 * Shard `s` of `W` takes the held connections and churn attempts whose global index is `s` mod
 * `W`, so W shards together run exactly the plan one shard would.
 */
import { ChurnConnection } from './churn-connection.ts';
import { RequestEncoder } from './command-mix.ts';
import { HeldConnection, type Schedule } from './held-connection.ts';
import {
  churnOpenMax,
  closedLoopTickMs,
  openLoopInFlightMax,
  openLoopTickMs,
  pipelineDepthMax,
  timeoutCheckIntervalMs,
} from './limits.ts';
import type { LoadOptions } from './options.ts';
import type { LoadResult, StopReason } from './result.ts';
import type { ShardContext } from './shard-context.ts';
import { ShardStats } from './shard-stats.ts';

export interface ShardPlan {
  options: LoadOptions;
  shardIndex: number;
  shardCount: number;
}

export interface ShardProgress {
  openConnectionCount: number;
  completed: number;
}

export class Shard implements ShardContext {
  readonly options: LoadOptions;
  readonly stats: ShardStats;
  readonly encoder: RequestEncoder;
  measureStartMs = 0;
  stopping = false;

  get sendEndMs(): number {
    return this.stopMs;
  }

  private readonly plan: ShardPlan;
  private readonly held: HeldConnection[] = [];
  private readonly heldConnectAtMs: number[] = [];
  private heldOpened = 0;
  private readonly churn = new Set<ChurnConnection>();
  private churnIndex: number;
  private budgetLeft: number;
  private startMs = 0;
  private stopMs = 0;
  private lastReplyMs = 0;
  private stopReason: StopReason = 'duration';
  private stopRequested = false;
  private ticker: NodeJS.Timeout | null = null;
  private lastTimeoutCheckMs = Number.NEGATIVE_INFINITY;
  /**
   * Open loop timing wheel: whole-ms slot → connections due then, so a tick touches only the
   * connections with a send due (O(sends)), not every connection. `wheelCursorMs` is the last
   * slot turned; stale entries (a connection refiled elsewhere) are skipped by `wakeSlotMs`.
   */
  private readonly wheel = new Map<number, HeldConnection[]>();
  private wheelCursorMs = 0;
  private finishRun: ((result: LoadResult) => void) | null = null;

  constructor(plan: ShardPlan) {
    const { options, shardIndex, shardCount } = plan;
    this.plan = plan;
    this.options = options;
    this.stats = new ShardStats(options.targets.length);
    this.encoder = new RequestEncoder(
      options.mix,
      options.protocol,
      Math.max(pipelineDepthMax, openLoopInFlightMax),
    );
    this.churnIndex = shardIndex;
    const total = options.requestCountMax;
    this.budgetLeft =
      total === null
        ? Number.POSITIVE_INFINITY
        : Math.floor(total / shardCount) + (shardIndex < total % shardCount ? 1 : 0);
  }

  get isOpenLoop(): boolean {
    return this.options.ratePerSec !== null;
  }

  /** Runs until the duration ends, the request budget is spent or `stop()` is called. */
  run(): Promise<LoadResult> {
    const { options } = this;
    this.startMs = performance.now();
    this.measureStartMs = this.startMs + options.warmupMs;
    this.stopMs = this.measureStartMs + options.durationMs;
    this.wheelCursorMs = Math.floor(this.startMs) - 1;
    this.createHeld();
    const tickMs = this.isOpenLoop || options.churnPerSec !== null ? openLoopTickMs : closedLoopTickMs;
    return new Promise((resolve) => {
      this.finishRun = resolve;
      this.ticker = setInterval(() => this.tick(performance.now()), tickMs);
      this.tick(this.startMs);
    });
  }

  /** Ctrl-C: stop sending now, drain, and resolve with what was measured. */
  stop(): void {
    this.stopRequested = true;
  }

  progress(): ShardProgress {
    let open = this.churn.size;
    for (const connection of this.held) if (connection.isOpen) open++;
    return { openConnectionCount: open, completed: this.stats.completed };
  }

  takeBudget(wanted: number): number {
    const granted = Math.min(wanted, this.budgetLeft);
    this.budgetLeft -= granted;
    return granted;
  }

  wakeAt(connection: HeldConnection, atMs: number): void {
    const slotMs = Math.max(Math.floor(atMs), this.wheelCursorMs + 1);
    if (connection.wakeSlotMs === slotMs) return;
    connection.wakeSlotMs = slotMs;
    const bucket = this.wheel.get(slotMs);
    if (bucket) bucket.push(connection);
    else this.wheel.set(slotMs, [connection]);
  }

  private turnWheel(nowMs: number): void {
    const lastSlotMs = Math.floor(nowMs);
    while (this.wheelCursorMs < lastSlotMs) {
      const slotMs = ++this.wheelCursorMs;
      const bucket = this.wheel.get(slotMs);
      if (!bucket) continue;
      this.wheel.delete(slotMs);
      for (const connection of bucket) {
        if (connection.wakeSlotMs !== slotMs) continue;
        connection.wakeSlotMs = -1;
        connection.sendDue(nowMs);
      }
    }
  }

  noteReply(nowMs: number): void {
    this.lastReplyMs = nowMs;
  }

  private createHeld(): void {
    const { options, plan } = this;
    const intervalMs =
      options.ratePerSec === null ? 0 : (options.connectionCount * 1000) / options.ratePerSec;
    for (let global = plan.shardIndex; global < options.connectionCount; global += plan.shardCount) {
      const connectAtMs =
        this.startMs + (options.connectRatePerSec === null ? 0 : (global * 1000) / options.connectRatePerSec);
      const phaseMs = (global * intervalMs) / options.connectionCount;
      const schedule: Schedule | null =
        intervalMs > 0 ? { anchorMs: connectAtMs + phaseMs, intervalMs } : null;
      const targetIndex = global % options.targets.length;
      this.held.push(new HeldConnection(this, options.targets[targetIndex]!, targetIndex, schedule));
      this.heldConnectAtMs.push(connectAtMs);
    }
  }

  private tick(nowMs: number): void {
    if (!this.stopping) this.drive(nowMs);
    if (nowMs - this.lastTimeoutCheckMs >= timeoutCheckIntervalMs) {
      this.lastTimeoutCheckMs = nowMs;
      for (const connection of this.held) connection.checkTimeout(nowMs);
      for (const connection of this.churn) connection.checkTimeout(nowMs);
    }
    if (this.stopping) this.maybeFinish(nowMs);
  }

  private drive(nowMs: number): void {
    while (this.heldOpened < this.held.length && this.heldConnectAtMs[this.heldOpened]! <= nowMs) {
      this.held[this.heldOpened++]!.connect();
    }
    if (this.isOpenLoop) this.turnWheel(nowMs);
    this.startDueChurn(nowMs);
    if (this.stopRequested) this.beginStop(nowMs, 'signal');
    else if (nowMs >= this.stopMs) this.beginStop(this.stopMs, 'duration');
    else if (this.budgetLeft === 0) this.beginStop(nowMs, 'requests');
  }

  private startDueChurn(nowMs: number): void {
    const { options } = this;
    if (options.churnPerSec === null) return;
    const intervalMs = 1000 / options.churnPerSec;
    for (;;) {
      const dueMs = this.measureStartMs + this.churnIndex * intervalMs;
      if (dueMs > nowMs || dueMs >= this.stopMs) return;
      const global = this.churnIndex;
      this.churnIndex += this.plan.shardCount;
      if (this.churn.size >= churnOpenMax || this.takeBudget(1) === 0) {
        this.stats.churnSkipped++;
        continue;
      }
      const targetIndex = global % options.targets.length;
      const verbCode = this.encoder.verbAt(global);
      const connection = new ChurnConnection(
        this,
        options.targets[targetIndex]!,
        targetIndex,
        verbCode,
        (done) => this.churn.delete(done),
      );
      this.churn.add(connection);
    }
  }

  private beginStop(stopMs: number, reason: StopReason): void {
    this.stopping = true;
    this.stopReason = reason;
    this.stopMs = stopMs;
    if (reason === 'requests') return; // the budget, not the schedule, ended the sending
    for (const connection of this.held)
      this.stats.unsent += connection.unsentBetween(this.measureStartMs, stopMs);
  }

  private maybeFinish(nowMs: number): void {
    let inFlight = this.churn.size;
    for (const connection of this.held) inFlight += connection.inFlightCount;
    if (inFlight > 0 && nowMs < this.stopMs + this.options.timeoutMs) return;
    for (const connection of this.held) connection.finish();
    for (const connection of this.churn) connection.finish();
    if (this.ticker) clearInterval(this.ticker);
    const endMs =
      this.stopReason === 'requests' ? Math.max(this.lastReplyMs, this.measureStartMs) : this.stopMs;
    const measuredMs = Math.max(0, endMs - this.measureStartMs);
    this.finishRun?.(
      this.stats.toResult({
        options: this.options,
        startedAtMs: Math.round(performance.timeOrigin + this.measureStartMs),
        measuredMs,
        stoppedBy: this.stopReason,
        expectedIntervalUs:
          this.options.ratePerSec === null
            ? null
            : Math.round((this.options.connectionCount * 1e6) / this.options.ratePerSec),
      }),
    );
    this.finishRun = null;
  }
}
