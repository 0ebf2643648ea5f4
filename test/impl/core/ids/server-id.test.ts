import { validate, version } from 'uuid';
import { describe, expect, test } from 'vitest';
import {
  idStrategies,
  isValidStableId,
  isValidWorkerId,
  snowflakeId,
  uuidV4,
  uuidV7,
} from '../../../../impl/core/ids/server-id.ts';
import { parseSnowflake, SnowflakeGenerator, snowflakeEpochMs } from '../../../../impl/core/ids/snowflake.ts';
import type { Random } from '../../../../impl/ports/random.ts';

/** A Random whose bytes are all `byte`, so two ids from it are equal exactly when the code is deterministic. */
function constantRandom(byte: number): Random {
  return { uint32: () => byte * 0x0101_0101, fill: (target) => target.fill(byte) };
}

describe('server ids', () => {
  test('the strategies are uuid, stable, uuidv7 and snowflake', () => {
    expect(idStrategies).toEqual(['uuid', 'stable', 'uuidv7', 'snowflake']);
  });

  test('a v4 uuid is made from the injected randomness alone', () => {
    const id = uuidV4(constantRandom(0xab));
    expect(validate(id) && version(id)).toBe(4);
    expect(id).toBe(uuidV4(constantRandom(0xab)));
    expect(id).not.toBe(uuidV4(constantRandom(0xcd)));
    expect(id.startsWith('abababab-abab-4bab-')).toBe(true);
  });

  test('a v7 uuid carries the injected millisecond, floored, in its first 48 bits', () => {
    const nowMs = 1_700_000_000_123.9;
    const id = uuidV7(constantRandom(0x11), nowMs);
    expect(validate(id) && version(id)).toBe(7);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(1_700_000_000_123);
    expect(id).toBe(uuidV7(constantRandom(0x11), nowMs));
    expect(id).not.toBe(uuidV7(constantRandom(0x22), nowMs));
  });

  test('a snowflake server id is the generator next id in decimal', () => {
    const id = snowflakeId(new SnowflakeGenerator(3), snowflakeEpochMs + 5);
    expect(id).toMatch(/^\d+$/);
    expect(parseSnowflake(BigInt(id))).toEqual({
      timestampMs: snowflakeEpochMs + 5,
      workerId: 3,
      sequence: 0,
    });
  });

  test('a stable id file may hold a v4 or v7 uuid and nothing else', () => {
    expect(isValidStableId(uuidV4(constantRandom(1)))).toBe(true);
    expect(isValidStableId(uuidV7(constantRandom(1), 1_700_000_000_000))).toBe(true);
    expect(isValidStableId('6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(false); // v1
    expect(isValidStableId('not-a-uuid')).toBe(false);
    expect(isValidStableId('')).toBe(false);
  });

  test('a worker id is an integer from 0 to 1023', () => {
    expect(isValidWorkerId(0)).toBe(true);
    expect(isValidWorkerId(1023)).toBe(true);
    expect(isValidWorkerId(1024)).toBe(false);
    expect(isValidWorkerId(-1)).toBe(false);
    expect(isValidWorkerId(1.5)).toBe(false);
  });
});
