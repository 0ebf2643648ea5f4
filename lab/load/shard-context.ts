/**
 * What a connection client may see of the shard that owns it: options, tallies, the request
 * encoder, the measured window and the shared request budget. Kept as an interface so the clients
 * do not import the shard and the shard's timeline stays in one file.
 */
import type { RequestEncoder } from './command-mix.ts';
import type { HeldConnection } from './held-connection.ts';
import type { LoadOptions } from './options.ts';
import type { ShardStats } from './shard-stats.ts';

export interface ShardContext {
  readonly options: LoadOptions;
  readonly stats: ShardStats;
  readonly encoder: RequestEncoder;
  /** `performance.now()` instant where the measured window starts; earlier requests are not recorded. */
  readonly measureStartMs: number;
  /** `performance.now()` instant after which nothing more is sent (the end of the measured window). */
  readonly sendEndMs: number;
  /** True once sending has stopped (end of run, request budget spent, or a signal). */
  readonly stopping: boolean;
  /** Takes up to `wanted` requests from the shard's budget and returns how many may be sent now. */
  takeBudget(wanted: number): number;
  /** Open loop: call `connection.sendDue` again at (about) `atMs`, to the millisecond. */
  wakeAt(connection: HeldConnection, atMs: number): void;
  /** Called on every reply so the shard knows when the last one arrived. */
  noteReply(nowMs: number): void;
}
