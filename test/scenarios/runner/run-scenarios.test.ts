/**
 * The runner end to end with a hand-made engine (no simulator): it writes one JSON per run and
 * results.json, judges expectations, exits 1 on a failure and writes a counterexample file that
 * replays the failing run alone with its seed.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Aggregate } from '../../../experiment/result.ts';
import type { Engine } from '../../../scenarios/runner/engines.ts';
import { loadScenarioFile } from '../../../scenarios/runner/load.ts';
import { planScenario } from '../../../scenarios/runner/plan.ts';
import { runScenarios } from '../../../scenarios/runner/run-scenarios.ts';
import { fakeResult } from './fixtures.ts';

const scenarioText = `question: Does mode C stay right when the fake engine says so?
durationMs: 1m
seeds: 2
cluster: { modes: [a, c] }
sweep:
  cluster.ttlMs: [2s, 5s]
expect:
  - { metric: who.wrong, where: { mode: c }, max: 0 }
`;

/** Mode C answers wrongly only when ttlMs is 5 s: a planted counterexample. */
const fakeEngine: Engine = async (spec) => {
  const mode = spec.config.cluster?.mode ?? 'a';
  const wrong = mode === 'c' && spec.config.cluster?.ttlMs === 5_000 ? 3 : 0;
  return {
    ...fakeResult({ mode, wrong, params: spec.params, seed: spec.seed }),
    runId: spec.runId,
    scenario: spec.scenario,
  };
};

function setup(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hc-scenario-'));
  const file = join(dir, 'planted.yaml');
  writeFileSync(file, text);
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk) => {
    printed += String(chunk);
  });
  return { dir, file, stdout, printed: () => printed };
}

describe('scenarios: runner with a hand-made engine', () => {
  test('a failed expectation exits 1, writes every run and results.json, and a replayable counterexample', async () => {
    const { dir, file, stdout, printed } = setup(scenarioText);
    const out = join(dir, 'out');
    const outcome = await runScenarios({
      files: [file],
      engine: 'sim',
      rootSeed: 5,
      quick: false,
      outDir: out,
      workers: 0,
      report: false,
      stdout,
      stderr: new PassThrough(),
      engineOverride: fakeEngine,
    });
    expect(outcome.exitCode).toBe(1);
    expect(printed().split('\n')[0]).toBe('SEED=5');
    expect(printed()).toContain('FAIL planted: mode=c: who.wrong <= 0');
    expect(readdirSync(join(out, 'runs'))).toHaveLength(8);
    expect(readdirSync(join(out, 'runs'))).toContain('planted__mode=c,cluster.ttlMs=5000__seed-1.json');
    const aggregate = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Aggregate;
    expect(aggregate.schema).toBe('headcount.results/1');
    expect(aggregate.scenarios[0]?.runIds).toHaveLength(8);
    expect(aggregate.scenarios[0]?.expectations[0]?.ok).toBe(false);

    const [replayName] = readdirSync(join(out, 'counterexamples'));
    const replay = loadScenarioFile(join(out, 'counterexamples', replayName!));
    if (!replay.ok) throw new Error(JSON.stringify(replay.error));
    const planned = planScenario(replay.value, { engine: 'sim', rootSeed: 999, quick: false });
    if (!planned.ok) throw new Error('the counterexample must plan');
    const failing = outcome.aggregate!.scenarios[0]!.expectations[0]!.detail;
    expect(planned.value.runs).toHaveLength(1);
    expect(planned.value.runs[0]!.config.cluster).toMatchObject({ mode: 'c', ttlMs: 5_000 });
    expect(failing).toContain(planned.value.runs[0]!.seed === 0 ? '' : 'replay: headcount scenario');
    const again = await runScenarios({
      files: [join(out, 'counterexamples', replayName!)],
      engine: 'sim',
      rootSeed: 1,
      quick: false,
      outDir: join(dir, 'replay'),
      workers: 0,
      report: false,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      engineOverride: fakeEngine,
    });
    expect(again.exitCode).toBe(1);
  });

  test('all expectations holding exits 0', async () => {
    const { dir, file, stdout } = setup(scenarioText.replace('sweep:\n  cluster.ttlMs: [2s, 5s]\n', ''));
    const outcome = await runScenarios({
      files: [file],
      engine: 'sim',
      rootSeed: 5,
      quick: false,
      outDir: join(dir, 'out'),
      workers: 0,
      report: false,
      stdout,
      stderr: new PassThrough(),
      engineOverride: fakeEngine,
    });
    expect(outcome.exitCode).toBe(0);
  });

  test('an invalid file exits 2 and prints the field and line', async () => {
    const { dir, file } = setup(scenarioText.replace('durationMs: 1m', 'durationMs: soon'));
    const stderr = new PassThrough();
    let errors = '';
    stderr.on('data', (chunk) => {
      errors += String(chunk);
    });
    const outcome = await runScenarios({
      files: [file],
      engine: 'sim',
      rootSeed: 5,
      quick: false,
      outDir: join(dir, 'out'),
      workers: 0,
      report: false,
      stdout: new PassThrough(),
      stderr,
      engineOverride: fakeEngine,
    });
    expect(outcome.exitCode).toBe(2);
    expect(errors).toContain('planted.yaml:2:1: durationMs: expected a duration');
  });
});
