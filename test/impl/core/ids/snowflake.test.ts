import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { parseSnowflake, SnowflakeGenerator, snowflakeEpochMs } from '../../../../impl/core/ids/snowflake.ts';

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
});
