/**
 * Twitter-Snowflake-style ids: 64 bits = 41 bits of milliseconds since `snowflakeEpochMs`,
 * 10 bits of worker id, 12 bits of sequence; written in decimal.
 *
 * The generator is pure: it is handed `nowMs`. Uniqueness per worker comes from never letting
 * the (ms, sequence) pair go backwards: when the clock goes back, or the 4,096 ids of one
 * millisecond run out, it keeps issuing from the last millisecond it used, borrowing from the
 * future. Ids stay unique and increasing; they are only as time-accurate as the clock allows.
 */
import assert from 'node:assert';

/** 2020-01-01T00:00:00Z: 41 bits of milliseconds then last until 2089. */
export const snowflakeEpochMs = 1_577_836_800_000;
export const workerIdBits = 10;
export const sequenceBits = 12;
export const workerIdMax = (1 << workerIdBits) - 1;
export const sequenceMax = (1 << sequenceBits) - 1;
const timestampMax = 2n ** 41n - 1n;

export class SnowflakeGenerator {
  readonly workerId: number;
  #lastMs = -1;
  #sequence = 0;

  constructor(workerId: number) {
    assert(Number.isInteger(workerId) && workerId >= 0 && workerId <= workerIdMax, 'worker id out of range');
    this.workerId = workerId;
  }

  next(nowMs: number): bigint {
    const ms = Math.floor(nowMs) - snowflakeEpochMs;
    assert(ms >= 0, 'the clock is before the snowflake epoch');
    if (ms > this.#lastMs) {
      this.#lastMs = ms;
      this.#sequence = 0;
    } else if (this.#sequence < sequenceMax) {
      this.#sequence += 1;
    } else {
      this.#lastMs += 1;
      this.#sequence = 0;
    }
    assert(BigInt(this.#lastMs) <= timestampMax, 'snowflake timestamp overflow');
    return (
      (BigInt(this.#lastMs) << BigInt(workerIdBits + sequenceBits)) |
      (BigInt(this.workerId) << BigInt(sequenceBits)) |
      BigInt(this.#sequence)
    );
  }
}

export interface SnowflakeParts {
  timestampMs: number;
  workerId: number;
  sequence: number;
}

export function parseSnowflake(id: bigint): SnowflakeParts {
  return {
    timestampMs: Number(id >> BigInt(workerIdBits + sequenceBits)) + snowflakeEpochMs,
    workerId: Number((id >> BigInt(sequenceBits)) & BigInt(workerIdMax)),
    sequence: Number(id & BigInt(sequenceMax)),
  };
}
