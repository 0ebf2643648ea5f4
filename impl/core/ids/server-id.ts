/**
 * A server's id, by strategy (`--id`):
 * - `uuid`: a random v4 UUID, new at every start (the design's default; a restart is a new server);
 * - `stable`: created once and kept in `--id-file` (the file itself is the adapter's job);
 * - `uuidv7`: a time-ordered UUID, new at every start;
 * - `snowflake`: a 64-bit Snowflake for this boot, from the worker id.
 * Randomness and time are handed in (`Random`, `nowMs`), so the simulator can make ids too.
 */
import { v4, v7, validate, version } from 'uuid';
import type { Random } from '../../ports/random.ts';
import { type SnowflakeGenerator, workerIdMax } from './snowflake.ts';

export type IdStrategy = 'uuid' | 'stable' | 'uuidv7' | 'snowflake';
export const idStrategies: readonly IdStrategy[] = ['uuid', 'stable', 'uuidv7', 'snowflake'];

export function uuidV4(random: Random): string {
  return v4({ random: random.fill(new Uint8Array(16)) });
}

export function uuidV7(random: Random, nowMs: number): string {
  return v7({ random: random.fill(new Uint8Array(16)), msecs: Math.floor(nowMs) });
}

export function snowflakeId(generator: SnowflakeGenerator, nowMs: number): string {
  return generator.next(nowMs).toString(10);
}

/** Whether `text` is a valid id for a stable id file: a UUID (v4 or v7). */
export function isValidStableId(text: string): boolean {
  return validate(text) && [4, 7].includes(version(text));
}

export function isValidWorkerId(workerId: number): boolean {
  return Number.isInteger(workerId) && workerId >= 0 && workerId <= workerIdMax;
}
