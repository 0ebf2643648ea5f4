/**
 * `headcount health` against small fake backends: node:http servers on port 0 that answer
 * `/readyz` the way servers and discovery instances do (or hang, or answer garbage).
 */
import http from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import {
  type HealthAggregator,
  readyzUrl,
  startHealthAggregator,
} from '../../../impl/adapters/health-aggregator.ts';

type Backend = { url: string; hits: () => number; close: () => Promise<void> };

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fakeBackend(handler: (response: http.ServerResponse) => void): Promise<Backend> {
  let hits = 0;
  const server = http.createServer((request, response) => {
    if (request.url !== '/readyz') {
      response.writeHead(404).end();
      return;
    }
    hits += 1;
    handler(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const backend = {
    url: `http://127.0.0.1:${address.port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  cleanups.push(backend.close);
  return backend;
}

function readyz(ready: boolean, role: 'server' | 'discovery', mode = 'a', delayMs = 0): Promise<Backend> {
  return fakeBackend((response) => {
    const send = () =>
      response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          ready,
          role,
          mode,
          serverId: 'srv-1',
          reasons: ready ? [] : ['redis unreachable'],
        }),
      );
    if (delayMs === 0) send();
    else setTimeout(send, delayMs);
  });
}

/** A port nothing listens on: bind one, note it, close it. */
async function deadUrl(): Promise<string> {
  const backend = await fakeBackend(() => undefined);
  await backend.close();
  return backend.url;
}

async function aggregator(
  targets: string[],
  options: { requireDiscovery?: boolean; timeoutMs?: number } = {},
) {
  const started: HealthAggregator = await startHealthAggregator({
    host: '127.0.0.1',
    port: 0,
    targets,
    timeoutMs: options.timeoutMs ?? 300,
    requireDiscovery: options.requireDiscovery ?? false,
  });
  cleanups.push(started.close);
  return `http://127.0.0.1:${started.port}`;
}

interface HealthBody {
  serving: boolean;
  modeC: boolean;
  reasons: string[];
  targets: { target: string; ok: boolean; code?: string; body?: { ready: boolean; serverId?: string } }[];
}

async function check(
  base: string,
  path = '/healthz',
  method = 'GET',
): Promise<{ status: number; body: HealthBody }> {
  const response = await fetch(`${base}${path}`, { method });
  return { status: response.status, body: (await response.json()) as HealthBody };
}

describe('health aggregator: local and mode A fleets', () => {
  test('one ready server among unready ones is enough: 200 with every target listed', async () => {
    const ready = await readyz(true, 'server');
    const unready = await readyz(false, 'server');
    const base = await aggregator([ready.url, unready.url, await deadUrl()]);
    const { status, body } = await check(base);
    expect(status).toBe(200);
    expect(body.serving).toBe(true);
    expect(body.targets.map((target) => target.ok)).toEqual([true, true, false]);
    expect(body.targets[2]?.code).toBe('HC_PROBE_CONNECT');
    expect(body.targets[0]?.body?.serverId).toBe('srv-1');
  });

  test('no ready server answers 503 saying so, on / as on /healthz', async () => {
    const unready = await readyz(false, 'server');
    const base = await aggregator([unready.url, await deadUrl()]);
    for (const path of ['/', '/healthz']) {
      const { status, body } = await check(base, path);
      expect(status).toBe(503);
      expect(body.reasons).toEqual(['no ready server']);
    }
  });

  test('a target answering 200 with ready false is not ready: status and body must agree', async () => {
    const liar = await fakeBackend((response) =>
      response.writeHead(200).end(JSON.stringify({ ready: false, role: 'server', reasons: [] })),
    );
    expect((await check(await aggregator([liar.url]))).status).toBe(503);
  });

  test('a target answering something other than readyz JSON is reported as HC_PROBE_BODY', async () => {
    const garbage = await fakeBackend((response) => response.writeHead(200).end('<html>hello</html>'));
    const { status, body } = await check(await aggregator([garbage.url]));
    expect(status).toBe(503);
    expect(body.targets[0]?.code).toBe('HC_PROBE_BODY');
  });
});

describe('health aggregator: mode C fleets', () => {
  test('a discovery target makes a ready discovery instance necessary', async () => {
    const server = await readyz(true, 'server', 'c');
    const discovery = await readyz(false, 'discovery', 'c');
    const { status, body } = await check(await aggregator([server.url, discovery.url]));
    expect(status).toBe(503);
    expect(body.modeC).toBe(true);
    expect(body.reasons).toEqual(['mode C and no ready discovery instance']);
  });

  test('a ready server and a ready discovery instance serve, though another discovery is down', async () => {
    const server = await readyz(true, 'server', 'c');
    const discovery = await readyz(true, 'discovery', 'c');
    const { status } = await check(await aggregator([server.url, discovery.url, await deadUrl()]));
    expect(status).toBe(200);
  });

  test('a server reporting mode c is enough to require discovery, even with every discovery down', async () => {
    const server = await readyz(true, 'server', 'c');
    const { status, body } = await check(await aggregator([server.url, await deadUrl()]));
    expect(status).toBe(503);
    expect(body.modeC).toBe(true);
  });

  test('--require-discovery demands a discovery instance from a fleet that announces no mode C', async () => {
    const server = await readyz(true, 'server', 'a');
    const { status, body } = await check(await aggregator([server.url], { requireDiscovery: true }));
    expect(status).toBe(503);
    expect(body.reasons).toEqual(['mode C and no ready discovery instance']);
  });
});

describe('health aggregator: deadlines and load', () => {
  test('a hanging target times out after timeoutMs while the others still count', async () => {
    const ready = await readyz(true, 'server');
    const hanging = await fakeBackend(() => undefined);
    const base = await aggregator([ready.url, hanging.url], { timeoutMs: 200 });
    const startedMs = performance.now();
    const { status, body } = await check(base);
    const elapsedMs = performance.now() - startedMs;
    expect(status).toBe(200);
    expect(body.targets[1]?.code).toBe('HC_PROBE_TIMEOUT');
    expect(elapsedMs).toBeGreaterThanOrEqual(150);
    expect(elapsedMs).toBeLessThan(2_000);
  });

  test('concurrent health checks share one probe round', async () => {
    const slow = await readyz(true, 'server', 'a', 150);
    const base = await aggregator([slow.url]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => check(base)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(slow.hits()).toBe(1);
  });

  test('unknown paths are 404 and other methods 405', async () => {
    const base = await aggregator([(await readyz(true, 'server')).url]);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  test('a base URL is probed at /readyz and a full URL as given', () => {
    expect(readyzUrl('http://127.0.0.1:9100')).toBe('http://127.0.0.1:9100/readyz');
    expect(readyzUrl('http://127.0.0.1:9100/custom/ready')).toBe('http://127.0.0.1:9100/custom/ready');
  });
});
