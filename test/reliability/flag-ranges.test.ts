/**
 * Every numeric flag is range-checked (issue 11, "Limits"): a bad value exits 2 with a line that
 * names the flag. Method: a table of out-of-range values per command, parsed in-process by the
 * command's own `register` with `process.exit` stubbed (a spawn per row would cost ~0.5 s each);
 * then one row per command through the real entry point, to prove the exit code end to end.
 */
import { Command } from 'commander';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { runHeadcount } from '../support/spawn-headcount.ts';

type Row = [command: string, flag: string, value: string, extra?: string[]];

const rows: Row[] = [
  ['serve', '--port', '65536'],
  ['serve', '--port', '-1'],
  ['serve', '--port', 'abc'],
  ['serve', '--admin-port', '70000'],
  ['serve', '--max-connections', '0'],
  ['serve', '--max-connections-per-ip', '-1'],
  ['serve', '--idle-timeout-ms', '-1'],
  ['serve', '--max-connection-age-ms', '-1'],
  ['serve', '--max-line-bytes', '0'],
  ['serve', '--max-pending-replies', '0'],
  ['serve', '--max-output-bytes', '0'],
  ['serve', '--write-stall-ms', '0'],
  ['serve', '--accept-handles', '0'],
  ['serve', '--accept-handles', '65'],
  ['serve', '--drain-ms', '-1'],
  ['serve', '--worker-id', '1024', ['--id', 'snowflake']],
  ['serve', '--ttl-ms', '-5', ['--mode', 'a', '--redis', 'memory']],
  ['serve', '--ttl-ms', '1.5', ['--mode', 'a', '--redis', 'memory']],
  ['serve', '--ttl-ms', '1e12', ['--mode', 'a', '--redis', 'memory']],
  ['serve', '--heartbeat-ms', '0', ['--mode', 'a', '--redis', 'memory']],
  ['serve', '--publish-delay-ms', '-1', ['--mode', 'a', '--redis', 'memory']],
  ['serve', '--who-timeout-ms', '0', ['--mode', 'a', '--redis', 'memory']],
  ['serve', '--who-cache-ms', '-1', ['--mode', 'a', '--redis', 'memory']],
  ['serve', '--redis-retry-max-ms', '0', ['--mode', 'a', '--redis', 'memory']],
  [
    'serve',
    '--discovery-timeout-ms',
    '0',
    ['--mode', 'c', '--discovery', 'http://127.0.0.1:1', '--token', 't'],
  ],
  ['discovery', '--port', '65536', ['--token', 't']],
  ['discovery', '--port', '1.5', ['--token', 't']],
  ['discovery', '--lease-ms', '0', ['--token', 't']],
  ['discovery', '--lease-ms', '-1', ['--token', 't']],
  ['discovery', '--lease-ms', '1e12', ['--token', 't']],
  ['discovery', '--fanout-timeout-ms', '0', ['--token', 't']],
  ['discovery', '--admin-port', '-1', ['--token', 't']],
  ['load', '--connections', '-1', ['--target', '127.0.0.1:1']],
  ['load', '--connections', '1.5', ['--target', '127.0.0.1:1']],
  ['load', '--duration-ms', '0', ['--target', '127.0.0.1:1']],
  ['load', '--requests', '0', ['--target', '127.0.0.1:1']],
  ['load', '--rate', '-1', ['--target', '127.0.0.1:1']],
  ['load', '--pipeline', '0', ['--target', '127.0.0.1:1']],
  ['load', '--connect-rate', '0', ['--target', '127.0.0.1:1']],
  ['load', '--churn-per-sec', '-1', ['--target', '127.0.0.1:1']],
  ['load', '--workers', '0', ['--target', '127.0.0.1:1']],
  ['load', '--warmup-ms', '-1', ['--target', '127.0.0.1:1']],
  ['load', '--timeout-ms', '0', ['--target', '127.0.0.1:1']],
  ['load', '--target', '127.0.0.1:70000'],
  ['faultproxy', '--port', '70000'],
  ['faultproxy', '--port', '-1'],
  ['faultproxy', '--port', '1.5'],
  ['faultproxy', '--seed', '-1'],
  ['faultproxy', '--seed', '4294967296'],
  ['health', '--listen', '70000', ['--targets', 'http://127.0.0.1:1']],
  ['health', '--listen', '-1', ['--targets', 'http://127.0.0.1:1']],
  ['health', '--timeout-ms', '0', ['--listen', '0', '--targets', 'http://127.0.0.1:1']],
  ['health', '--timeout-ms', '1.5', ['--listen', '0', '--targets', 'http://127.0.0.1:1']],
  ['sim', '--seed', '-1'],
  ['sim', '--seed', '4294967296'],
  ['sim', '--servers', '0'],
  ['sim', '--servers', 'abc'],
  ['sim', '--servers', '1.5'],
  ['sim', '--servers', '100000000'],
  ['sim', '--initial-clients', '1e12'],
  ['sim', '--duration-ms', '0'],
  ['sim', '--ttl-ms', '-1'],
  ['sim', '--heartbeat-ms', '0'],
  ['sim', '--arrival-rate', '-1'],
  ['sim', '--session-ms', '0'],
  ['sim', '--who-rate', '-1'],
  ['sim', '--initial-clients', '-1'],
  ['sim', '--fault-rate', '-1'],
  ['scenario', '--seed', '-1'],
  ['scenario', '--seed', '4294967296'],
  ['scenario', '--workers', '-1'],
  ['scenario', '--workers', '1.5'],
  ['scenario', '--shard', '3/2', ['--seed', '1']],
  ['scenario', '--shard', '0/0', ['--seed', '1']],
];

class Exited extends Error {
  constructor(readonly code: number | undefined) {
    super(`process.exit(${code})`);
  }
}

/** Parses `headcount <command> <args>` in this process; returns the exit code and stderr text. */
async function parseInProcess(command: string, args: string[]): Promise<{ code?: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  vi.spyOn(process, 'exit').mockImplementation((code?: number | string | null) => {
    throw new Exited(Number(code));
  });
  const program = new Command('headcount').exitOverride();
  const { register } = (await import(`../../cli/commands/${command}.ts`)) as {
    register: (program: Command) => void;
  };
  register(program);
  try {
    await program.parseAsync(['node', 'headcount', command, ...args]);
    return { stderr };
  } catch (error) {
    if (error instanceof Exited) return { code: error.code, stderr };
    throw error;
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('every numeric flag is range-checked: exit 2 and a message naming the flag', () => {
  test.each(rows)('headcount %s %s %s exits 2 naming the flag', async (command, flag, value, extra = []) => {
    const { code, stderr } = await parseInProcess(command, [...extra, flag, value]);
    expect(code).toBe(2);
    expect(stderr).toContain(`headcount ${command}: ${flag}: `);
  });

  test('through the real entry point, one bad value per command exits 2 with the flag on stderr', async () => {
    const firstPerCommand = [...new Map(rows.map((row) => [row[0], row])).values()];
    const results = await Promise.all(
      firstPerCommand.map(([command, flag, value, extra = []]) =>
        runHeadcount([command, ...extra, flag, value]).then((result) => ({ command, flag, ...result })),
      ),
    );
    for (const { command, flag, code, stderr } of results) {
      expect({ command, code }).toEqual({ command, code: 2 });
      expect(stderr).toContain(`headcount ${command}: ${flag}: `);
    }
  }, 30_000);
});
