/**
 * A discovery instance: the JSON API on `--port` (README.md lists it), the admin port, metrics,
 * and the `DiscoveryCore` that holds the membership and runs broadcasts. The CLI's
 * `headcount discovery`, the tests and the bench all start instances here.
 *
 * Every API request must carry the shared token; one without it gets 401 and is counted in
 * `headcount_discovery_unauthenticated_total{route}`, so a stray client can neither register a
 * fake server nor read or inflate the count.
 */
import http from 'node:http';
import { DiscoveryCore } from '../../core/mode-c/discovery-core.ts';
import type { FanoutOutcome } from '../../core/mode-c/effects.ts';
import type { Clock } from '../../ports/clock.ts';
import { type AdminServer, sendJson, startAdminServer } from '../admin-http.ts';
import { closeHttp, listenHttp } from '../listen-http.ts';
import type { Logger } from '../logger.ts';
import { discoveryMetricsRegistry, type Metrics } from '../metrics.ts';
import { monotonicClock } from '../system-clock.ts';
import { DiscoveryDriver } from './discovery-driver.ts';
import type { DiscoveryOptions } from './discovery-options.ts';
import { MemberClient } from './member-client.ts';
import { bearerMatches } from './token.ts';

/** Registration bodies are two short strings; anything bigger is refused unread. */
export const requestBytesMax = 4 * 1024;

/** Server ids and count URLs are short; longer ones are refused as malformed. */
const fieldCharsMax = 512;

export interface RunningDiscovery {
  port: number;
  adminPort: number | undefined;
  url: string;
  core: DiscoveryCore;
  metrics: Metrics;
  stop(): Promise<void>;
}

export async function startDiscovery(
  options: DiscoveryOptions,
  deps: { logger: Logger; clock?: Clock },
): Promise<RunningDiscovery> {
  const { logger } = deps;
  const clock = deps.clock ?? monotonicClock;
  const metrics = discoveryMetricsRegistry();
  const core = new DiscoveryCore(
    { leaseMs: options.leaseMs, fanoutTimeoutMs: options.fanoutTimeoutMs, startedAtMs: clock.nowMs() },
    observerFor(metrics, logger),
  );
  const memberClient = new MemberClient(options.token, options.fanoutTimeoutMs);
  const driver = new DiscoveryDriver(core, memberClient, clock);
  const members = metrics.gauge('headcount_discovery_members');
  const api = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      logger.warn({ err: String(error) }, 'discovery request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
    });
  });
  api.requestTimeout = options.fanoutTimeoutMs + 5_000;
  const unauthenticated = metrics.counter('headcount_discovery_unauthenticated_total');
  const fanoutFailures = metrics.counter('headcount_discovery_fanout_failures_total');

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const route = routeOf(request.method ?? '', path);
    if (!bearerMatches(request, options.token)) {
      unauthenticated.inc({ route: route?.name ?? 'unknown' });
      request.resume();
      return sendJson(response, 401, { code: 'HC_UNAUTHENTICATED', error: 'missing or wrong bearer token' });
    }
    if (route === undefined) return sendJson(response, 404, { error: 'not found' });
    const nowMs = clock.nowMs();
    switch (route.name) {
      case 'register': {
        const body = await readBody(request);
        const serverId = (body as { serverId?: unknown } | undefined)?.serverId;
        const countUrl = (body as { countUrl?: unknown } | undefined)?.countUrl;
        if (!validField(serverId) || !validField(countUrl) || !/^https?:\/\//.test(countUrl))
          return sendJson(response, 400, {
            error: 'body must be {"serverId": string, "countUrl": "http://..."}',
          });
        const outcome = core.register(serverId, countUrl, nowMs);
        afterChange();
        if (!outcome.ok) return sendJson(response, 503, outcome.error);
        return sendJson(response, 200, { leaseMs: outcome.leaseMs });
      }
      case 'deregister': {
        request.resume();
        const removed = core.deregister(decodeURIComponent(route.serverId), nowMs);
        afterChange();
        return sendJson(response, 200, { removed });
      }
      case 'members': {
        request.resume();
        const live = core.liveMembers(nowMs).map((member) => ({
          serverId: member.serverId,
          countUrl: member.countUrl,
          expiresInMs: Math.round(member.expiresAtMs - nowMs),
        }));
        return sendJson(response, 200, { leaseMs: options.leaseMs, members: live });
      }
      case 'count': {
        request.resume();
        const outcome = await new Promise<FanoutOutcome>((resolve) => {
          core.requestCount(nowMs, (result) => resolve(result));
          afterChange();
        });
        if (outcome.ok) return sendJson(response, 200, outcome.value);
        if (outcome.error.code === 'HC_FANOUT_BUSY') fanoutFailures.inc({ reason: 'busy' });
        if (outcome.error.code === 'HC_FANOUT_WARMING_UP') fanoutFailures.inc({ reason: 'warming-up' });
        return sendJson(response, 503, outcome.error);
      }
    }
  }

  function afterChange(): void {
    members.set(core.members.size);
    driver.pump();
  }

  const port = await listenHttp(api, options.host, options.port);
  let admin: AdminServer | undefined;
  if (options.adminPort !== undefined) {
    admin = await startAdminServer({
      host: options.adminHost,
      port: options.adminPort,
      logger,
      metrics,
      readyz: () => {
        const warmInMs = Math.max(0, core.warmAtMs - clock.nowMs());
        const reasons = api.listening ? [] : ['api not listening'];
        if (warmInMs > 0) reasons.push(`warming up: counts refused for ${Math.ceil(warmInMs)} ms more`);
        return {
          ready: api.listening && warmInMs === 0,
          role: 'discovery',
          mode: 'c',
          reasons,
          members: core.members.size,
          leaseMs: options.leaseMs,
          fanoutTimeoutMs: options.fanoutTimeoutMs,
        };
      },
    });
  }
  const gaugeTimer = setInterval(
    () => {
      core.onDeadline(clock.nowMs());
      afterChange();
    },
    Math.max(100, options.leaseMs / 4),
  );
  gaugeTimer.unref();
  return {
    port,
    adminPort: admin?.port,
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    core,
    metrics,
    stop: async () => {
      clearInterval(gaugeTimer);
      driver.stop();
      await closeHttp(api);
      await admin?.close();
      memberClient.close();
      metrics.close();
    },
  };
}

type Route =
  | { name: 'register' }
  | { name: 'deregister'; serverId: string }
  | { name: 'members' }
  | { name: 'count' };

function routeOf(method: string, path: string): Route | undefined {
  if (path === '/v1/members' && method === 'POST') return { name: 'register' };
  if (path === '/v1/members' && method === 'GET') return { name: 'members' };
  if (path === '/v1/count' && (method === 'POST' || method === 'GET')) return { name: 'count' };
  if (path.startsWith('/v1/members/') && method === 'DELETE')
    return { name: 'deregister', serverId: path.slice('/v1/members/'.length) };
  return undefined;
}

function validField(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= fieldCharsMax;
}

async function readBody(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > requestBytesMax) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function observerFor(metrics: Metrics, logger: Logger) {
  const duration = metrics.histogram('headcount_discovery_broadcast_duration_seconds');
  const failures = metrics.counter('headcount_discovery_fanout_failures_total');
  const expiries = metrics.counter('headcount_discovery_lease_expiries_total');
  return {
    leaseExpired(serverId: string) {
      expiries.inc();
      logger.warn({ serverId }, 'lease expired: member dropped');
    },
    memberJoined(serverId: string, countUrl: string) {
      logger.info({ serverId, countUrl }, 'member registered');
    },
    memberLeft(serverId: string, reason: string) {
      logger.info({ serverId, reason }, 'member left');
    },
    broadcastDone(durationMs: number, outcome: FanoutOutcome) {
      duration.observe(durationMs / 1000);
      if (outcome.ok || outcome.error.code !== 'HC_FANOUT_INCOMPLETE') return;
      for (const member of outcome.error.missing) failures.inc({ reason: member.code });
    },
  };
}
