/**
 * node:http (ours) vs fastify on the two HTTP hot paths (issue 20, item 5): the admin port's
 * `/metrics` (what Prometheus scrapes) and discovery's `/v1/count` (what every mode C WHO asks).
 *
 * Ours is the real thing: `startAdminServer` and `startDiscovery`, on the shared hardened server
 * (impl/adapters/http-surface.ts). The reference is fastify 5 with the same limits (connection,
 * keep-alive and request timeouts, body limit) in front of the same work: the same prom-client
 * registry, and the same `DiscoveryCore` + driver + member client asking the same three members.
 * So the ratio is the cost of the HTTP layer alone. Both run in this process, measured in
 * alternation (ours first, then fastify first, ...) by one keep-alive client with 16 requests in
 * flight; the best round of each counts. A ratio above 1 means ours answers more per second.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { startAdminServer } from '../impl/adapters/admin-http.ts';
import { DiscoveryDriver } from '../impl/adapters/discovery/discovery-driver.ts';
import { parseDiscoveryOptions } from '../impl/adapters/discovery/discovery-options.ts';
import { startDiscovery } from '../impl/adapters/discovery/discovery-server.ts';
import { MemberClient } from '../impl/adapters/discovery/member-client.ts';
import { bearerMatches } from '../impl/adapters/discovery/token.ts';
import { httpSurfaceLimitsDefault } from '../impl/adapters/http-surface.ts';
import { createLogger } from '../impl/adapters/logger.ts';
import { discoveryMetricsRegistry } from '../impl/adapters/metrics.ts';
import { DiscoveryCore } from '../impl/core/mode-c/discovery-core.ts';
import type { FanoutOutcome } from '../impl/core/mode-c/effects.ts';
import { type BenchRow, isMain, printRows, row, writeRows } from './report.ts';

const roundMs = Number(process.env.BENCH_DURATION_MS ?? 3_000);
const rounds = 3;
const inFlight = 16;
const token = 'bench-token';
const leaseMs = 60_000;
/** Generous: on a shared, loaded machine a 500 ms fan-out sometimes times out on both sides. */
const fanoutTimeoutMs = 2_000;

/** Requests per second one keep-alive client gets from `url` with `inFlight` requests at once. */
async function throughput(url: string, headers: Record<string, string> = {}): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const endMs = performance.now() + roundMs;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent, headers }, (response) => {
          response.resume();
          response.once('end', () => {
            if (response.statusCode !== 200) failed += 1;
            resolve();
          });
        })
        .once('error', reject);
    });
  const startedMs = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < endMs) {
        await one();
        done += 1;
      }
    }),
  );
  agent.destroy();
  // Only full answers count; a fan-out that timed out on this busy machine is not a request served.
  return (done - failed) / ((performance.now() - startedMs) / 1000);
}

async function best(
  ours: () => Promise<number>,
  reference: () => Promise<number>,
): Promise<[number, number]> {
  let oursBest = 0;
  let referenceBest = 0;
  // Alternate who goes first, so neither side always gets the warmer JIT or the quieter moment.
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      oursBest = Math.max(oursBest, await ours());
      referenceBest = Math.max(referenceBest, await reference());
    } else {
      referenceBest = Math.max(referenceBest, await reference());
      oursBest = Math.max(oursBest, await ours());
    }
  }
  return [oursBest, referenceBest];
}

function fastifyWithOurLimits(): FastifyInstance {
  return Fastify({
    logger: false,
    connectionTimeout: httpSurfaceLimitsDefault.requestTimeoutMs,
    keepAliveTimeout: httpSurfaceLimitsDefault.keepAliveTimeoutMs,
    requestTimeout: httpSurfaceLimitsDefault.requestTimeoutMs,
    bodyLimit: httpSurfaceLimitsDefault.bodyBytesMax,
  });
}

async function listenFastify(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

async function adminRows(): Promise<BenchRow[]> {
  const metrics = discoveryMetricsRegistry();
  const logger = createLogger('silent');
  const admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    metrics,
    readyz: () => ({ ready: true, role: 'discovery', mode: 'c', reasons: [] }),
  });
  const app = fastifyWithOurLimits();
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.text();
    return reply.type(metrics.registry.contentType).send(text);
  });
  app.get('/healthz', async () => ({ alive: true }));
  const fastifyPort = await listenFastify(app);
  const [ours, reference] = await best(
    () => throughput(`http://127.0.0.1:${admin.port}/metrics`),
    () => throughput(`http://127.0.0.1:${fastifyPort}/metrics`),
  );
  // The HTTP layer alone: a route that does nothing, so the framework's own cost shows.
  const [oursBare, referenceBare] = await best(
    () => throughput(`http://127.0.0.1:${admin.port}/healthz`),
    () => throughput(`http://127.0.0.1:${fastifyPort}/healthz`),
  );
  await admin.close();
  await app.close();
  return [
    row('admin GET /metrics', 'req/s', ours, reference, 'fastify', '>= 0.8'),
    row('admin GET /healthz (HTTP layer alone)', 'req/s', oursBare, referenceBare, 'fastify', '>= 0.8'),
  ];
}

/** Three members answering their count, shared by both sides. */
async function startMembers(): Promise<{ urls: string[]; close(): void }> {
  const servers = await Promise.all(
    [0, 1, 2].map(async (index) => {
      const body = JSON.stringify({ serverId: `m${index}`, count: index + 1 });
      const server = http.createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  return {
    urls: servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/count`),
    close: () => {
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    },
  };
}

/** A clock that starts one lease ahead, so neither side spends the bench warming up. */
function warmClock(): { nowMs(): number } {
  let offsetMs = 0;
  return {
    nowMs: () => {
      const nowMs = performance.now() + offsetMs;
      offsetMs = leaseMs + 1;
      return nowMs;
    },
  };
}

async function countRow(): Promise<BenchRow> {
  const members = await startMembers();
  const options = parseDiscoveryOptions({ port: 0, token, leaseMs, fanoutTimeoutMs });
  if (!options.ok) throw new Error(JSON.stringify(options.error));
  const ours = await startDiscovery(options.value, { logger: createLogger('silent'), clock: warmClock() });
  const clock = warmClock();
  const core = new DiscoveryCore({ leaseMs, fanoutTimeoutMs, startedAtMs: clock.nowMs() });
  const driver = new DiscoveryDriver(core, new MemberClient(token, fanoutTimeoutMs), clock);
  for (const [index, url] of members.urls.entries()) {
    ours.core.register(`m${index}`, url, ours.core.options.startedAtMs + leaseMs + 1);
    core.register(`m${index}`, url, clock.nowMs());
  }
  const app = fastifyWithOurLimits();
  app.get('/v1/count', async (request, reply) => {
    if (!bearerMatches(request.raw, token)) return reply.code(401).send({ code: 'HC_UNAUTHENTICATED' });
    const outcome = await new Promise<FanoutOutcome>((resolve) => {
      core.requestCount(clock.nowMs(), (result) => resolve(result));
      driver.pump();
    });
    return outcome.ok ? reply.send(outcome.value) : reply.code(503).send(outcome.error);
  });
  const fastifyPort = await listenFastify(app);
  const headers = { authorization: `Bearer ${token}` };
  const [oursRps, referenceRps] = await best(
    () => throughput(`${ours.url}/v1/count`, headers),
    () => throughput(`http://127.0.0.1:${fastifyPort}/v1/count`, headers),
  );
  await ours.stop();
  driver.stop();
  await app.close();
  members.close();
  return row('discovery GET /v1/count, 3 members', 'req/s', oursRps, referenceRps, 'fastify', '>= 0.8');
}

export async function runHttpSurfacesBench(): Promise<BenchRow[]> {
  return [...(await adminRows()), await countRow()];
}

if (isMain(import.meta.url)) {
  const rows = await runHttpSurfacesBench();
  printRows('http-surfaces (node:http ours vs fastify, same limits, same work)', rows);
  writeRows('http-surfaces', rows, { roundMs, rounds, inFlight });
  process.exit(0);
}
