import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  parseSnowflake,
  SnowflakeGenerator,
  sequenceMax,
  snowflakeEpochMs,
  workerIdMax,
} from '../../../../impl/core/ids/snowflake.ts';

describe('snowflake ids', () => {
  test('a million snowflakes in a tight loop are unique and increasing', () => {
    const generator = new SnowflakeGenerator(5);
    const startMs = snowflakeEpochMs + 1_000_000;
    let previous = -1n;
    let outOfOrder = 0;
    for (let index = 0; index < 1_000_000; index += 1) {
      // A coarse clock: 250 calls per millisecond, so the sequence rolls over constantly.
      const id = generator.next(startMs + Math.floor(index / 250));
      if (id <= previous) outOfOrder += 1;
      previous = id;
    }
    // Strictly increasing implies unique.
    expect(outOfOrder).toBe(0);
  });

  test('the layout is 41 bits of time, 10 of worker and 12 of sequence', () => {
    const generator = new SnowflakeGenerator(1023);
    const id = generator.next(snowflakeEpochMs + 42);
    expect(parseSnowflake(id)).toEqual({ timestampMs: snowflakeEpochMs + 42, workerId: 1023, sequence: 0 });
    expect(id < 2n ** 63n).toBe(true);
  });

  propertyTest.prop([fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 500 })])(
    'a clock that jumps backwards never yields a duplicate or a smaller id',
    (offsets) => {
      const generator = new SnowflakeGenerator(7);
      let previous = -1n;
      for (const offset of offsets) {
        const id = generator.next(snowflakeEpochMs + offset);
        expect(id > previous).toBe(true);
        previous = id;
      }
    },
  );

  test('two workers never produce the same id at the same instant', () => {
    const a = new SnowflakeGenerator(1);
    const b = new SnowflakeGenerator(2);
    const ids = new Set<bigint>();
    for (let index = 0; index < 10_000; index += 1) {
      ids.add(a.next(snowflakeEpochMs + index));
      ids.add(b.next(snowflakeEpochMs + index));
    }
    expect(ids.size).toBe(20_000);
  });

  test('the 4,097th id in one millisecond borrows the next millisecond with sequence 0 and the same worker', () => {
    const generator = new SnowflakeGenerator(9);
    const nowMs = snowflakeEpochMs + 100;
    const ids = Array.from({ length: sequenceMax + 2 }, () => generator.next(nowMs));
    expect(parseSnowflake(ids[sequenceMax]!)).toEqual({ timestampMs: nowMs, workerId: 9, sequence: 4095 });
    expect(parseSnowflake(ids[sequenceMax + 1]!)).toEqual({
      timestampMs: nowMs + 1,
      workerId: 9,
      sequence: 0,
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('after borrowing a millisecond, the real next millisecond continues the borrowed one', () => {
    const generator = new SnowflakeGenerator(9);
    const nowMs = snowflakeEpochMs + 100;
    for (let index = 0; index <= sequenceMax + 1; index += 1) generator.next(nowMs);
    expect(parseSnowflake(generator.next(nowMs + 1))).toEqual({
      timestampMs: nowMs + 1,
      workerId: 9,
      sequence: 1,
    });
    expect(parseSnowflake(generator.next(nowMs + 2))).toEqual({
      timestampMs: nowMs + 2,
      workerId: 9,
      sequence: 0,
    });
  });

  test('a clock that goes back keeps the last millisecond and counts the sequence up', () => {
    const generator = new SnowflakeGenerator(4);
    generator.next(snowflakeEpochMs + 50);
    expect(parseSnowflake(generator.next(snowflakeEpochMs + 10))).toEqual({
      timestampMs: snowflakeEpochMs + 50,
      workerId: 4,
      sequence: 1,
    });
  });

  test('a fractional millisecond is floored', () => {
    const generator = new SnowflakeGenerator(0);
    expect(parseSnowflake(generator.next(snowflakeEpochMs + 7.9)).timestampMs).toBe(snowflakeEpochMs + 7);
  });

  test('the first id at the epoch itself is 0 for worker 0', () => {
    expect(new SnowflakeGenerator(0).next(snowflakeEpochMs)).toBe(0n);
  });

  test('a worker id outside 0..1023 or fractional is refused by name', () => {
    expect(workerIdMax).toBe(1023);
    expect(() => new SnowflakeGenerator(1024)).toThrow('worker id out of range');
    expect(() => new SnowflakeGenerator(-1)).toThrow('worker id out of range');
    expect(() => new SnowflakeGenerator(0.5)).toThrow('worker id out of range');
    expect(new SnowflakeGenerator(0).workerId).toBe(0);
  });

  test('a clock before the snowflake epoch is refused by name', () => {
    expect(() => new SnowflakeGenerator(1).next(snowflakeEpochMs - 1)).toThrow('before the snowflake epoch');
  });

  test('the last millisecond of the 41-bit range still makes an id, the one after is refused', () => {
    const lastMs = snowflakeEpochMs + 2 ** 41 - 1;
    const generator = new SnowflakeGenerator(1);
    expect(parseSnowflake(generator.next(lastMs)).timestampMs).toBe(lastMs);
    expect(() => generator.next(lastMs + 1)).toThrow('snowflake timestamp overflow');
  });
});
