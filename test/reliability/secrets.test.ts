/**
 * The control plane's secrets (issue 11, "Control plane"). Goal: Redis user/password and TLS
 * (`rediss://`) work for mode A, the discovery token works for mode C, and no secret ever reaches
 * a log line or an admin page. Method: a real redis-server with `requirepass`, an ACL user and a
 * TLS port (a throwaway CA made with openssl; the server trusts it through NODE_EXTRA_CA_CERTS,
 * Node's own way to add a CA), servers and discovery at `--log-level trace`, some given wrong
 * credentials on purpose; every byte they print, plus their /metrics and /readyz bodies, is then
 * searched for each secret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, type RedisServer, startRedisServer } from '../../lab/redis/index.ts';
import { connectLine } from '../support/line-client.ts';
import { requireBinary } from '../support/require-binary.ts';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';

const secrets = {
  requirepass: 'req-pass-5f1c9e2b7a',
  aclPassword: 'acl-pass-0d4b8c6e13',
  wrongPassword: 'wrong-pass-9a7e2f5d40',
  token: 'token-3c8e1a6b9f27',
  wrongToken: 'wrong-token-6e2d9b4a71',
};
const aclUser = 'hcuser';

let directory: string;
let redis: RedisServer;
let tlsPort: number;
const spawned: Spawned[] = [];
/** Admin page bodies fetched during the tests: they must be as clean as the logs. */
const pages: string[] = [];

function makeCertificates(into: string): void {
  requireBinary('openssl', 'openssl');
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: into, stdio: 'ignore' });
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt'].concat([
      '-days',
      '1',
      '-subj',
      '/CN=headcount test CA',
    ]),
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr'].concat([
      '-subj',
      '/CN=127.0.0.1',
    ]),
  );
  writeFileSync(path.join(into, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'ext.cnf',
    ]),
  );
}

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'headcount-secrets-'));
  makeCertificates(directory);
  tlsPort = await freePort();
  redis = await startRedisServer({
    args: ['--tls-port', String(tlsPort), '--tls-auth-clients', 'no']
      .concat(['--tls-cert-file', path.join(directory, 'server.crt')])
      .concat(['--tls-key-file', path.join(directory, 'server.key')])
      .concat(['--tls-ca-cert-file', path.join(directory, 'ca.crt')]),
  });
  // Credentials are set once the server is up: lab/redis checks readiness with a bare PING.
  const admin = new Redis(redis.url);
  await admin.call('ACL', 'SETUSER', aclUser, 'on', `>${secrets.aclPassword}`, '~*', '&*', '+@all');
  await admin.config('SET', 'requirepass', secrets.requirepass);
  admin.disconnect();
}, 30_000);

afterAll(async () => {
  for (const child of spawned) child.kill('SIGKILL');
  await Promise.all(spawned.map((child) => child.exited));
  await redis?.kill();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Spawned> {
  const child = await spawnHeadcount(
    ['serve', '--port', '0', '--admin-port', 'auto', '--log-level', 'trace', ...args],
    { env },
  );
  spawned.push(child);
  return child;
}

async function adminPages(child: Spawned): Promise<string> {
  const base = `http://127.0.0.1:${child.listening.adminPort}`;
  const bodies = await Promise.all(
    ['/metrics', '/readyz'].map(async (page) => (await fetch(base + page)).text()),
  );
  pages.push(...bodies);
  return bodies[1]!;
}

/** One client held on `child`; resolves once WHO says `expected`. */
async function expectWho(child: Spawned, expected: string): Promise<void> {
  const client = await connectLine(child.port);
  const deadlineMs = Date.now() + 10_000;
  let answer = await client.ask('WHO');
  while (answer !== expected && Date.now() < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await client.ask('WHO');
  }
  client.close();
  expect(answer).toBe(expected);
}

describe('control plane secrets', () => {
  test('mode A works against a Redis with requirepass (password in the URL)', async () => {
    const child = await serve(
      ['--mode', 'a', '--redis-prefix', 'pw'].concat([
        '--redis',
        `redis://:${secrets.requirepass}@127.0.0.1:${redis.port}`,
      ]),
    );
    await expectWho(child, '1');
    await adminPages(child);
    expect(child.output()).toContain('"msg":"redis ready"');
  });

  test('mode A works as an ACL user (user and password in the URL)', async () => {
    const child = await serve(
      ['--mode', 'a', '--redis-prefix', 'acl'].concat([
        '--redis',
        `redis://${aclUser}:${secrets.aclPassword}@127.0.0.1:${redis.port}`,
      ]),
    );
    await expectWho(child, '1');
    await adminPages(child);
    expect(child.output()).toContain('"msg":"redis ready"');
  });

  test('mode A works over TLS (rediss://) with the CA passed by NODE_EXTRA_CA_CERTS', async () => {
    const child = await serve(
      ['--mode', 'a', '--redis-prefix', 'tls'].concat([
        '--redis',
        `rediss://${aclUser}:${secrets.aclPassword}@127.0.0.1:${tlsPort}`,
      ]),
      { NODE_EXTRA_CA_CERTS: path.join(directory, 'ca.crt') },
    );
    await expectWho(child, '1');
    await adminPages(child);
    expect(child.output()).toContain('"msg":"redis ready"');
  });

  test('over TLS without the CA the certificate is refused: Redis never becomes ready', async () => {
    const child = await serve(
      ['--mode', 'a', '--redis-prefix', 'untrusted'].concat([
        '--redis',
        `rediss://${aclUser}:${secrets.aclPassword}@127.0.0.1:${tlsPort}`,
      ]),
    );
    await adminPages(child);
    // Mode A serves anyway (WHO answers last known totals); the log is where it shows.
    expect(child.output()).toContain('redis not reachable at start');
    expect(child.output()).not.toContain('"msg":"redis ready"');
  });

  test('a wrong Redis password: Redis never becomes ready, and the log says why without the password', async () => {
    const child = await serve(
      ['--mode', 'a', '--redis-prefix', 'wrong'].concat([
        '--redis',
        `redis://${aclUser}:${secrets.wrongPassword}@127.0.0.1:${redis.port}`,
      ]),
    );
    await adminPages(child);
    expect(child.output()).toContain('redis not reachable at start');
    expect(child.output()).toContain('WRONGPASS');
  });

  test('mode C: the token from $HEADCOUNT_TOKEN and from --token works; a wrong token is refused', async () => {
    const discovery = await spawnHeadcount(
      ['discovery', '--port', '0', '--admin-port', '0'].concat(['--log-level', 'trace']),
      { env: { HEADCOUNT_TOKEN: secrets.token } },
    );
    spawned.push(discovery);
    const url = `http://127.0.0.1:${discovery.port}`;
    const byFlag = await serve(['--mode', 'c', '--discovery', url, '--token', secrets.token]);
    const byEnv = await serve(['--mode', 'c', '--discovery', url], { HEADCOUNT_TOKEN: secrets.token });
    // A refused token never gets a lease: no `listening`, client port closed, unready, and why.
    const wrongAdminPort = await freePort();
    const wrong = await spawnHeadcount(
      ['serve', '--port', '0', '--admin-port', String(wrongAdminPort), '--log-level', 'trace'].concat([
        '--mode',
        'c',
        '--discovery',
        url,
      ]),
      {
        env: { HEADCOUNT_TOKEN: secrets.wrongToken },
        waitFor: 'discovery refused our token: WHO answers ERR unavailable until it matches',
      },
    );
    spawned.push(wrong);
    const client = await connectLine(byEnv.port);
    await expectWho(byFlag, '2');
    client.close();
    const wrongReadyz = await fetch(`http://127.0.0.1:${wrongAdminPort}/readyz`);
    const wrongBody = await wrongReadyz.text();
    pages.push(wrongBody);
    expect(wrongReadyz.status).toBe(503);
    expect((JSON.parse(wrongBody) as { ready: boolean }).ready).toBe(false);
    expect(wrong.output()).not.toContain('"msg":"listening"');
    await adminPages(byFlag);
    pages.push(await (await fetch(`http://127.0.0.1:${discovery.listening.adminPort}/metrics`)).text());
    const unauthorized = await fetch(`${url}/v1/count`, {
      headers: { authorization: `Bearer ${secrets.wrongToken}` },
    });
    expect(unauthorized.status).toBe(401);
  }, 30_000);

  test('no secret appears in any output or admin page, even after a graceful stop', async () => {
    for (const child of spawned) child.kill('SIGTERM');
    await Promise.all(spawned.map((child) => child.exited));
    const everything = [...spawned.map((child) => child.output()), ...pages].join('\n');
    expect(everything).toContain('"msg":"listening"');
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: everything.includes(secret) }).toEqual({ name, found: false });
    }
  }, 30_000);
});
