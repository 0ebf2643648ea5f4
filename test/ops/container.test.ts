/**
 * ops/container: no container engine runs on this machine, so the image is checked in three ways
 * that need none. The Containerfile is linted with dockerfile-utils (the linter behind VS Code's
 * Dockerfile support) and parsed with dockerfile-ast to check what the image promises: two
 * stages on Node 20 slim, production dependencies only, a numeric non-root user, an exec-form
 * entrypoint. And the entrypoint script itself runs here, as the image runs it: it raises the
 * descriptor limit and execs node, so SIGTERM reaches the server, which drains and exits 0.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { afterEach, describe, expect, test } from 'vitest';
import { connectLine } from '../support/line-client.ts';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';

const containerfile = readFileSync('ops/container/Containerfile', 'utf8');
const entrypoint = 'ops/container/entrypoint.sh';

function instructions(keyword: string): string[] {
  return DockerfileParser.parse(containerfile)
    .getInstructions()
    .filter((instruction) => instruction.getKeyword() === keyword)
    .map((instruction) => instruction.getArgumentsContent() ?? '');
}

describe('ops/container: the Containerfile', () => {
  test('dockerfile-utils finds no problem in it, and does find them in a broken file', () => {
    expect(validate(containerfile)).toEqual([]);
    const broken = 'FROM node:20\nMAINTAINER someone\nEXPOSE http\nCMD ["a"]\nCMD ["b"]\n';
    expect(validate(broken).length).toBeGreaterThanOrEqual(3);
  });

  test('two stages on Node 20 slim; the final one installs nothing and copies production dependencies', () => {
    expect(instructions('ARG')).toContain('NODE_IMAGE=node:20-bookworm-slim');
    const image = '$' + '{NODE_IMAGE}'; // the Containerfile's ARG, not a template placeholder
    expect(instructions('FROM')).toEqual([`${image} AS deps`, image]);
    expect(instructions('RUN')[0]).toMatch(/^npm ci --omit=dev\b/);
    const copies = DockerfileParser.parse(containerfile)
      .getCOPYs()
      .map((copy) => `${copy.getFromFlag()?.getValue() ?? ''} ${copy.getArgumentsContent()}`);
    expect(copies).toContain('deps /app/node_modules ./node_modules');
  });

  test('it runs as a numeric non-root user and starts through the exec-form entrypoint', () => {
    const [user] = instructions('USER');
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(instructions('ENTRYPOINT')).toEqual(['["/app/ops/container/entrypoint.sh"]']);
    expect(instructions('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(() => accessSync(entrypoint, constants.X_OK)).not.toThrow();
  });

  test('.dockerignore keeps node_modules, git history and the tests out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const path of ['node_modules', '.git', 'test', 'out']) expect(ignored).toContain(path);
  });
});

describe('ops/container: the entrypoint, run as the image runs it', () => {
  let server: Spawned | undefined;
  afterEach(() => server?.kill('SIGKILL'));

  test('it raises ulimit -n to HEADCOUNT_NOFILE, becomes the server, and SIGTERM makes it drain and exit 0', async () => {
    const nofile = 1500;
    server = await spawnHeadcount(['serve', '--port', '0', '--drain-ms', '300'], {
      launcher: [entrypoint],
      env: { HEADCOUNT_NOFILE: String(nofile) },
      // Generous: the machine is shared, and start-up compiles the TypeScript.
      timeoutMs: 30_000,
    });
    const pid = server.process.pid;
    // exec replaced the shell: the process we started is node itself, with the raised soft limit.
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('node');
    expect(readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(new RegExp(`Max open files\\s+${nofile}\\s`));
    const client = await connectLine(server.port);
    expect(await client.ask('WHY')).toBe('42');
    server.kill('SIGTERM');
    expect(await client.lines(1, 15_000)).toEqual(['BYE shutting down']);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"draining"');
  }, 60_000);

  test('a budget above the hard limit stops the container with a message, instead of a quietly capped server', async () => {
    const { execFile } = await import('node:child_process');
    const failure = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        entrypoint,
        ['--version'],
        { env: { ...process.env, HEADCOUNT_NOFILE: '999999999' } },
        (error, _out, stderr) =>
          resolve({ code: error === null ? 0 : (error as { code: number }).code, stderr }),
      );
    });
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('cannot raise ulimit -n to 999999999');
  });
});
