/**
 * `headcount slo` end to end through the real CLI: the printed rules are the generator's, and a
 * latency threshold off the histogram's boundaries is a usage error (exit 2) naming them.
 */
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { parseSloOptions } from '../../../impl/observability/slo-options.ts';
import { renderRulesYaml } from '../../../impl/observability/slo-rules.ts';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', ['bin/headcount.js', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('headcount slo', () => {
  test('rules with options prints the generated rules, and an off-bucket threshold exits 2', async () => {
    const [good, bad] = await Promise.all([
      run(['slo', 'rules', '--objective', '99.9', '--latency-ms', '100', '--window-days', '28']),
      run(['slo', 'rules', '--latency-ms', '40']),
    ]);
    const options = parseSloOptions({
      availabilityObjectivePercent: 99.9,
      latencyThresholdMs: 100,
      windowDays: 28,
    });
    if (!options.ok) throw new Error('options should be valid');
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toBe(renderRulesYaml(options.value));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--latency-ms: 40 ms is not a histogram bucket boundary; use one of 0.5, 1,',
    );
  });
});
