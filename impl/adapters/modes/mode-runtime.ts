/**
 * What a counting mode plugs into a running server: its sans-I/O backend, the executor that
 * carries out the backend's effects, admin routes it serves, and how it starts and closes.
 * `modes/<mode>.ts` exports `createModeRuntime(context)`; `mode-table.ts` lists every mode.
 */
import type { CountingBackend, Effect } from '../../core/counting-backend.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Random } from '../../ports/random.ts';
import type { ServeOptions } from '../../config/serve-options.ts';
import type { RouteHandler } from '../admin-http.ts';
import type { EffectExecutor } from '../backend-driver.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';

export interface ModeContext {
  options: ServeOptions;
  logger: Logger;
  metrics: Metrics;
  /** Monotonic time for deadlines. */
  clock: Clock;
  /** Wall time, for anything another machine reads. */
  wallClock: Clock;
  random: Random;
}

export interface ModeRuntime<E extends Effect = Effect, R = unknown> {
  /**
   * A Snowflake worker id the mode obtained (mode A leases one from Redis), if any. Called
   * before the server id is made.
   */
  workerId?(): Promise<number | undefined>;
  /** Builds the backend once the server id is known. */
  backend(serverId: string): CountingBackend<E, R>;
  execute: EffectExecutor<E, R>;
  /** Admin routes (mode C serves its count to discovery). */
  routes?(): Record<string, RouteHandler>;
  /** Whether the mode needs the admin port even when --admin-port is 0 (it then takes a free one). */
  needsAdmin?: boolean;
  /** The server is listening; `adminUrl` is set when the admin port is on. */
  started?(info: { port: number; adminUrl: string | undefined }): void;
  /** After the drain: release connections (Redis, HTTP agents). */
  close(): Promise<void>;
}

export type ModeFactory = (context: ModeContext) => Promise<ModeRuntime>;
