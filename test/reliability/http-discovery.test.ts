/**
 * The discovery API as a hostile user meets it (issue 20). Goal: no registration, no member
 * answer and no request can end the process, and each is answered with a clear 4xx or a typed
 * 503. Method: one real `headcount discovery` on loopback, fake members as small HTTP servers in
 * this process, raw sockets for what `fetch` will not send. Every reproduction from the issue is
 * a test here; each failed on the code before it (the process exited, or answered 200 or 500).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fc, test as propertyTest } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';
import { closeAll, get, heldForMs, linesWith, pushBody, rawRequest, trickleHeaders } from './http-hostile.ts';

const token = 's3cret';
const auth = { authorization: `Bearer ${token}` };
let discovery: Spawned;
let base: string;

/** A member whose /count answers whatever `answer` says now; it records every request it gets. */
interface FakeMember {
  port: number;
  answer: { status: number; body: string | Buffer; headers?: Record<string, string> };
  requests: { url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

async function fakeMember(): Promise<FakeMember> {
  const member: FakeMember = {
    port: 0,
    answer: { status: 200, body: '{}' },
    requests: [],
    close: async () => {},
  };
  const server = http.createServer((request, response) => {
    member.requests.push({ url: request.url ?? '', authorization: request.headers.authorization });
    request.resume();
    response.writeHead(member.answer.status, member.answer.headers ?? { 'content-type': 'application/json' });
    response.end(member.answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  member.port = (server.address() as AddressInfo).port;
  member.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return member;
}

let member: FakeMember;
let bystander: FakeMember;

beforeAll(async () => {
  discovery = await spawnHeadcount(
    [
      'discovery',
      '--port',
      '0',
      '--token',
      token,
      '--lease-ms',
      '1000',
      '--fanout-timeout-ms',
      '500',
      '--log-level',
      'info',
    ],
    { timeoutMs: 30_000 },
  );
  base = `http://127.0.0.1:${discovery.port}`;
  member = await fakeMember();
  bystander = await fakeMember();
  // Counts are refused for one lease after start (warm-up); wait it out once.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
}, 40_000);

afterAll(async () => {
  closeAll();
  discovery?.kill('SIGKILL');
  await member?.close();
  await bystander?.close();
});

function register(body: unknown): Promise<Response> {
  return fetch(`${base}/v1/members`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function count(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/v1/count`, { method: 'POST', headers: auth });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Only this member is registered (others are removed), so a count asks it alone. */
async function onlyMember(serverId: string, countUrl: string): Promise<void> {
  const listed = (await (await fetch(`${base}/v1/members`, { headers: auth })).json()) as {
    members: { serverId: string }[];
  };
  for (const other of listed.members)
    if (other.serverId !== serverId)
      await fetch(`${base}/v1/members/${encodeURIComponent(other.serverId)}`, {
        method: 'DELETE',
        headers: auth,
      });
  expect((await register({ serverId, countUrl })).status).toBe(200);
}

function alive(): void {
  expect(discovery.process.exitCode).toBeNull();
  expect(discovery.process.signalCode).toBeNull();
}

describe('discovery API under hostile input: the process survives and answers 4xx', () => {
  test.each([
    ['https://127.0.0.1:1/count', 'http:'],
    ['http://127.0.0.1:99999/count', 'not a URL'],
    ['http://[::1/count', 'not a URL'],
    ['ftp://127.0.0.1:21/count', 'http:'],
    ['http://user:pw@127.0.0.1:9/count', 'credentials'],
    ['http://127.0.0.1:9/other?x=1', '/count'],
    ['http://example.com:9/count', 'IP address'],
    ['http://10.1.2.3:9/count', '--member-networks'],
    ['http://0.0.0.0:9/count', '0.0.0.0'],
  ])('a registration with countUrl %s is refused with 400 naming the reason', async (countUrl, reason) => {
    const response = await register({ serverId: 'bad', countUrl });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(reason);
    const first = await count();
    expect([200, 503]).toContain(first.status);
    alive();
  });

  test("a countUrl pointing at discovery's own port is refused: no broadcast can call itself", async () => {
    const response = await register({
      serverId: 'self',
      countUrl: `http://127.0.0.1:${discovery.port}/count`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('this discovery instance');
  });

  test.each([
    ['-1', -1],
    ['1e308', 1e308],
    ['2^53+1', '9007199254740993'],
    ['a string', '"7"'],
    ['a fraction', 1.5],
    ['above its own countMax', '5, "countMax": 4'],
  ])(
    'a member answering a count of %s fails its answer (503), and discovery stays up',
    async (_name, value) => {
      member.answer = { status: 200, body: `{"serverId":"m1","count":${value}}` };
      await onlyMember('m1', `http://127.0.0.1:${member.port}/count`);
      const answer = await count();
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        code: 'HC_FANOUT_INCOMPLETE',
        missing: [{ serverId: 'm1', code: 'HC_MEMBER_BAD_RESPONSE' }],
      });
      alive();
    },
  );

  test('a member answering a count within its bound is summed', async () => {
    member.answer = { status: 200, body: '{"serverId":"m1","count":7,"countMax":10}' };
    await onlyMember('m1', `http://127.0.0.1:${member.port}/count`);
    const answer = await count();
    expect(answer).toMatchObject({ status: 200, body: { total: 7 } });
  });

  test('the token goes only to the registered address: a redirect from a member is not followed', async () => {
    bystander.requests.length = 0;
    member.answer = {
      status: 302,
      body: '',
      headers: { location: `http://127.0.0.1:${bystander.port}/count` },
    };
    await onlyMember('m1', `http://127.0.0.1:${member.port}/count`);
    expect((await count()).status).toBe(503);
    expect(bystander.requests).toEqual([]);
    expect(member.requests.at(-1)?.authorization).toBe(`Bearer ${token}`);
  });

  test('DELETE with broken percent-encoding answers 400, not 500', async () => {
    const answer = await rawRequest(
      discovery.port,
      `DELETE /v1/members/%E0%A4%A HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    alive();
  });

  test.each([
    ['NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['a lone surrogate', 'a\ud800b'],
  ])('a serverId holding %s is refused at registration (it could never be deleted)', async (_name, id) => {
    const response = await register(
      `{"serverId":${JSON.stringify(id)},"countUrl":"http://127.0.0.1:9/count"}`,
    );
    expect(response.status).toBe(400);
  });

  test('a malformed request line answers 400 and the connection closes', async () => {
    const answer = await rawRequest(discovery.port, 'GET /v1/count HTTP/9.9 extra\r\n\r\n');
    expect(answer.status).toBe(400);
    const absolute = await rawRequest(discovery.port, get('http://[', auth));
    expect(absolute.status).toBe(400);
    alive();
  });

  test('a known path with the wrong method answers 405 with Allow', async () => {
    const response = await fetch(`${base}/v1/members`, { method: 'PUT', headers: auth });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
  });

  test('a 100 MB POST without a token gets 401 and is cut off, not read to the end', async () => {
    const head = `POST /v1/members HTTP/1.1\r\nhost: x\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`;
    const pushed = await pushBody(discovery.port, head, 100 * 1024 * 1024, 20_000);
    expect(pushed.answer).toMatch(/^HTTP\/1\.1 401/);
    expect(pushed.closed).toBe(true);
    // What the kernel buffers on loopback before the server stops reading: a few MB at most.
    expect(pushed.writtenBytes).toBeLessThan(32 * 1024 * 1024);
    alive();
  });

  test('an oversized registration body with the token gets 413 and is cut off', async () => {
    const declared = `POST /v1/members HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`;
    const pushed = await pushBody(discovery.port, declared, 100 * 1024 * 1024, 20_000);
    expect(pushed.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(pushed.writtenBytes).toBeLessThan(32 * 1024 * 1024);
    // Chunked: no length to refuse up front, so the limit is enforced while reading.
    const chunked = `POST /v1/members HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ntransfer-encoding: chunked\r\n\r\n100000\r\n`;
    const streamed = await pushBody(discovery.port, chunked, 1024 * 1024, 20_000);
    expect(streamed.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(streamed.closed).toBe(true);
  });

  test('a silent connection is closed after the idle timeout (5 s), within a second or so', async () => {
    const heldMs = await heldForMs(discovery.port, 15_000);
    expect(heldMs).toBeGreaterThan(4_000);
    expect(heldMs).toBeLessThan(9_000);
  });

  test('a slow-header client is cut at the headers timeout (5 s), not 30 s later', async () => {
    const heldMs = await heldForMs(discovery.port, 15_000, trickleHeaders(200));
    expect(heldMs).toBeGreaterThan(4_000);
    expect(heldMs).toBeLessThan(9_000);
  });

  test('a body trickled a byte at a time is cut at the request timeout (10 s) with 408', async () => {
    let answer = '';
    const heldMs = await heldForMs(discovery.port, 20_000, (socket) => {
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
      });
      socket.write(
        `POST /v1/members HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-length: 1000\r\n\r\n`,
      );
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('a')), 200);
    });
    expect(heldMs).toBeGreaterThan(9_000);
    expect(heldMs).toBeLessThan(14_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  test('refusals are logged once per cause per 10 s, not once per request', async () => {
    const before = linesWith(discovery.output(), 'request without the right token');
    for (let index = 0; index < 30; index += 1) await fetch(`${base}/v1/count`, { method: 'POST' });
    // At most one line per window; the loop may straddle the end of one.
    expect(linesWith(discovery.output(), 'request without the right token') - before).toBeLessThanOrEqual(2);
  });
});

describe('discovery API properties: any body, any member answer', () => {
  const anyBody = fc.oneof(
    fc.json().map((text) => Buffer.from(text)),
    fc
      .record({ serverId: fc.string(), countUrl: fc.oneof(fc.webUrl(), fc.string()) })
      .map((value) => Buffer.from(JSON.stringify(value))),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  );

  propertyTest.prop([anyBody], { numRuns: 60 })(
    'any registration body gets 200, 400 or 413, and the process stays up',
    async (body) => {
      const response = await fetch(`${base}/v1/members`, { method: 'POST', headers: auth, body });
      expect([200, 400, 413]).toContain(response.status);
      alive();
    },
    60_000,
  );

  const anyAnswer = fc.oneof(
    fc.json(),
    fc
      .record({ serverId: fc.constant('m1'), count: fc.jsonValue(), countMax: fc.jsonValue() })
      .map((value) => JSON.stringify(value)),
    fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );

  propertyTest.prop([anyAnswer], { numRuns: 40 })(
    'whatever a member answers, a count is a number or a refusal, and the process stays up',
    async (answer) => {
      member.answer = { status: 200, body: answer };
      await onlyMember('m1', `http://127.0.0.1:${member.port}/count`);
      const result = await count();
      if (result.status === 200) {
        expect(Number.isSafeInteger(result.body.total)).toBe(true);
        expect(result.body.total as number).toBeGreaterThanOrEqual(0);
      } else {
        expect(result.status).toBe(503);
        expect(typeof result.body.code).toBe('string');
      }
      alive();
    },
    60_000,
  );
});
