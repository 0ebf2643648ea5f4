/**
 * Every flag that names a URL is checked at start (issue 20): a bad one is exit 2 with a message
 * naming the flag, never a process that starts and then crashes on its first call
 * (`serve --mode c --discovery https://...` used to exit 1 about 3 s after start). Method: the
 * real entry point, one bad value per row, all at once.
 */
import { describe, expect, test } from 'vitest';
import { runHeadcount } from '../support/spawn-headcount.ts';

const rows: [string, string, string[]][] = [
  ['serve', '--discovery', ['--mode', 'c', '--token', 't', '--discovery', 'https://127.0.0.1:1']],
  ['serve', '--discovery', ['--mode', 'c', '--token', 't', '--discovery', 'ftp://127.0.0.1:21']],
  ['serve', '--discovery', ['--mode', 'c', '--token', 't', '--discovery', 'http://user:pw@127.0.0.1:7100']],
  ['serve', '--discovery', ['--mode', 'c', '--token', 't', '--discovery', 'http://[::1']],
  ['serve', '--redis', ['--mode', 'a', '--redis', 'http://127.0.0.1:6379']],
  ['serve', '--redis', ['--mode', 'a', '--redis', 'redis://127.0.0.1:99999']],
  ['health', '--targets', ['--listen', '0', '--targets', 'ftp://127.0.0.1:9100']],
  ['discovery', '--member-networks', ['--token', 't', '--member-networks', '10.0.0.0/33']],
  ['discovery', '--member-networks', ['--token', 't', '--member-networks', 'not-a-cidr']],
];

describe('URL flags are validated at start: exit 2 naming the flag', () => {
  test('each bad URL exits 2 at once with the flag on stderr', async () => {
    // Three at a time: start-up is the slow part, and a shared machine may be busy.
    const results: { command: string; flag: string; args: string[]; code: number | null; stderr: string }[] =
      [];
    const queue = [...rows];
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          const [command, flag, args] = next;
          const result = await runHeadcount([command, ...args], { timeoutMs: 60_000 });
          results.push({ command, flag, args, ...result });
        }
      }),
    );
    for (const { command, flag, args, code, stderr } of results) {
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toContain(`headcount ${command}: ${flag}: `);
    }
  }, 200_000);
});
