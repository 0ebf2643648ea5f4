/**
 * A Snowflake worker id leased from Redis, so two live servers never share one: `SET key token
 * NX PX leaseMs` on `{prefix}:worker:<id>`, trying ids from a random start, then renewed every
 * `leaseMs / 3` by a script that extends only our own token. If a renewal says the key is no
 * longer ours, or no renewal succeeded before the lease would have run out, the lease is LOST:
 * `nextId` refuses with `HC_WORKER_LEASE_LOST` rather than risk a duplicate id.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { workerLeaseKey } from '../../core/mode-a/effects.ts';
import { SnowflakeGenerator, workerIdMax } from '../../core/ids/snowflake.ts';
import type { Result } from '../../core/result.ts';
import { err, ok } from '../../core/result.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RedisClient } from './connect.ts';
import { releaseLeaseScript, renewLeaseScript } from './registry-scripts.ts';

export type LeaseError =
  | { code: 'HC_WORKER_LEASE_LOST'; definite: true; message: string }
  | { code: 'HC_WORKER_IDS_EXHAUSTED'; definite: true; message: string };

export interface WorkerLeaseOptions {
  prefix: string;
  /** How long a lease lives without renewal. @default 10000: outlives a Redis failover */
  leaseMs?: number;
  /** Monotonic clock for "has the lease run out". */
  clock: Clock;
  /** Told once when the lease is lost. */
  onLost?: (message: string) => void;
  /** First id tried; random by default so servers starting together rarely collide. */
  startId?: number;
}

interface LeaseCommands {
  hcRenewLease(key: string, token: string, leaseMs: string): Promise<number>;
  hcReleaseLease(key: string, token: string): Promise<number>;
}

export class WorkerLease {
  readonly workerId: number;
  #client: RedisClient & LeaseCommands;
  #key: string;
  #token: string;
  #leaseMs: number;
  #clock: Clock;
  #renewedAtMs: number;
  #lost: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #onLost: ((message: string) => void) | undefined;
  #generator: SnowflakeGenerator;

  private constructor(client: RedisClient, workerId: number, token: string, options: WorkerLeaseOptions) {
    this.workerId = workerId;
    this.#client = client as RedisClient & LeaseCommands;
    this.#key = workerLeaseKey(options.prefix, workerId);
    this.#token = token;
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.#clock = options.clock;
    this.#renewedAtMs = options.clock.nowMs();
    this.#onLost = options.onLost;
    this.#generator = new SnowflakeGenerator(workerId);
    this.#timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.#leaseMs / 3)));
    this.#timer.unref();
  }

  static async acquire(
    client: RedisClient,
    options: WorkerLeaseOptions,
  ): Promise<Result<WorkerLease, LeaseError>> {
    defineLeaseCommands(client);
    const leaseMs = options.leaseMs ?? 10_000;
    const token = randomBytes(12).toString('hex');
    const startId = options.startId ?? randomInt(workerIdMax + 1);
    for (let offset = 0; offset <= workerIdMax; offset += 1) {
      const workerId = (startId + offset) % (workerIdMax + 1);
      const reply = await client.set(workerLeaseKey(options.prefix, workerId), token, 'PX', leaseMs, 'NX');
      if (reply === 'OK') return ok(new WorkerLease(client, workerId, token, options));
    }
    return err({
      code: 'HC_WORKER_IDS_EXHAUSTED',
      definite: true,
      message: `all ${workerIdMax + 1} snowflake worker ids are leased under {${options.prefix}}; pass --worker-id or use another --id`,
    });
  }

  get lost(): boolean {
    this.#checkExpired();
    return this.#lost !== undefined;
  }

  /** The next Snowflake id, or an error once the lease is lost. */
  nextId(wallNowMs: number): Result<bigint, LeaseError> {
    this.#checkExpired();
    if (this.#lost !== undefined)
      return err({ code: 'HC_WORKER_LEASE_LOST', definite: true, message: this.#lost });
    return ok(this.#generator.next(wallNowMs));
  }

  async renew(): Promise<void> {
    if (this.#lost !== undefined) return;
    try {
      const renewed = await this.#client.hcRenewLease(this.#key, this.#token, String(this.#leaseMs));
      if (renewed === 1) this.#renewedAtMs = this.#clock.nowMs();
      else
        this.#lose(
          `snowflake worker id ${this.workerId}: the lease ${this.#key} is held by someone else; id issuance stopped to avoid duplicates`,
        );
    } catch {
      this.#checkExpired();
    }
  }

  async release(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#lost !== undefined) return;
    this.#lost = 'released';
    await this.#client.hcReleaseLease(this.#key, this.#token).catch(() => 0);
  }

  #checkExpired(): void {
    if (this.#lost !== undefined) return;
    if (this.#clock.nowMs() - this.#renewedAtMs >= this.#leaseMs) {
      this.#lose(
        `snowflake worker id ${this.workerId}: no lease renewal for ${this.#leaseMs} ms (Redis unreachable); id issuance stopped to avoid duplicates`,
      );
    }
  }

  #lose(message: string): void {
    this.#lost = message;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#onLost?.(message);
  }
}

function defineLeaseCommands(client: RedisClient): void {
  const commands = client as RedisClient & Partial<LeaseCommands>;
  if (commands.hcRenewLease === undefined)
    client.defineCommand('hcRenewLease', { numberOfKeys: 1, lua: renewLeaseScript });
  if (commands.hcReleaseLease === undefined)
    client.defineCommand('hcReleaseLease', { numberOfKeys: 1, lua: releaseLeaseScript });
}
