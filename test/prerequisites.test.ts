/**
 * `npm test` on a machine without the system tools (issue 16). Goal: the prerequisite step stops
 * before any test with one message naming what to install, when it may not install them itself.
 * Method: run test/prerequisites.sh, and then `npm test`, with a PATH that holds only sh, node and npm
 * (none of redis-server, promtool, haproxy, ...) and HEADCOUNT_INSTALL=no (not allowed to install).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'test', 'prerequisites.sh');
const tools = ['redis-server', 'redis-cli', 'promtool', 'prometheus', 'haproxy', 'openssl', 'kubectl', 'systemd-analyze', 'chromium'];

/** A PATH folder with sh, node and npm only (npm runs scripts through sh). */
const bare = mkdtempSync(join(tmpdir(), 'headcount-bare-path-'));
symlinkSync(process.execPath, join(bare, 'node'));
const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
symlinkSync(npm, join(bare, 'npm'));
symlinkSync('/bin/sh', join(bare, 'sh'));
const env = { HOME: process.env.HOME ?? '/tmp', PATH: bare, HEADCOUNT_INSTALL: 'no' };

afterAll(() => rmSync(bare, { recursive: true, force: true }));

describe('prerequisites: a machine without the tools, not allowed to install', () => {
  test('the step exits 1 with one message naming every missing tool and the apt-get line that installs them', () => {
    const run = spawnSync('/bin/sh', [script], { env, encoding: 'utf8', cwd: root });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const [message] = lines as [string];
    expect(message).toMatch(/^npm test: no test was run: missing .* \(HEADCOUNT_INSTALL=no\)\. /);
    for (const tool of tools) expect(message).toContain(tool);
    expect(message).toContain('Install them with: sudo apt-get install -y ');
    expect(message).toMatch(/redis-tools .*prometheus .*openssl kubernetes-client systemd chromium/);
  });

  test('npm test stops at that message: no type check, no lint, no test runs', () => {
    const run = spawnSync(join(bare, 'npm'), ['test'], { env, encoding: 'utf8', cwd: root, timeout: 60_000 });
    expect(run.status).not.toBe(0);
    const output = run.stdout + run.stderr;
    expect(output).toContain('npm test: no test was run: missing');
    expect(output.match(/> headcount@[^\n]* (typecheck|lint|vitest)/)).toBeNull();
  });

  test('with every tool on PATH the step says nothing and exits 0', () => {
    const run = spawnSync('/bin/sh', [script], { encoding: 'utf8', cwd: root });
    expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: '' });
  });
});
