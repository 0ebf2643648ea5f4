/**
 * Malformed scenario files: every problem names the field and the line it is on, so an
 * engineer editing a file goes straight to the mistake.
 */
import { describe, expect, test } from 'vitest';
import { formatProblem, parseScenarioText } from '../../../scenarios/runner/load.ts';
import { planScenario } from '../../../scenarios/runner/plan.ts';

const valid = `question: Does the test harness read a valid file?
durationMs: 1m
seeds: 2
cluster:
  mode: a
  ttlMs: 5s
workload:
  arrivals: { ratePerSec: 5 }
`;

function problemsOf(text: string): string[] {
  const loaded = parseScenarioText(text, 'x.yaml');
  if (loaded.ok) {
    const planned = planScenario(loaded.value, { engine: 'sim', rootSeed: 1, quick: false });
    return planned.ok ? [] : planned.error.map(formatProblem);
  }
  return loaded.error.map(formatProblem);
}

describe('scenarios: loading a file', () => {
  test('a valid file loads with durations in milliseconds and the name from the file', () => {
    const loaded = parseScenarioText(valid, 'dir/my-question.yaml');
    expect(loaded.ok && loaded.value.name).toBe('my-question');
    expect(loaded.ok && loaded.value.scenario.cluster.ttlMs).toBe(5_000);
  });

  test('a bad duration names the field and its line', () => {
    expect(problemsOf(valid.replace('ttlMs: 5s', 'ttlMs: five'))).toEqual([
      expect.stringMatching(/^x\.yaml:6:3: cluster\.ttlMs: expected a duration like 5s/),
    ]);
  });

  test('a misspelt field is unknown, on its own line', () => {
    expect(problemsOf(valid.replace('  ttlMs: 5s', '  ttlMS: 5s'))).toEqual([
      expect.stringMatching(/^x\.yaml:6:3: cluster\.ttlMS: unknown field/),
    ]);
  });

  test('a wrong type deep in a flow mapping points at that key', () => {
    expect(problemsOf(valid.replace('ratePerSec: 5', 'ratePerSec: fast'))).toEqual([
      expect.stringMatching(/^x\.yaml:8:15: workload\.arrivals\.ratePerSec: /),
    ]);
  });

  test('a missing required field points at the enclosing mapping', () => {
    expect(problemsOf(valid.replace('durationMs: 1m\n', ''))).toEqual([
      expect.stringMatching(/^x\.yaml:1:1: durationMs: /),
    ]);
  });

  test('mode and modes together are refused, naming modes', () => {
    expect(problemsOf(valid.replace('  mode: a', '  mode: a\n  modes: [a, c]'))).toEqual([
      expect.stringMatching(/^x\.yaml:6:3: cluster\.modes: give cluster\.mode or cluster\.modes, not both/),
    ]);
  });

  test('a fault timeline entry with a bad kind names its index and line', () => {
    const text = `${valid}faults:\n  timeline:\n    - { atMs: 10s, kind: crash, target: server-1 }\n    - { atMs: 20s, kind: explode, target: server-1 }\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^x\.yaml:12:20: faults\.timeline\[1\]\.kind: /),
    ]);
  });

  test('a crash without a target is refused', () => {
    const text = `${valid}faults:\n  timeline:\n    - { atMs: 10s, kind: crash }\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/faults\.timeline\[0\]\.target: a crash needs a target/),
    ]);
  });

  test('a broken expectation expression names the field and line', () => {
    const text = `${valid}expect:\n  - { metric: who.wrong +, max: 0 }\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^x\.yaml:10:\d+: expect\[0\]\.metric: unexpected end/),
    ]);
  });

  test('a swept value the field refuses is blamed on the sweep line', () => {
    const text = `${valid}sweep:\n  cluster.ttlMs: [2s, soon]\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^x\.yaml:10:3: cluster\.ttlMs: expected a duration/),
    ]);
  });

  test('a sweep over a path that is not a field is refused', () => {
    const text = `${valid}sweep:\n  cluster.nope: [1, 2]\n`;
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^x\.yaml:10:3: cluster\.nope: unknown field/)]);
  });

  test('a YAML syntax error gives its line', () => {
    expect(problemsOf('question: "unterminated\ncluster: {\n')).toEqual([
      expect.stringMatching(/^x\.yaml:\d+:\d+: /),
    ]);
  });

  test('a file that is not a mapping says what a scenario file is', () => {
    expect(problemsOf('- just\n- a list\n')).toEqual([
      expect.stringMatching(/a scenario file is a YAML mapping/),
    ]);
  });
});
