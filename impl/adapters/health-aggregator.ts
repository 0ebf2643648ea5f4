/**
 * `headcount health`: one HTTP endpoint a load balancer or uptime checker can ask "can the
 * headcount service serve?". Each `GET /healthz` (or `/`) probes every backend's `/readyz` in
 * parallel, each with its own deadline, and answers 200 or 503 with every target's result as
 * JSON; `health-verdict.ts` decides which.
 *
 *   GET /healthz ──► probe round (shared by concurrent requests) ──► verdict ──► 200 | 503
 *                      ├─ GET target1/readyz  (timeoutMs)
 *                      └─ GET targetN/readyz  (timeoutMs)
 *
 * Probing on demand (no background loop) keeps the answer as fresh as the question, and sharing
 * the round in flight bounds the load a burst of checks can put on the fleet to one round.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  healthVerdict,
  type ProbeErrorCode,
  type ProbeResult,
  readyzBodySchema,
} from '../observability/health-verdict.ts';
import {
  createHttpSurface,
  type HttpSurfaceLimits,
  httpSurfaceLimitsDefault,
  methodNotAllowed,
  pathSegments,
  RateLimitedLog,
  refuseAndClose,
} from './http-surface.ts';
import { closeHttp, listenHttp } from './listen-http.ts';
import type { Logger } from './logger.ts';

export interface HealthAggregatorOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host: string;
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** Base URLs of the targets' admin ports (`http://host:port`) or full `/readyz` URLs. */
  readonly targets: readonly string[];
  /** Deadline for one probe, connect to last byte. @default 300 */
  readonly timeoutMs: number;
  /** Demand a ready discovery instance even if none announces mode C. @default false */
  readonly requireDiscovery: boolean;
  readonly logger?: Logger;
  /** The HTTP limits. @default `healthLimits` */
  readonly limits?: HttpSurfaceLimits;
}

export interface HealthAggregator {
  readonly port: number;
  close(): Promise<void>;
}

/** A `/readyz` body is a few hundred bytes; anything past 64 KiB is not a readyz answer. */
export const readyzBodyBytesMax = 64 * 1024;

/** One probe per target per round; a fleet is dozens of processes, so 256 is ample. */
export const targetsMax = 256;

/** `http://h:9100` → `http://h:9100/readyz`; a URL with a path is probed as given. */
export function readyzUrl(target: string): string {
  const url = new URL(target);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/readyz';
  return url.toString();
}

function failure(target: string, code: ProbeErrorCode, message: string, startedMs: number): ProbeResult {
  return { target, ok: false, code, message, latencyMs: Math.round(performance.now() - startedMs) };
}

/** GETs one target's readyz; never rejects, and settles by `timeoutMs` at the latest. */
export function probeTarget(target: string, timeoutMs: number): Promise<ProbeResult> {
  const startedMs = performance.now();
  return new Promise((resolve) => {
    const request = http.get(readyzUrl(target), { agent: false, headers: { accept: 'application/json' } });
    const timer = setTimeout(() => {
      request.destroy();
      resolve(
        failure(target, 'HC_PROBE_TIMEOUT', `no answer within ${timeoutMs} ms (--timeout-ms)`, startedMs),
      );
    }, timeoutMs);
    const settle = (result: ProbeResult) => {
      clearTimeout(timer);
      resolve(result);
    };
    request.on('error', (error) => settle(failure(target, 'HC_PROBE_CONNECT', error.message, startedMs)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > readyzBodyBytesMax) {
          request.destroy();
          settle(failure(target, 'HC_PROBE_BODY', `body over ${readyzBodyBytesMax} bytes`, startedMs));
        } else chunks.push(chunk);
      });
      response.on('error', (error) => settle(failure(target, 'HC_PROBE_CONNECT', error.message, startedMs)));
      response.on('end', () => settle(parseProbe(target, response.statusCode ?? 0, chunks, startedMs)));
    });
  });
}

function parseProbe(target: string, httpStatus: number, chunks: Buffer[], startedMs: number): ProbeResult {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return failure(target, 'HC_PROBE_BODY', `HTTP ${httpStatus} with a body that is not JSON`, startedMs);
  }
  const body = readyzBodySchema.safeParse(json);
  if (!body.success) {
    return failure(
      target,
      'HC_PROBE_BODY',
      `HTTP ${httpStatus}, not a readyz body: ${body.error.message}`,
      startedMs,
    );
  }
  return {
    target,
    ok: true,
    httpStatus,
    body: body.data,
    latencyMs: Math.round(performance.now() - startedMs),
  };
}

/** Probes all targets at once; concurrent callers share the round in flight. */
function sharedProbeRound(targets: readonly string[], timeoutMs: number): () => Promise<ProbeResult[]> {
  let inFlight: Promise<ProbeResult[]> | undefined;
  return () => {
    inFlight ??= Promise.all(targets.map((target) => probeTarget(target, timeoutMs))).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(head ? undefined : text);
}

/**
 * The aggregator's limits: the shared defaults and no request bodies. Every check costs one
 * probe round at most (rounds are shared), so 256 connections is ample for any fleet's checkers.
 */
export const healthLimits = Object.freeze({ ...httpSurfaceLimitsDefault, bodyBytesMax: 0 });

const jsonType = { 'content-type': 'application/json' };

async function answer(
  options: HealthAggregatorOptions,
  probeRound: () => Promise<ProbeResult[]>,
  unhealthyLog: RateLimitedLog,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const segments = pathSegments(request.url);
  if (segments === undefined)
    return refuseAndClose(request, response, 400, jsonType, '{"error":"malformed path"}\n');
  const path = `/${segments.join('/')}`;
  if (path !== '/' && path !== '/healthz') return sendJson(response, 404, { error: 'not found' }, false);
  const head = request.method === 'HEAD';
  if (request.method !== 'GET' && !head) return methodNotAllowed(response, ['GET', 'HEAD']);
  const length = request.headers['content-length'];
  if ((length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined)
    return refuseAndClose(request, response, 413, jsonType, '{"error":"/healthz takes no body"}\n');
  const targets = await probeRound();
  const verdict = healthVerdict(targets, options.requireDiscovery);
  // One line per cause per 10 s: a checker asking every 100 ms must not grow the log with it.
  if (!verdict.serving) unhealthyLog.warn('unhealthy', { reasons: verdict.reasons }, 'service cannot serve');
  sendJson(response, verdict.serving ? 200 : 503, { ...verdict, targets }, head);
}

export async function startHealthAggregator(options: HealthAggregatorOptions): Promise<HealthAggregator> {
  if (options.targets.length === 0 || options.targets.length > targetsMax) {
    throw new Error(`targets: ${options.targets.length} given; need 1 to ${targetsMax}`);
  }
  const probeRound = sharedProbeRound(options.targets, options.timeoutMs);
  const unhealthyLog = new RateLimitedLog(options.logger);
  const server = createHttpSurface(
    {
      name: 'health',
      limits: options.limits ?? healthLimits,
      logger: options.logger,
      internalError: (response) => sendJson(response, 500, { error: 'internal error' }, false),
    },
    (request, response) => answer(options, probeRound, unhealthyLog, request, response),
  );
  const port = await listenHttp(server, options.host, options.port);
  return { port, close: () => closeHttp(server) };
}
