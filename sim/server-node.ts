/**
 * One simulated server: a real `ServerCore` with its mode's real backend, its clock offset, and
 * its boot epoch (a result addressed to an earlier boot is dropped, as a new process would never
 * see it). The world (sim/world.ts) drives it; this file only holds its state and makes its id.
 */
import { SnowflakeGenerator } from '../impl/core/ids/snowflake.ts';
import { snowflakeId, uuidV4, uuidV7 } from '../impl/core/ids/server-id.ts';
import type { ServerCore } from '../impl/core/server-core.ts';
import type { Session } from '../impl/core/session.ts';
import type { SimIdStrategy } from '../experiment/config.ts';
import type { SimRandom } from '../experiment/rng.ts';

/** Server clocks read as wall time from this instant, so time-based ids (uuidv7, snowflake) are valid. */
export const simEpochMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/** A connected client as the world tracks it. */
export interface SimClient {
  id: number;
  /** The instant (true time) the client wants to leave. */
  endAtMs: number;
  server: SimServer | undefined;
  session: Session | undefined;
  /** Index in the world's connected-client array; -1 when not connected. */
  denseIndex: number;
  /** WHO records awaiting an answer on this connection, oldest first. */
  pending: number[];
  /**
   * WHO records whose request the network lost on this connection: no reply will come, so they
   * are not in `pending` (the reply FIFO), but they are abandoned with it when the connection
   * ends, as a real client gives up a question asked on a connection that closed.
   */
  lost: number[];
  /** Invalidates a scheduled departure check. */
  token: number;
  /** Its connection is stalled (the `connection` loss model): nothing passes until it closes. */
  stalled: boolean;
}

export class SimServer {
  readonly index: number;
  readonly name: string;
  offsetMs: number;
  /**
   * Where in its period this server's own timer (lease renewal, heartbeat) runs: the first boot
   * restarts it this long after t = 0 (sim/hosts/server-host.ts), in [0, period).
   */
  readonly timerPhaseMs: number;
  core: ServerCore | undefined;
  epoch = 0;
  id = '';
  sessions = new Map<Session, SimClient>();
  armedAtMs: number | undefined;
  /** The epoch and backend deadline of the armed event (valid while `deadlineToken` matches it). */
  armedEpoch = 0;
  armedDeadlineMs = 0;
  deadlineToken = 0;
  /** Stopping: draining, not routable, still finishing its effects. */
  stopping = false;

  constructor(index: number, offsetMs: number, timerPhaseMs = 0) {
    this.index = index;
    this.name = `server-${index}`;
    this.offsetMs = offsetMs;
    this.timerPhaseMs = timerPhaseMs;
  }

  localNowMs(nowMs: number): number {
    return nowMs + this.offsetMs;
  }

  get routable(): boolean {
    return this.core !== undefined && !this.stopping;
  }

  newId(strategy: SimIdStrategy, random: SimRandom, nowMs: number): string {
    const wallMs = simEpochMs + this.localNowMs(nowMs);
    switch (strategy) {
      case 'uuid':
        return uuidV4(random);
      case 'stable':
        return this.id === '' ? uuidV4(random) : this.id;
      case 'stable-shared':
        // Deterministic per slot, and server-1 reads server-0's id file: one id, two live processes.
        return `stable-slot-${this.index === 1 ? 0 : this.index}`;
      case 'uuidv7':
        return uuidV7(random, wallMs);
      case 'snowflake':
        return snowflakeId(new SnowflakeGenerator(this.index), wallMs);
    }
  }
}
