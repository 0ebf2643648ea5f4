/**
 * `headcount scenario` flag checking, through the real entry point: bad flags are usage errors
 * (exit 2) that name every flag at once, before any scenario runs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/headcount.js', import.meta.url));

describe('cli: headcount scenario', () => {
  test('a bad engine, a shard without a seed and bad workers exit 2 naming each flag', () => {
    const run = spawnSync(
      process.execPath,
      [bin, 'scenario', '--engine', 'fast', '--shard', '1/2', '--workers', '-1'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('headcount scenario: --engine: expected sim, real or both, got "fast"');
    expect(run.stderr).toContain('headcount scenario: --shard: needs --seed');
    expect(run.stderr).toContain('headcount scenario: --workers: expected an integer from 0 to 64');
    expect(run.stdout).not.toContain('SEED=');
  });
});
