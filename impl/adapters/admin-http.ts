/**
 * The admin HTTP port: `/healthz` (alive), `/readyz` (can serve; JSON with reasons),
 * `/metrics` (Prometheus text), plus routes a mode adds (mode C serves its count here).
 * Bound to 127.0.0.1 by default: nothing here is for the public.
 */
import type http from 'node:http';
import {
  createHttpSurface,
  type HttpSurfaceLimits,
  httpSurfaceLimitsDefault,
  methodNotAllowed,
  pathSegments,
  refuseAndClose,
} from './http-surface.ts';
import { closeHttp, listenHttp } from './listen-http.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface Readyz {
  ready: boolean;
  role: 'server' | 'discovery';
  mode: string;
  reasons: string[];
  [key: string]: unknown;
}

export type RouteHandler = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
) => void | Promise<void>;

export interface AdminServerOptions {
  host: string;
  port: number;
  logger: Logger;
  metrics?: Metrics;
  readyz: () => Readyz;
  /** The HTTP limits. @default `adminLimits` */
  limits?: HttpSurfaceLimits;
  /** Extra routes by exact path, e.g. `/count` for mode C. */
  routes?: Record<string, RouteHandler>;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The admin port's limits: the shared defaults, with a cap of 32 connections, below the 64
 * descriptors `fd-limit.ts` keeps free beside the client cap (Prometheus, a health checker and
 * each discovery instance keep one or two open), and no request bodies at all.
 */
export const adminLimits = Object.freeze({
  ...httpSurfaceLimitsDefault,
  connectionsMax: 32,
  bodyBytesMax: 0,
});

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server = createHttpSurface(
    {
      name: 'admin',
      limits: options.limits ?? adminLimits,
      logger: options.logger,
      internalError: (response) => sendJson(response, 500, { error: 'internal error' }),
    },
    (request, response) => route(options, request, response),
  );
  const port = await listenHttp(server, options.host, options.port);
  return { port, close: () => closeHttp(server) };
}

async function route(
  options: AdminServerOptions,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const segments = pathSegments(request.url);
  if (segments === undefined) return refuseAndClose(request, response, 400, jsonType, badPath);
  if (hasBody(request)) return refuseAndClose(request, response, 413, jsonType, noBodies);
  const path = `/${segments.join('/')}`;
  const extra = options.routes?.[path];
  if (extra !== undefined) return extra(request, response);
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return methodNotAllowed(response, ['GET', 'HEAD']);
  if (path === '/healthz') return sendJson(response, 200, { alive: true });
  if (path === '/readyz') {
    const readyz = options.readyz();
    return sendJson(response, readyz.ready ? 200 : 503, readyz);
  }
  if (path === '/metrics' && options.metrics !== undefined) {
    const text = await options.metrics.text();
    response.writeHead(200, { 'content-type': options.metrics.registry.contentType });
    response.end(text);
    return;
  }
  sendJson(response, 404, { error: 'not found' });
}

const jsonType = { 'content-type': 'application/json' };
const badPath = JSON.stringify({
  code: 'HC_BAD_REQUEST',
  error: 'the path is not a well-formed, percent-encoded path',
});
const noBodies = JSON.stringify({ code: 'HC_BODY_TOO_LARGE', error: 'admin routes take no request body' });

/** A request that declares or streams a body; admin routes read none. */
function hasBody(request: http.IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
