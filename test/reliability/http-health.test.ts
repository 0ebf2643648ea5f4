/**
 * `headcount health` as a hostile user meets it (issue 20). Goal: a malformed request line
 * answers 400 (it answered 500), wrong methods 405, bodies are refused unread, silent and slow
 * clients are cut on time, and an unhealthy fleet costs one warning line per 10 s, not one per
 * request. Method: a real `headcount health` whose only target is a closed port (so it is
 * unhealthy), raw sockets for what `fetch` will not send.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Spawned, spawnHeadcount } from '../support/spawn-headcount.ts';
import { closeAll, get, heldForMs, linesWith, pushBody, rawRequest, trickleHeaders } from './http-hostile.ts';

let health: Spawned;

beforeAll(async () => {
  health = await spawnHeadcount(
    ['health', '--listen', '0', '--targets', 'http://127.0.0.1:1', '--timeout-ms', '100'],
    { timeoutMs: 30_000 },
  );
}, 40_000);

afterAll(() => {
  closeAll();
  health?.kill('SIGKILL');
});

describe('health aggregator under hostile input', () => {
  test('an absolute-form or badly encoded request target answers 400, not 500', async () => {
    expect((await rawRequest(health.port, get('http://['))).status).toBe(400);
    expect((await rawRequest(health.port, get('/%E0%A4%A'))).status).toBe(400);
    expect((await rawRequest(health.port, 'GET / HTTP/9.9 x\r\n\r\n')).status).toBe(400);
    expect(health.process.exitCode).toBeNull();
  });

  test('POST answers 405 with Allow', async () => {
    const response = await fetch(`http://127.0.0.1:${health.port}/healthz`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  test('a 100 MB body is refused with 413 and cut off, not read', async () => {
    const head = `GET /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`;
    const pushed = await pushBody(health.port, head, 100 * 1024 * 1024, 20_000);
    expect(pushed.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(pushed.writtenBytes).toBeLessThan(32 * 1024 * 1024);
  });

  test('an unhealthy fleet is logged once per 10 s however often it is asked', async () => {
    const before = linesWith(health.output(), 'service cannot serve');
    for (let index = 0; index < 30; index += 1) {
      const response = await fetch(`http://127.0.0.1:${health.port}/healthz`);
      expect(response.status).toBe(503);
    }
    expect(linesWith(health.output(), 'service cannot serve') - before).toBeLessThanOrEqual(2);
  });

  test('silent and slow-header connections are closed after 5 s, within a second or so', async () => {
    const [silentMs, slowMs] = await Promise.all([
      heldForMs(health.port, 15_000),
      heldForMs(health.port, 15_000, trickleHeaders(200)),
    ]);
    for (const heldMs of [silentMs, slowMs]) {
      expect(heldMs).toBeGreaterThan(4_000);
      expect(heldMs).toBeLessThan(9_000);
    }
  });
});
