/**
 * The capacity answer says whose memory it measured (a server process alone when the lab ran the
 * server as its own process, else the lab's process with both ends of each connection), and the
 * fleet's other limits come from measured runs: Redis operations per server (mode A) and count
 * requests per server and fan-outs per WHO (mode C).
 */
import { describe, expect, test } from 'vitest';
import type { RunResult } from '../../experiment/result.ts';
import { capacityAnswer, fleetLimits, fleetLimitsText, memoryOfText } from '../../reports/decisions.ts';
import type { ReportData } from '../../reports/report-data.ts';
import { fakeResult } from '../scenarios/runner/fixtures.ts';

const dataOf = (runs: RunResult[]): ReportData => ({ sources: [], scenarios: [], runs, origins: {} });

function capacityRunOf(memoryOf: string | undefined): RunResult {
  const base = fakeResult({ runId: 'capacity/mode=a/seed-0' });
  return {
    ...base,
    engine: 'real',
    scenario: 'capacity',
    config: { ...base.config, ...(memoryOf === undefined ? {} : { memoryOf }) },
    capacity: [
      { connections: 1_000, latencyMsP99: 5, errors: 0, rssBytesPerConnection: 6_000 },
      { connections: 2_000, latencyMsP99: 6, errors: 0, rssBytesPerConnection: 5_000 },
    ],
  };
}

describe('capacity: whose memory', () => {
  test('a server run as its own process gives the server’s memory alone', () => {
    const answer = capacityAnswer(dataOf([capacityRunOf('server processes alone (RSS from /proc)')]))!;
    expect(answer.memoryOf).toBe('server');
    expect(answer.rssBytesPerConnection).toBe(5_000);
    expect(memoryOfText(answer)).toMatch(/server’s own process/);
  });

  test('an in-process run (or an old result without the field) is said to count both ends', () => {
    for (const memoryOf of [
      undefined,
      'the lab process (servers in-process: both ends of each connection)',
    ]) {
      const answer = capacityAnswer(dataOf([capacityRunOf(memoryOf)]))!;
      expect(answer.memoryOf).toBe('lab');
      expect(memoryOfText(answer)).toMatch(/both ends/);
    }
  });
});

describe('capacity: the fleet’s other limits', () => {
  test('are measured from the baseline runs of each mode', () => {
    const base = (mode: 'a' | 'c', seed: number): RunResult => {
      const run = fakeResult({ mode, runId: `baseline/mode=${mode}/seed-${seed}` });
      return { ...run, scenario: 'baseline', config: { ...run.config, servers: 4, whoRatePerSec: 10 } };
    };
    const runs = [
      { ...base('a', 0), redisOpsPerSec: 8 },
      { ...base('a', 1), redisOpsPerSec: 16 },
      { ...base('c', 0), broadcastsPerSec: 5 },
    ];
    const limits = fleetLimits(dataOf(runs));
    expect(limits).toEqual({
      redisOpsPerServerPerSec: 3,
      countRequestsPerServerPerSec: 5,
      fanoutsPerWho: 0.5,
      fanoutServers: 4,
    });
    expect(fleetLimitsText(limits)).toContain('3 Redis operations/s per server');
  });

  test('without baseline runs the sentence says what was not measured', () => {
    expect(fleetLimitsText(fleetLimits(dataOf([])))).toMatch(/no baseline A run.*no baseline C run/);
  });
});
