import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { loadScenarioFile } from '../../../scenarios/runner/load.ts';
import { planScenario } from '../../../scenarios/runner/plan.ts';
import { catalogueFiles } from '../../../scenarios/runner/run-scenarios.ts';
import { deriveSeed } from '../../../scenarios/runner/seed.ts';
import { inShard, parseShard, shardFromEnv } from '../../../scenarios/runner/shard.ts';

describe('scenarios: sharding', () => {
  propertyTest.prop([fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 12 })])(
    'the N shards partition the runs exactly: each run is in one shard',
    (runCount, shardCount) => {
      for (let run = 0; run < runCount; run++) {
        let owners = 0;
        for (let index = 1; index <= shardCount; index++)
          if (inShard(run, { index, count: shardCount })) owners++;
        expect(owners).toBe(1);
      }
    },
  );

  test('the catalogue split in 3 shards gives every run once, with the same seeds as unsharded', () => {
    const runs = catalogueFiles().flatMap((file) => {
      const loaded = loadScenarioFile(file);
      if (!loaded.ok) throw new Error(file);
      const planned = planScenario(loaded.value, { engine: 'sim', rootSeed: 42, quick: false });
      if (!planned.ok) throw new Error(file);
      return planned.value.runs;
    });
    const shards = [1, 2, 3].map((index) => runs.filter((_, k) => inShard(k, { index, count: 3 })));
    const union = shards.flat().map((run) => `${run.runId}#${run.seed}`);
    expect(union.sort()).toEqual(runs.map((run) => `${run.runId}#${run.seed}`).sort());
    expect(
      Math.max(...shards.map((s) => s.length)) - Math.min(...shards.map((s) => s.length)),
    ).toBeLessThanOrEqual(1);
  });

  test.each(['0/3', '4/3', '1/0', 'a/b', '1-3'])('--shard %s is refused', (text) => {
    expect(parseShard(text)).toBeUndefined();
  });

  test('a run seed depends on the root seed and the run id only', () => {
    expect(deriveSeed(1, 'x/mode=a/seed-0')).toBe(deriveSeed(1, 'x/mode=a/seed-0'));
    expect(deriveSeed(1, 'x/mode=a/seed-0')).not.toBe(deriveSeed(2, 'x/mode=a/seed-0'));
    expect(deriveSeed(1, 'x/mode=a/seed-0')).not.toBe(deriveSeed(1, 'x/mode=a/seed-1'));
  });

  test('JOB_COMPLETION_INDEX is 0-based and HEADCOUNT_SHARD_COUNT gives the count: index 2 of 3 is shard 3/3', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2', HEADCOUNT_SHARD_COUNT: '3' })).toEqual({
      ok: true,
      shard: { index: 3, count: 3 },
    });
    expect(shardFromEnv({})).toEqual({ ok: true, shard: undefined });
  });

  test.each([
    [{ JOB_COMPLETION_INDEX: '0' }, 'HEADCOUNT_SHARD_COUNT is not set'],
    [{ HEADCOUNT_SHARD_COUNT: '3' }, 'JOB_COMPLETION_INDEX is not set'],
    [{ JOB_COMPLETION_INDEX: '3', HEADCOUNT_SHARD_COUNT: '3' }, 'is not a shard'],
    [{ JOB_COMPLETION_INDEX: '-1', HEADCOUNT_SHARD_COUNT: '3' }, 'is not a shard'],
    [{ JOB_COMPLETION_INDEX: 'x', HEADCOUNT_SHARD_COUNT: '3' }, 'is not a shard'],
  ])('the environment %j is refused: %s', (env, message) => {
    const outcome = shardFromEnv(env);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toContain(message);
  });
});
