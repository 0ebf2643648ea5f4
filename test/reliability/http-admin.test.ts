/**
 * The admin port as a hostile user meets it (issue 20). Goal: bad request lines, paths, methods
 * and bodies get a clear 4xx and a closed connection, silent and slow clients are cut on time,
 * and mode C's `/count` answers GET only. Method: a real `headcount discovery` and a real mode C
 * `headcount serve` on loopback, raw sockets for what `fetch` will not send.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';
import { closeAll, get, heldForMs, linesWith, pushBody, rawRequest, trickleHeaders } from './http-hostile.ts';

const token = 's3cret';
let discovery: Spawned;
let server: Spawned;
let adminPort: number;

beforeAll(async () => {
  discovery = await spawnHeadcount(['discovery', '--port', '0', '--token', token, '--lease-ms', '1000'], {
    timeoutMs: 30_000,
  });
  server = await spawnHeadcount(
    [
      'serve',
      '--port',
      '0',
      '--admin-port',
      'auto',
      '--mode',
      'c',
      '--discovery',
      `http://127.0.0.1:${discovery.port}`,
      '--token',
      token,
      '--max-connections',
      '500',
    ],
    { timeoutMs: 30_000 },
  );
  adminPort = Number(server.listening.adminPort);
}, 60_000);

afterAll(async () => {
  closeAll();
  server?.kill('SIGKILL');
  discovery?.kill('SIGKILL');
});

function alive(): void {
  expect(server.process.exitCode).toBeNull();
}

describe('admin port under hostile input', () => {
  test("mode C's /count answers GET with the count and the member's own bound", async () => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/count`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ count: 0, countMax: 500 });
  });

  test.each(['POST', 'PUT', 'DELETE'])("mode C's /count answers %s with 405", async (method) => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/count`, {
      method,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  test('a wrong method on /metrics answers 405', async () => {
    expect((await fetch(`http://127.0.0.1:${adminPort}/metrics`, { method: 'DELETE' })).status).toBe(405);
  });

  test('a malformed request line, a bad percent-encoding and an absolute URL answer 400', async () => {
    expect((await rawRequest(adminPort, 'GET /healthz HTTP/9.9 x\r\n\r\n')).status).toBe(400);
    expect((await rawRequest(adminPort, get('/%E0%A4%A'))).status).toBe(400);
    expect((await rawRequest(adminPort, get('http://['))).status).toBe(400);
    alive();
  });

  test('a 100 MB body is refused with 413 and cut off, not read', async () => {
    const head = `POST /metrics HTTP/1.1\r\nhost: x\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`;
    const pushed = await pushBody(adminPort, head, 100 * 1024 * 1024, 20_000);
    expect(pushed.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(pushed.closed).toBe(true);
    expect(pushed.writtenBytes).toBeLessThan(32 * 1024 * 1024);
  });

  test('silent and slow-header connections are closed after 5 s, within a second or so', async () => {
    const [silentMs, slowMs] = await Promise.all([
      heldForMs(adminPort, 15_000),
      heldForMs(adminPort, 15_000, trickleHeaders(200)),
    ]);
    for (const heldMs of [silentMs, slowMs]) {
      expect(heldMs).toBeGreaterThan(4_000);
      expect(heldMs).toBeLessThan(9_000);
    }
  });

  test('a kept-alive connection is closed 5 s after its last answer', async () => {
    const heldMs = await heldForMs(adminPort, 15_000, (socket) => socket.write(get('/healthz')));
    expect(heldMs).toBeGreaterThan(4_000);
    expect(heldMs).toBeLessThan(9_000);
  });

  test('headers over 16 KiB answer 431', async () => {
    const answer = await rawRequest(adminPort, get('/healthz', { 'x-big': 'a'.repeat(20 * 1024) }));
    expect(answer.status).toBe(431);
  });

  test('bad requests are logged once per cause per 10 s, not once each', async () => {
    // Lines from earlier tests may still be on their way through the pipe.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = linesWith(server.output(), '"bad request"');
    for (let index = 0; index < 30; index += 1) await rawRequest(adminPort, 'NOT HTTP AT ALL\r\n\r\n');
    expect(linesWith(server.output(), '"bad request"') - before).toBeLessThanOrEqual(2);
    alive();
  });
});
