/**
 * Tests use real binaries (redis-server, promtool, chromium, haproxy). A missing one fails the
 * test with the command that installs it; it never skips silently.
 */
import { execFileSync } from 'node:child_process';

export function requireBinary(name: string, debianPackage: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `${name} not found on PATH: install it with \`apt-get install -y ${debianPackage}\` (npm test does this as root: test/prerequisites.sh)`,
    );
  }
}
