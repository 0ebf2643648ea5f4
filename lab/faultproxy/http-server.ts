/**
 * The HTTP side of the API on the shared hardened node:http server: reads the body (bounded), refuses browsers as Toxiproxy
 * does (a page could otherwise drive the proxy through the user's browser), stamps every answer
 * with `X-Toxiproxy-Request-Id`, serves `/metrics`, and hands everything else to `FaultProxyApi`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  createHttpSurface,
  type HttpSurfaceLimits,
  httpSurfaceLimitsDefault,
  pathSegments,
  readBodyBounded,
  refuseAndClose,
} from '../../impl/adapters/http-surface.ts';
import type { FaultProxyApi } from './api.ts';
import type { FaultProxyMetrics } from './metrics.ts';
import { type Reply, replies } from './reply.ts';
import { nextRequestId } from './request-id.ts';

/** Proxy and toxic bodies are a few hundred bytes; 1 MiB leaves room for a large /populate. */
export const requestBodyBytesMax = 1024 * 1024;

/**
 * The API's limits: the shared hardened defaults (impl/adapters/http-surface.ts) with a 1 MiB
 * body. Toxiproxy's clients open a connection or two; 256 is ample for a lab and its tests.
 */
export const apiLimits = Object.freeze({ ...httpSurfaceLimitsDefault, bodyBytesMax: requestBodyBytesMax });

const tooLarge = replies.plain(413, 'http: request body too large');

async function answer(
  request: IncomingMessage,
  api: FaultProxyApi,
  metrics: FaultProxyMetrics,
  bodyBytesMax: number,
): Promise<Reply | 'refused'> {
  if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    request.resume();
    return replies.plain(403, 'User agent not allowed');
  }
  const segments = pathSegments(request.url);
  if (segments === undefined) return replies.plain(400, '400 Bad Request');
  const body = await readBodyBounded(request, bodyBytesMax);
  if (body.kind === 'too-large') return 'refused';
  if (body.kind === 'aborted') return replies.plain(400, '400 Bad Request');
  if (segments.length === 1 && segments[0] === 'metrics') {
    if (request.method !== 'GET') return replies.empty(405);
    return {
      status: 200,
      headers: { 'Content-Type': metrics.registry.contentType },
      body: await metrics.registry.metrics(),
    };
  }
  return api.handle({ method: request.method ?? 'GET', segments, body: body.bytes.toString('utf8') });
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  reply: Reply | 'refused',
  requestId: string,
) {
  if (reply === 'refused') {
    return refuseAndClose(
      request,
      response,
      tooLarge.status,
      { ...tooLarge.headers, 'X-Toxiproxy-Request-Id': requestId },
      tooLarge.body,
    );
  }
  response.writeHead(reply.status, {
    ...reply.headers,
    'Content-Length': Buffer.byteLength(reply.body),
    'X-Toxiproxy-Request-Id': requestId,
  });
  response.end(reply.body);
}

export function createApiServer(
  api: FaultProxyApi,
  metrics: FaultProxyMetrics,
  logger: Logger,
  limits: HttpSurfaceLimits = apiLimits,
): Server {
  return createHttpSurface(
    {
      name: 'faultproxy',
      limits,
      logger,
      internalError: (response) => {
        const reply = replies.plain(500, 'internal error');
        response.writeHead(reply.status, {
          ...reply.headers,
          'Content-Length': Buffer.byteLength(reply.body),
        });
        response.end(reply.body);
      },
    },
    async (request, response) => {
      const requestId = nextRequestId(Date.now());
      const reply = await answer(request, api, metrics, limits.bodyBytesMax);
      logger.debug(
        {
          method: request.method,
          url: request.url,
          status: reply === 'refused' ? 413 : reply.status,
          requestId,
        },
        'request',
      );
      send(request, response, reply, requestId);
    },
  );
}
