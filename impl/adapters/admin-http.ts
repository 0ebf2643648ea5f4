/**
 * The admin HTTP port: `/healthz` (alive), `/readyz` (can serve; JSON with reasons),
 * `/metrics` (Prometheus text), plus routes a mode adds (mode C serves its count here).
 * Bound to 127.0.0.1 by default: nothing here is for the public.
 */
import http from 'node:http';
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
  /** Extra routes by exact path, e.g. `/count` for mode C. */
  routes?: Record<string, RouteHandler>;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

/** Admin requests are tiny; a slow or stuck caller is cut off after this long. */
const requestTimeoutMs = 5_000;

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server = http.createServer((request, response) => {
    void route(options, request, response).catch((error: unknown) => {
      options.logger.warn({ err: String(error), url: request.url }, 'admin request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = requestTimeoutMs;
  server.keepAliveTimeout = 5_000;
  const port = await listenHttp(server, options.host, options.port);
  server.on('error', (error) => options.logger.warn({ err: error.message }, 'admin server error'));
  return { port, close: () => closeHttp(server) };
}

async function route(
  options: AdminServerOptions,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
  const extra = options.routes?.[path];
  if (extra !== undefined) return extra(request, response);
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return sendJson(response, 405, { error: 'method not allowed' });
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

export function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
