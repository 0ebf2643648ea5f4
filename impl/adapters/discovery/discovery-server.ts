/**
 * A discovery instance: the JSON API on `--port` (README.md lists it), the admin port, metrics,
 * and the `DiscoveryCore` that holds the membership and runs broadcasts. The CLI's
 * `headcount discovery`, the tests and the bench all start instances here.
 *
 * Every API request must carry the shared token; one without it gets 401 and is counted in
 * `headcount_discovery_unauthenticated_total{route}`, so a stray client can neither register a
 * fake server nor read or inflate the count.
 */

import assert from 'node:assert';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { BlockList } from 'node:net';
import { DiscoveryCore } from '../../core/mode-c/discovery-core.ts';
import type { FanoutOutcome } from '../../core/mode-c/effects.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { Clock } from '../../ports/clock.ts';
import { type AdminServer, sendJson, startAdminServer } from '../admin-http.ts';
import {
  createHttpSurface,
  type HttpSurfaceLimits,
  httpSurfaceLimitsDefault,
  isCleanText,
  methodNotAllowed,
  pathSegments,
  RateLimitedLog,
  readBodyBounded,
  refuseAndClose,
} from '../http-surface.ts';
import { closeHttp, listenHttp } from '../listen-http.ts';
import type { Logger } from '../logger.ts';
import { discoveryMetricsRegistry, type Metrics } from '../metrics.ts';
import { monotonicClock } from '../system-clock.ts';
import { DiscoveryDriver } from './discovery-driver.ts';
import type { DiscoveryOptions } from './discovery-options.ts';
import { MemberClient } from './member-client.ts';
import { type CountUrlContext, checkCountUrl, parseMemberNetworks } from './member-url.ts';
import { bearerMatches } from './token.ts';

/** Registration bodies are two short strings; anything bigger is refused unread. */
export const requestBytesMax = 4 * 1024;

/** Server ids and count URLs are short; longer ones are refused as malformed. */
const fieldCharsMax = 512;

/**
 * The API's limits: the shared defaults with room for a fleet (each server keeps up to 8
 * sockets to an instance, so 1024 connections serve ~128 servers before the oldest idle ones
 * are recycled) and registration bodies of at most `requestBytesMax`.
 */
export const discoveryApiLimits = Object.freeze({
  ...httpSurfaceLimitsDefault,
  connectionsMax: 1024,
  bodyBytesMax: requestBytesMax,
});

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
  deps: {
    logger: Logger;
    clock?: Clock;
    httpLimits?: HttpSurfaceLimits;
    /** The agent calls to members' `/count` go out on (MemberClient's default when absent). */
    memberAgent?: http.Agent;
  },
): Promise<RunningDiscovery> {
  const { logger } = deps;
  const clock = deps.clock ?? monotonicClock;
  const metrics = discoveryMetricsRegistry();
  /** This process's identity, new at every start: a server told the same one via two of its
   * addresses knows those addresses reach one instance (a balancer), not two. */
  const instanceId = randomUUID();
  const core = new DiscoveryCore(
    { leaseMs: options.leaseMs, fanoutTimeoutMs: options.fanoutTimeoutMs, startedAtMs: clock.nowMs() },
    observerFor(metrics, logger),
  );
  const memberClient = new MemberClient(options.token, options.fanoutTimeoutMs, deps.memberAgent);
  const driver = new DiscoveryDriver(core, memberClient, clock);
  const members = metrics.gauge('headcount_discovery_members');
  const networks = memberNetworksOf(options);
  const limits = deps.httpLimits ?? discoveryApiLimits;
  const api = createHttpSurface(
    {
      name: 'discovery',
      limits,
      logger,
      internalError: (response) => sendJson(response, 500, { error: 'internal error' }),
    },
    (request, response) => handle(request, response),
  );
  const unauthenticated = metrics.counter('headcount_discovery_unauthenticated_total');
  const fanoutFailures = metrics.counter('headcount_discovery_fanout_failures_total');
  const refusals = new RateLimitedLog(logger);
  const ownPorts: number[] = [];

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const segments = pathSegments(request.url);
    if (segments === undefined) return refuse(request, response, 400, badPath);
    const matched = routeOf(segments);
    if (!bearerMatches(request, options.token)) {
      unauthenticated.inc({ route: matched?.name ?? 'unknown' });
      refusals.warn(
        'unauthenticated',
        { route: matched?.name ?? 'unknown' },
        'request without the right token',
      );
      return refuse(request, response, 401, unauthenticatedBody);
    }
    if (matched === undefined) return refuse(request, response, 404, notFound);
    const method = request.method ?? '';
    if (!matched.methods.includes(method)) return methodNotAllowed(response, matched.methods);
    const route = routeFor(matched, method);
    // Every route reads its body within the limit (only registration uses it), so a kept-alive
    // connection stays in step and an oversized one is cut off unread.
    const body = await readBodyBounded(request, limits.bodyBytesMax);
    if (body.kind === 'too-large') return refuse(request, response, 413, tooLarge);
    if (body.kind === 'aborted') return;
    const nowMs = clock.nowMs();
    switch (route.name) {
      case 'register': {
        const registration = parseRegistration(body.bytes, {
          networks,
          sourceAddress: request.socket.remoteAddress,
          ownPorts,
        });
        if (!registration.ok) {
          refusals.warn('registration-refused', { reason: registration.error }, 'registration refused');
          return sendJson(response, 400, { code: 'HC_BAD_REGISTRATION', error: registration.error });
        }
        const { serverId, countUrl } = registration.value;
        const outcome = core.register(serverId, countUrl, nowMs);
        afterChange();
        if (!outcome.ok) return sendJson(response, 503, outcome.error);
        return sendJson(response, 200, {
          leaseMs: outcome.leaseMs,
          instanceId,
          instances: options.instances,
        });
      }
      case 'deregister': {
        const removed = core.deregister(route.serverId, nowMs);
        afterChange();
        return sendJson(response, 200, { removed });
      }
      case 'members': {
        const live = core.liveMembers(nowMs).map((member) => ({
          serverId: member.serverId,
          countUrl: member.countUrl,
          expiresInMs: Math.round(member.expiresAtMs - nowMs),
        }));
        return sendJson(response, 200, { leaseMs: options.leaseMs, members: live });
      }
      case 'count': {
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
  ownPorts.push(port);
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
  if (admin !== undefined) ownPorts.push(admin.port);
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
  | { name: 'register'; methods: readonly string[] }
  | { name: 'deregister'; methods: readonly string[]; serverId: string }
  | { name: 'members'; methods: readonly string[] }
  | { name: 'count'; methods: readonly string[] };

const membersMethods = ['GET', 'POST'] as const;

function routeOf(segments: readonly string[]): Route | undefined {
  const [version, resource, id, ...rest] = segments;
  if (version !== 'v1' || rest.length > 0) return undefined;
  if (resource === 'members' && id === undefined) return { name: 'register', methods: membersMethods };
  if (resource === 'members' && id !== undefined && id !== '')
    return { name: 'deregister', methods: ['DELETE'], serverId: id };
  if (resource === 'count' && id === undefined) return { name: 'count', methods: ['GET', 'POST'] };
  return undefined;
}

/** POST registers, GET lists: one path, two routes. */
function routeFor(route: Route, method: string): Route {
  return route.name === 'register' && method === 'GET' ? { name: 'members', methods: membersMethods } : route;
}

function memberNetworksOf(options: DiscoveryOptions): BlockList | undefined {
  if (options.memberNetworks === undefined) return undefined;
  const networks = parseMemberNetworks(options.memberNetworks);
  assert(networks.ok, 'memberNetworks were validated with the options');
  return networks.value;
}

/** A registration body: `{"serverId": id, "countUrl": "http://IP:PORT/count"}`, or why not. */
export function parseRegistration(
  bytes: Buffer,
  context: CountUrlContext,
): Result<{ serverId: string; countUrl: string }, string> {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return err('body is not JSON; send {"serverId": string, "countUrl": "http://IP:PORT/count"}');
  }
  const { serverId, countUrl } = (typeof body === 'object' && body !== null ? body : {}) as {
    serverId?: unknown;
    countUrl?: unknown;
  };
  if (!validId(serverId))
    return err(
      `serverId must be 1 to ${fieldCharsMax} characters of well-formed text without control characters`,
    );
  if (typeof countUrl !== 'string' || countUrl.length > fieldCharsMax)
    return err(`countUrl must be a string of at most ${fieldCharsMax} characters`);
  const checked = checkCountUrl(countUrl, context);
  return checked.ok ? ok({ serverId, countUrl: checked.value }) : checked;
}

function validId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= fieldCharsMax && isCleanText(value);
}

const json = { 'content-type': 'application/json' };
const badPath = { code: 'HC_BAD_REQUEST', error: 'the path is not a well-formed, percent-encoded path' };
const unauthenticatedBody = { code: 'HC_UNAUTHENTICATED', error: 'missing or wrong bearer token' };
const notFound = { error: 'not found' };
const tooLarge = { code: 'HC_BODY_TOO_LARGE', error: `a request body is at most ${requestBytesMax} bytes` };

/** Answers and closes without reading the rest of the request. */
function refuse(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  status: number,
  body: unknown,
): void {
  refuseAndClose(request, response, status, json, JSON.stringify(body));
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
