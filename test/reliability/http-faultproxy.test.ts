/**
 * The fault proxy's API as a hostile user meets it (issue 20). Goal: proxies and toxics are
 * capped, a proxy cannot loop into itself, toxic attributes outside their range are refused in
 * Toxiproxy's error shape, binding every interface is logged, and the HTTP side is as bounded
 * as the other surfaces. Method: a real `headcount faultproxy` on loopback, driven over HTTP.
 * (Byte-compatibility with Toxiproxy 2.12 for valid calls is test/lab/faultproxy/api.test.ts.)
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';
import { closeAll, get, heldForMs, pushBody, rawRequest, trickleHeaders } from './http-hostile.ts';

let faultproxy: Spawned;
let base: string;

beforeAll(async () => {
  faultproxy = await spawnHeadcount(['faultproxy', '--port', '0', '--seed', '1'], { timeoutMs: 30_000 });
  base = `http://127.0.0.1:${faultproxy.port}`;
}, 40_000);

afterAll(() => {
  closeAll();
  faultproxy?.kill('SIGKILL');
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('fault proxy API under hostile input', () => {
  test('a proxy whose upstream is its own listen address is refused (400), directly or via another', async () => {
    const port = await freePort();
    const direct = await call('POST', '/proxies', {
      name: 'self',
      listen: `127.0.0.1:${port}`,
      upstream: `localhost:${port}`,
    });
    expect(direct.status).toBe(400);
    expect(JSON.parse(direct.text)).toMatchObject({ status: 400 });
    expect(direct.text).toContain('leads back');
    const a = JSON.parse(
      (await call('POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' })).text,
    );
    const b = await call('POST', '/proxies', { name: 'b', listen: '127.0.0.1:0', upstream: a.listen });
    expect(b.status).toBe(201);
    const loop = await call('POST', '/proxies/a', { upstream: JSON.parse(b.text).listen });
    expect(loop.status).toBe(400);
    expect(loop.text).toContain('a -> b');
    await call('DELETE', '/proxies/a');
    await call('DELETE', '/proxies/b');
  });

  test.each([
    ['latency -5000', { type: 'latency', attributes: { latency: -5000 } }],
    ['latency 1e18', { type: 'latency', attributes: { latency: 1e18 } }],
    ['jitter -1', { type: 'latency', attributes: { latency: 10, jitter: -1 } }],
    ['toxicity -3', { type: 'latency', toxicity: -3, attributes: { latency: 10 } }],
    ['bandwidth rate -1', { type: 'bandwidth', attributes: { rate: -1 } }],
  ])("a toxic with %s is refused with 400 in Toxiproxy's error shape", async (_name, body) => {
    await call('POST', '/proxies', { name: 't', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const answer = await call('POST', '/proxies/t/toxics', body);
    expect(answer.status).toBe(400);
    expect(answer.type).toBe('text/plain; charset=utf-8');
    expect(answer.text).toMatch(/^\{"error":"bad request body: [^"]+","status":400\}\n$/);
    expect(JSON.parse((await call('GET', '/proxies/t/toxics')).text)).toEqual([]);
  });

  test('toxics per proxy are capped at 32: the 33rd is refused with 409', async () => {
    await call('POST', '/proxies', { name: 'many', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    for (let index = 0; index < 32; index += 1)
      expect((await call('POST', '/proxies/many/toxics', { type: 'noop', name: `n${index}` })).status).toBe(
        200,
      );
    const refused = await call('POST', '/proxies/many/toxics', { type: 'noop', name: 'n32' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('toxicsPerProxyMax');
    await call('DELETE', '/proxies/many');
  });

  test('proxies are capped at 256: the next is refused with 409, and deleting one makes room', async () => {
    const existing = Object.keys(JSON.parse((await call('GET', '/proxies')).text)).length;
    for (let index = existing; index < 256; index += 1) {
      const created = await call('POST', '/proxies', {
        name: `p${index}`,
        listen: '127.0.0.1:0',
        upstream: '127.0.0.1:1',
        enabled: false,
      });
      expect(created.status).toBe(201);
    }
    const refused = await call('POST', '/proxies', {
      name: 'one-more',
      upstream: '127.0.0.1:1',
      enabled: false,
    });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('proxiesMax');
    await call('DELETE', '/proxies/p255');
    expect(
      (await call('POST', '/proxies', { name: 'one-more', upstream: '127.0.0.1:1', enabled: false })).status,
    ).toBe(201);
    for (let index = existing; index < 255; index += 1) await call('DELETE', `/proxies/p${index}`);
    await call('DELETE', '/proxies/one-more');
  }, 60_000);

  test('a proxy that binds every interface works, as in Toxiproxy, and is logged as a warning', async () => {
    const created = await call('POST', '/proxies', { name: 'everywhere', upstream: '127.0.0.1:1' });
    expect(created.status).toBe(201);
    await call('DELETE', '/proxies/everywhere');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = faultproxy
      .output()
      .split('\n')
      .filter((line) => line.includes('every interface'));
    expect(lines).toHaveLength(1);
  });

  test('bad paths answer 400, unknown methods 405, and a 100 MB body 413, cut off', async () => {
    expect((await rawRequest(faultproxy.port, get('/proxies/%E0%A4%A'))).status).toBe(400);
    expect((await rawRequest(faultproxy.port, 'GET / HTTP/9.9 x\r\n\r\n')).status).toBe(400);
    expect((await call('DELETE', '/metrics')).status).toBe(405);
    const head = `POST /proxies HTTP/1.1\r\nhost: x\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`;
    const pushed = await pushBody(faultproxy.port, head, 100 * 1024 * 1024, 20_000);
    expect(pushed.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(pushed.answer).toContain('http: request body too large');
    expect(pushed.writtenBytes).toBeLessThan(32 * 1024 * 1024);
    expect(faultproxy.process.exitCode).toBeNull();
  });

  test('silent and slow-header connections are closed after 5 s, within a second or so', async () => {
    const [silentMs, slowMs] = await Promise.all([
      heldForMs(faultproxy.port, 15_000),
      heldForMs(faultproxy.port, 15_000, trickleHeaders(200)),
    ]);
    for (const heldMs of [silentMs, slowMs]) {
      expect(heldMs).toBeGreaterThan(4_000);
      expect(heldMs).toBeLessThan(9_000);
    }
  });
});
