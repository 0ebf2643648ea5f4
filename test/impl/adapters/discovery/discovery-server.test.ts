/**
 * The discovery service and mode C servers in one process, on real sockets: the token on the
 * control plane, and WHO under churn checked against a recorded history of the true count.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../../../impl/adapters/logger.ts';
import { parseDiscoveryOptions } from '../../../../impl/adapters/discovery/discovery-options.ts';
import {
  type RunningDiscovery,
  startDiscovery,
} from '../../../../impl/adapters/discovery/discovery-server.ts';
import { type RunningServer, startServer } from '../../../../impl/adapters/server.ts';
import { parseServeOptions } from '../../../../impl/config/serve-options.ts';
import { freePort } from '../../../../lab/redis/index.ts';
import { monotonicClock } from '../../../../impl/adapters/system-clock.ts';
import { startTestServer } from '../../../support/in-process-server.ts';
import { connectLine, type LineClient } from '../../../support/line-client.ts';

const token = 'right-token';
const running: { stop(): Promise<void> }[] = [];
const openClients: LineClient[] = [];

async function discovery(overrides: Record<string, unknown> = {}): Promise<RunningDiscovery> {
  const options = parseDiscoveryOptions({
    port: 0,
    adminPort: 0,
    leaseMs: 600,
    fanoutTimeoutMs: 200,
    token,
    ...overrides,
  });
  if (!options.ok) throw new Error(JSON.stringify(options.error));
  const started = await startDiscovery(options.value, { logger: createLogger('silent') });
  running.push(started);
  return started;
}

async function server(urls: string[], serverToken = token): Promise<RunningServer> {
  const started = await startTestServer({ mode: 'c', discovery: urls, token: serverToken, adminPort: 0 });
  running.push(started);
  return started;
}

/** Waits until the server holds its leases (what a load balancer's /readyz check waits for). */
async function inFleet(item: RunningServer): Promise<void> {
  await until(
    'the server in the fleet',
    3_000,
    async () => item.core.backend.readiness(monotonicClock.nowMs()).ready,
  );
}

async function connect(port: number): Promise<LineClient> {
  const client = await connectLine(port);
  openClients.push(client);
  return client;
}

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function post(url: string, body: unknown, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

afterEach(async () => {
  for (const client of openClients.splice(0)) client.close();
  for (const item of running.splice(0).reverse()) await item.stop();
});

describe('discovery control plane: the token', () => {
  test('registration and count requests without the right token are refused with 401 and counted', async () => {
    const instance = await discovery();
    const member = { serverId: 'fake', countUrl: 'http://127.0.0.1:1/count' };
    expect((await post(`${instance.url}/v1/members`, member)).status).toBe(401);
    expect((await post(`${instance.url}/v1/members`, member, 'Bearer wrong')).status).toBe(401);
    expect((await post(`${instance.url}/v1/count`, {}, 'Bearer wrong')).status).toBe(401);
    expect(instance.core.members.size).toBe(0);
    const metrics = await instance.metrics.text();
    expect(metrics).toContain('headcount_discovery_unauthenticated_total{route="register"} 2');
    expect(metrics).toContain('headcount_discovery_unauthenticated_total{route="count"} 1');
    expect((await post(`${instance.url}/v1/members`, member, `Bearer ${token}`)).status).toBe(200);
  });

  test('a server whose token is refused keeps trying, is never counted, and never opens its client port', async () => {
    const instance = await discovery();
    const honest = await server([instance.url]);
    const adminPort = await freePort();
    const options = parseServeOptions({
      mode: 'c',
      port: 0,
      adminPort,
      logLevel: 'silent',
      discovery: [instance.url],
      token: 'wrong-token',
    });
    if (!options.ok) throw new Error(JSON.stringify(options.error));
    const giveUp = new AbortController();
    const strayStart = startServer(options.value, { logger: createLogger('silent'), signal: giveUp.signal });
    await inFleet(honest);
    const honestClient = await connect(honest.port);
    await until('the instance warm and the honest server counted', 3_000, async () =>
      /^\d+$/.test(await honestClient.ask('WHO')),
    );
    expect(await honestClient.ask('WHO')).toBe('1');
    // Not in the fleet, so clients there would be invisible to every count: it takes none, and
    // its /readyz says why.
    await until('the stray unready because of its token', 3_000, async () => {
      const readyz = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
      const text = await readyz.text();
      return (
        readyz.status === 503 && text.includes('token refused') && text.includes('not accepting clients')
      );
    });
    expect(instance.core.liveMembers(monotonicClock.nowMs()).map((member) => member.serverId)).toEqual([
      honest.serverId,
    ]);
    giveUp.abort();
    const outcome = await strayStart;
    expect(outcome.ok ? 'started' : outcome.error.code).toBe('HC_START_ABORTED');
  });

  test('the discovery admin port answers /readyz with its role, unready while it warms up for one lease', async () => {
    const instance = await discovery();
    const readyz = async () =>
      (await (await fetch(`http://127.0.0.1:${instance.adminPort}/readyz`)).json()) as Record<
        string,
        unknown
      >;
    const early = await readyz();
    expect(early).toMatchObject({ ready: false, role: 'discovery', members: 0 });
    expect(String(early.reasons)).toContain('warming up');
    const count = await post(`${instance.url}/v1/count`, {}, `Bearer ${token}`);
    expect(count.status).toBe(503);
    expect(await count.json()).toMatchObject({ code: 'HC_FANOUT_WARMING_UP' });
    await until('warm', 3_000, async () => (await readyz()).ready === true);
  });
});

describe('mode C under churn (in-process fleet, real sockets)', () => {
  /**
   * Goal: every numeric WHO lies between the lowest and highest true count during its request.
   * Method: three servers on two instances; the truth is recorded from each server's own
   * tracker (exact, same clock). One server churns clients while askers on the other two send
   * WHO in a loop. A fan-out reads members at slightly different instants, so the claim is
   * checked where it holds exactly: with one member changing during a request, the sum is a
   * true total at the instant that member was read.
   */
  test('every numeric answer lies within the true count during its request', async () => {
    const instances = [await discovery(), await discovery()];
    const urls = instances.map((instance) => instance.url);
    const fleet = [await server(urls), await server(urls), await server(urls)];
    const history: { atMs: number; total: number }[] = [];
    const total = () => fleet.reduce((sum, item) => sum + item.core.tracker.count, 0);
    for (const item of fleet) await inFleet(item);
    for (const item of fleet)
      item.core.tracker.onChange(() => history.push({ atMs: monotonicClock.nowMs(), total: total() }));
    const askers = [await connect(fleet[0]!.port), await connect(fleet[1]!.port)];
    await until(
      'registered',
      3_000,
      async () => /^\d+$/.test(await askers[0]!.ask('WHO')) && /^\d+$/.test(await askers[1]!.ask('WHO')),
    );
    const churners: LineClient[] = [];
    let churning = true;
    const churn = (async () => {
      for (let step = 0; churning && step < 400; step += 1) {
        if (churners.length > 0 && (step % 3 === 2 || churners.length > 12)) churners.shift()!.close();
        else churners.push(await connect(fleet[2]!.port));
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    const answers: { sentAtMs: number; receivedAtMs: number; answer: string }[] = [];
    const ask = async (client: LineClient) => {
      for (let index = 0; index < 40; index += 1) {
        const sentAtMs = monotonicClock.nowMs();
        const answer = await client.ask('WHO');
        answers.push({ sentAtMs, receivedAtMs: monotonicClock.nowMs(), answer });
      }
    };
    await Promise.all(askers.map(ask));
    churning = false;
    await churn;
    const numeric = answers.filter((item) => /^\d+$/.test(item.answer));
    expect(numeric.length).toBeGreaterThan(answers.length / 2);
    for (const item of numeric) {
      const before = history.filter((entry) => entry.atMs <= item.sentAtMs).at(-1)?.total ?? 0;
      const during = history.filter((entry) => entry.atMs > item.sentAtMs && entry.atMs <= item.receivedAtMs);
      const totals = [before, ...during.map((entry) => entry.total)];
      const value = Number(item.answer);
      expect(value).toBeGreaterThanOrEqual(Math.min(...totals));
      expect(value).toBeLessThanOrEqual(Math.max(...totals));
    }
    for (const item of answers) expect(item.answer).toMatch(/^(\d+|ERR unavailable .+)$/);
  });
});
