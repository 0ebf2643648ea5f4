/**
 * Runs `promtool` on files written to a fresh temp dir. A missing binary fails the test with the
 * install command, never skips: rule checks that silently stop running are worse than none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const promtoolPath = '/usr/bin/promtool';

export interface PromtoolRun {
  status: number | null;
  output: string;
}

export function runPromtool(args: readonly string[], files: Readonly<Record<string, string>>): PromtoolRun {
  if (!existsSync(promtoolPath)) {
    throw new Error(`${promtoolPath} not found; install it with: apt-get install prometheus`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'headcount-promtool-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const run = spawnSync(promtoolPath, args, { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
