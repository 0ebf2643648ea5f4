/**
 * ops/ci/github-actions-scale-out.example.yml is documentation that runs, so it is checked like
 * code: the sweep matrix has as many legs as HEADCOUNT_SHARD_COUNT says, the legs use the
 * environment names the scenario command reads, and the merge steps list every leg's output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { shardCountEnv, shardIndexEnv } from '../../scenarios/runner/shard.ts';

interface Workflow {
  jobs: Record<
    string,
    { strategy?: { matrix: { index: number[] } }; env?: Record<string, unknown>; steps: { run?: string }[] }
  >;
}

const workflow = parse(readFileSync('ops/ci/github-actions-scale-out.example.yml', 'utf8')) as Workflow;
const runs = (job: string) => workflow.jobs[job]?.steps.flatMap((step) => (step.run ? [step.run] : [])) ?? [];

describe('ops/ci: the scale-out matrix example', () => {
  test('the sweep matrix has one leg per shard, named by the variables the scenario command reads', () => {
    const sweep = workflow.jobs.sweep;
    const count = Number(sweep?.env?.[shardCountEnv]);
    expect(sweep?.strategy?.matrix.index).toEqual(Array.from({ length: count }, (_, index) => index));
    // GitHub's expression syntax, spelt so the linter does not take it for a template placeholder.
    expect(sweep?.env?.[shardIndexEnv]).toBe(`$${'{{ matrix.index }}'}`);
    expect(runs('sweep').join('\n')).not.toContain('--shard');
  });

  test('the merge steps list every leg', () => {
    const legs = workflow.jobs.sweep?.strategy?.matrix.index ?? [];
    const report = runs('sweep-report').find((line) => line.includes('headcount report')) ?? '';
    for (const leg of legs) expect(report).toContain(`out/shard-${leg}`);
    const loadLegs = workflow.jobs.load?.strategy?.matrix.index ?? [];
    const merge = runs('load-merge').find((line) => line.includes('load merge')) ?? '';
    for (const leg of loadLegs) expect(merge).toContain(`out/load/part-${leg}.json`);
  });
});
